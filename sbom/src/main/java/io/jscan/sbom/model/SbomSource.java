package io.jscan.sbom.model;

import io.jscan.core.oci.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What was catalogued.
 *
 * @param name what the user named ({@code oci:dir:tag}, {@code debian:12}, a directory path)
 * @param digest the image's manifest digest; for a directory, a digest of the catalogue's content
 *     (so the SBOM's serial number and namespace are still reproducible)
 * @param created the image config's {@code created}; the SBOM's timestamp comes from here, never the clock
 * @param platform {@code os/arch[/variant]} of an image
 */
public record SbomSource(Kind kind, String name, Digest digest, Optional<Instant> created, Optional<String> platform, List<LayerInfo> layers) {
  public enum Kind {
    IMAGE,
    DIRECTORY
  }

  public SbomSource {
    if (kind == null || name == null || name.isEmpty() || digest == null) {
      throw new IllegalArgumentException("incomplete SBOM source " + name);
    }
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("SBOM source " + name + " has no layers");
    }
  }
}
