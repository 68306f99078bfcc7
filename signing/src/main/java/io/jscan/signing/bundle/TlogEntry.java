package io.jscan.signing.bundle;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A transparency log entry as a bundle carries it (protobuf-specs rekor/v1
 * TransparencyLogEntry). {@code integratedTime} is empty for Rekor v2 entries, which have none.
 */
public record TlogEntry(
    long logIndex,
    byte[] logId,
    String kind,
    String version,
    Optional<Long> integratedTime,
    Optional<byte[]> signedEntryTimestamp,
    Optional<InclusionProof> inclusionProof,
    byte[] canonicalizedBody) {

  public TlogEntry {
    Objects.requireNonNull(logId, "logId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(integratedTime, "integratedTime");
    Objects.requireNonNull(signedEntryTimestamp, "signedEntryTimestamp");
    Objects.requireNonNull(inclusionProof, "inclusionProof");
    Objects.requireNonNull(canonicalizedBody, "canonicalizedBody");
    if (logIndex < 0) {
      throw new IllegalArgumentException("negative log index");
    }
  }

  /** An RFC 9162 inclusion proof with the log's signed checkpoint for its root. */
  public record InclusionProof(long logIndex, byte[] rootHash, long treeSize, List<byte[]> hashes, Optional<String> checkpoint) {
    public InclusionProof {
      Objects.requireNonNull(rootHash, "rootHash");
      hashes = List.copyOf(hashes);
      Objects.requireNonNull(checkpoint, "checkpoint");
    }
  }
}
