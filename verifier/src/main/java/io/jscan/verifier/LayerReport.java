package io.jscan.verifier;

import io.jscan.core.oci.Digest;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One layer as it was walked.
 *
 * @param position its place in the manifest, from 1
 * @param digest the compressed blob's digest (from the manifest)
 * @param mediaType the media type the manifest claims
 * @param size the compressed size the manifest claims
 * @param diffId the uncompressed digest the config claims, if the config has one for this position
 * @param uncompressedSize bytes of tar read, when decompression got to the end
 * @param entries tar entries seen
 * @param createdBy the history entry that made the layer ({@code RUN …}), when history pairs up
 * @param verified whether digest, size, media type and diff_id all matched and the tar was sound
 */
public record LayerReport(
    int position,
    Digest digest,
    String mediaType,
    long size,
    Optional<Digest> diffId,
    OptionalLong uncompressedSize,
    long entries,
    Optional<String> createdBy,
    boolean verified) {
  public LayerReport {
    if (position < 1) {
      throw new IllegalArgumentException("layer positions start at 1");
    }
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(diffId, "diffId");
    Objects.requireNonNull(uncompressedSize, "uncompressedSize");
    Objects.requireNonNull(createdBy, "createdBy");
  }
}
