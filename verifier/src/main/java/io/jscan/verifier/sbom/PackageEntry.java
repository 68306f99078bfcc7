package io.jscan.verifier.sbom;

import io.jscan.sbom.model.License;
import io.jscan.sbom.model.PackageType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One package as policy rules see it, from jscan's own cataloguing or from an attested CycloneDX
 * or SPDX document.
 *
 * @param type the ecosystem when jscan knows it (it decides how versions compare)
 * @param typeName jscan's name for the ecosystem ({@code deb}, {@code java-archive}), or the
 *     package URL's type for one jscan does not know, or {@code unknown}
 * @param purl the package URL, when known
 * @param licenses as declared, each with its SPDX form when there is one
 * @param layer the layer that introduced it (from 1), when known
 */
public record PackageEntry(
    String name, Optional<String> version, Optional<PackageType> type, String typeName, Optional<String> purl,
    List<License> licenses, OptionalInt layer) {
  public PackageEntry {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("package without a name");
    }
    version = version.filter(v -> !v.isBlank());
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(typeName, "typeName");
    Objects.requireNonNull(purl, "purl");
    licenses = List.copyOf(licenses);
    Objects.requireNonNull(layer, "layer");
  }
}
