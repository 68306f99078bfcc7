package io.jscan.sbom.model;

import io.jscan.core.oci.Digest;
import java.util.Optional;

/**
 * One layer of the catalogued image, as packages refer to it by index.
 *
 * @param index its place in the manifest from 0, the lowest layer (jscan's internal index)
 * @param diffId the uncompressed layer digest (absent for a directory, which is one pseudo-layer)
 * @param digest the blob digest from the manifest
 * @param createdBy the history entry's {@code created_by} for this layer, when the config has one
 */
public record LayerInfo(int index, Optional<Digest> diffId, Optional<Digest> digest, Optional<String> createdBy) {
  public LayerInfo {
    if (index < 0) {
      throw new IllegalArgumentException("invalid layer index " + index);
    }
  }

  /**
   * The layer's number as people and jscan's reports read it: from 1, the lowest layer, as
   * {@code jscan verify}, {@code jscan inspect} and the policy input number layers.
   */
  public int number() {
    return index + 1;
  }
}
