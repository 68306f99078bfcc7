package io.jscan.verifier.sbom;

import java.util.List;
import java.util.Objects;

/**
 * The packages of an image that policy rules judge (forbidden packages, licenses, CEL's
 * {@code sbom.packages}), and where the list comes from.
 *
 * @param source {@code generated} (catalogued by jscan from the image's verified layers during
 *     verification) or {@code attestation} (an SBOM attestation whose signature verified)
 * @param format {@code jscan}, {@code cyclonedx} or {@code spdx}
 * @param complete false when cataloguing could not see the whole image (a layer could not be
 *     read, a limit was hit): rules that need every package then fail closed
 * @param warnings what the catalogers or the document reader could not read (one line each)
 */
public record PackageInventory(String source, String format, boolean complete, List<PackageEntry> packages, List<String> warnings) {
  public static final String GENERATED = "generated";
  public static final String ATTESTATION = "attestation";

  public PackageInventory {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(format, "format");
    packages = List.copyOf(packages);
    warnings = List.copyOf(warnings);
  }

  /** Cataloguing failed: nothing is known, and rules that need packages fail closed with {@code reason}. */
  public static PackageInventory failed(String reason) {
    return new PackageInventory(GENERATED, "jscan", false, List.of(), List.of(reason));
  }
}
