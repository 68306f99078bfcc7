package io.jscan.sbom.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One package found in an image.
 *
 * @param version absent when the database has none (a dpkg record without {@code Version})
 * @param purl absent when it cannot be formed (a distro package on an image without os-release)
 * @param licenses as declared, deduplicated and sorted
 * @param files the files the package database says it owns, sorted by path (empty where the
 *     ecosystem's database lists none)
 * @param locations evidence; the first is the primary one (the database file or the archive)
 * @param layer index of the layer that introduced the package, 0 for the lowest (manifest order)
 */
public record Package(
    String name,
    Optional<String> version,
    PackageType type,
    Optional<Purl> purl,
    List<License> licenses,
    List<OwnedFile> files,
    List<Location> locations,
    int layer,
    PackageMetadata metadata) {

  public Package {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("package without a name");
    }
    version = version.filter(v -> !v.isEmpty());
    if (type == null || metadata == null) {
      throw new IllegalArgumentException("package " + name + " without a type or metadata");
    }
    licenses = licenses.stream().distinct().sorted().toList();
    files = files.stream().sorted().toList();
    locations = List.copyOf(locations);
    if (locations.isEmpty()) {
      throw new IllegalArgumentException("package " + name + " without a location");
    }
    if (layer < 0) {
      throw new IllegalArgumentException("package " + name + ": invalid layer index " + layer);
    }
  }

  /**
   * The number of the layer that introduced the package, as reports show it: from 1, the lowest
   * layer (see {@link LayerInfo#number()}); {@link #layer()} is the index from 0.
   */
  public int layerNumber() {
    return layer + 1;
  }

  /** The primary evidence: the database or archive the package was read from. */
  public Location primaryLocation() {
    return locations.get(0);
  }

  /**
   * A stable identifier, unique within one catalog: derived from type, name, version, architecture
   * and primary location, so the same image always gives the same ids (used as bom-ref and SPDXID).
   */
  public String id() {
    String key = String.join(
        "\u0000",
        type.id(),
        name,
        version.orElse(""),
        metadata.architecture().orElse(""),
        primaryLocation().display());
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return type.id() + "-" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Package withLayer(int newLayer) {
    return new Package(name, version, type, purl, licenses, files, locations, newLayer, metadata);
  }

  public Package withLicenses(List<License> newLicenses) {
    return new Package(name, version, type, purl, newLicenses, files, locations, layer, metadata);
  }

  public Package withPurl(Optional<Purl> newPurl) {
    return new Package(name, version, type, newPurl, licenses, files, locations, layer, metadata);
  }
}
