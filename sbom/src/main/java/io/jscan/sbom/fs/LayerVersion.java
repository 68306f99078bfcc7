package io.jscan.sbom.fs;

import java.util.Objects;

/**
 * A copy of a file as one layer wrote it (see {@link FileTree#history}).
 *
 * @param layer the layer's index, 0 for the lowest
 */
public record LayerVersion(int layer, Content content) {
  public LayerVersion {
    if (layer < 0) {
      throw new IllegalArgumentException("invalid layer index " + layer);
    }
    Objects.requireNonNull(content, "content");
  }
}
