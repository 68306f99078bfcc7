package io.jscan.verifier;

import java.util.Locale;

/** The outcome of a verification; the command line maps it to an exit code (0, 3 or 4). */
public enum Verdict {
  /** No blocking finding. */
  PASSED,
  /** At least one enforced policy or lint violation, and no integrity or signature failure. */
  POLICY_VIOLATION,
  /** At least one integrity or signature failure (wins over policy violations). */
  INTEGRITY_FAILURE;

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The more severe of two verdicts. */
  public Verdict worst(Verdict other) {
    return ordinal() >= other.ordinal() ? this : other;
  }
}
