package io.jscan.sbom.model;

import java.util.List;
import java.util.Optional;

/**
 * The distribution an image is built on, from {@code /etc/os-release} (or
 * {@code /usr/lib/os-release}), os-release(5).
 *
 * @param id {@code ID}, lowercase ({@code debian}, {@code alpine})
 * @param versionId {@code VERSION_ID} ({@code 12}, {@code 3.19.1})
 * @param idLike {@code ID_LIKE}, split on spaces
 */
public record OperatingSystem(
    String id,
    Optional<String> versionId,
    Optional<String> versionCodename,
    Optional<String> prettyName,
    Optional<String> name,
    List<String> idLike) {
  public OperatingSystem {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("operating system without an ID");
    }
    idLike = List.copyOf(idLike);
  }

  /** The purl {@code distro} qualifier: {@code ID-VERSION_ID}, or just the ID without a version. */
  public String distroQualifier() {
    return versionId.map(v -> id + "-" + v).orElse(id);
  }
}
