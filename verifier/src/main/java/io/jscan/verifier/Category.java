package io.jscan.verifier;

import java.util.Locale;

/**
 * Where a finding comes from, which decides the exit code of a blocking finding: {@link #INTEGRITY}
 * and {@link #SIGNATURE} give 4, {@link #POLICY} and {@link #LINT} give 3.
 */
public enum Category {
  /** Content that does not match what it claims, or layer content that cannot be extracted safely. */
  INTEGRITY,
  /** A signature or attestation that exists but does not verify. */
  SIGNATURE,
  /** A policy rule (built-in or CEL) that the image or Dockerfile does not satisfy. */
  POLICY,
  /** A Dockerfile lint rule (hadolint ids and jscan's own). */
  LINT;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
