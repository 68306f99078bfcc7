package io.jscan.sbom.model;

import java.util.Optional;

/**
 * Where evidence for a package was found.
 *
 * @param path absolute path in the image's file system ({@code /var/lib/dpkg/status})
 * @param layer index of the layer that wrote this file, 0 for the lowest (manifest order)
 * @param member for archives inside archives, the path inside {@code path}
 *     ({@code BOOT-INF/lib/a.jar!META-INF/maven/g/a/pom.properties})
 */
public record Location(String path, int layer, Optional<String> member) implements Comparable<Location> {
  public Location {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("invalid location path: \"" + path + "\" (must be absolute)");
    }
    if (layer < 0) {
      throw new IllegalArgumentException("invalid layer index " + layer + " for " + path);
    }
    member = member.filter(m -> !m.isEmpty());
  }

  public Location(String path, int layer) {
    this(path, layer, Optional.empty());
  }

  /** {@code path} or {@code path!member}. */
  public String display() {
    return member.map(m -> path + "!" + m).orElse(path);
  }

  @Override
  public int compareTo(Location o) {
    int c = display().compareTo(o.display());
    return c != 0 ? c : Integer.compare(layer, o.layer);
  }
}
