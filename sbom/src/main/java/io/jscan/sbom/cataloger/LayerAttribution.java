package io.jscan.sbom.cataloger;

import io.jscan.sbom.fs.LayerVersion;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which layer introduced each package of a package database that several layers rewrote
 * (dpkg's {@code status}, apk's {@code installed}, {@code rpmdb.sqlite}).
 *
 * <p>Walking the database's copies from the top layer down, a package is attributed to the lowest
 * layer of the unbroken run of copies that all list it (same identity, so an upgrade counts as a
 * new package). A package removed and later reinstalled belongs to the layer that reinstalled it.
 */
final class LayerAttribution {
  private LayerAttribution() {}

  /** Reads the package identities of one copy of the database; empty when that copy is unreadable. */
  @FunctionalInterface
  interface Reader<K> {
    Optional<Set<K>> identities(LayerVersion version);
  }

  /**
   * @param history the copies, visible one first ({@link io.jscan.sbom.fs.FileTree#history})
   * @param visible identities of the visible copy
   * @return identity → introducing layer, for each identity of {@code visible}
   */
  static <K> Map<K, Integer> introducingLayers(List<LayerVersion> history, Set<K> visible, Reader<K> reader) {
    Map<K, Integer> layers = new HashMap<>();
    int top = history.get(0).layer();
    for (K k : visible) {
      layers.put(k, top);
    }
    Set<K> stillPresent = new java.util.HashSet<>(visible);
    for (int i = 1; i < history.size() && !stillPresent.isEmpty(); i++) {
      LayerVersion lower = history.get(i);
      Optional<Set<K>> ids = reader.identities(lower);
      if (ids.isEmpty()) {
        break; // an unreadable older copy: keep what the copies above established
      }
      stillPresent.retainAll(ids.get());
      for (K k : stillPresent) {
        layers.put(k, lower.layer());
      }
    }
    return layers;
  }
}
