package io.jscan.core.transport.registry;

import io.jscan.core.oci.Descriptor;
import java.time.Duration;

/**
 * Hears about blob transfers to and from registries, to draw progress (per-layer bars on a
 * terminal, plain lines otherwise). Called from the transfer threads, possibly concurrently for
 * different blobs; implementations must be thread-safe and quick. Never told anything secret.
 */
public interface TransferListener {

  /** How a blob transfer ended well. */
  enum Outcome {
    /** Downloaded and verified. */
    DOWNLOADED,
    /** Uploaded and accepted by the registry (which checks the digest). */
    UPLOADED,
    /** The destination already had it. */
    EXISTS,
    /** Mounted from another repository of the same registry, without uploading. */
    MOUNTED
  }

  /** A transfer of {@code blob} starts (or restarts at {@code offset} after a retry). */
  default void started(Descriptor blob, boolean upload, long offset) {}

  /** {@code transferred} bytes of {@code blob} are done so far. */
  default void progressed(Descriptor blob, long transferred) {}

  default void finished(Descriptor blob, Outcome outcome) {}

  /** A request about {@code what} failed for {@code reason} and is retried after {@code delay}. */
  default void retrying(String what, int attempt, Duration delay, String reason) {}

  TransferListener NONE = new TransferListener() {};
}
