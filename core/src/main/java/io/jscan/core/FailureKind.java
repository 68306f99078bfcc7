package io.jscan.core;

/**
 * Why an operation failed, as far as the caller (and the exit code) is concerned.
 *
 * <p>The command line maps these to exit codes: {@link #BAD_INPUT} to 2, {@link #INTEGRITY} to 4,
 * {@link #UNEXPECTED} to 1.
 */
public enum FailureKind {
  /** The user gave us something malformed, missing or unsupported: a usage error. */
  BAD_INPUT,
  /**
   * Content does not match what it claims to be (digest, size, diff_id, media type, signature),
   * or cannot be trusted. Fails closed.
   */
  INTEGRITY,
  /** Anything else: I/O failure, a bug, an environment problem. */
  UNEXPECTED
}
