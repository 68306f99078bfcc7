package io.jscan.verifier;

import io.jscan.core.oci.Digest;
import java.util.Objects;

/**
 * A small document of an image (index, manifest or config) as it was checked.
 *
 * @param digest the digest its descriptor claims
 * @param size the size its descriptor claims
 * @param mediaType the media type its descriptor claims
 * @param verified whether the bytes matched digest, size and media type and parsed
 */
public record PartCheck(Digest digest, long size, String mediaType, boolean verified) {
  public PartCheck {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }
}
