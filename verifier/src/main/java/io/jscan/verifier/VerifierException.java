package io.jscan.verifier;

import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;

/**
 * The checked exception of the verifier: only for what prevents a verification from producing a
 * report (an unreadable policy file, a malformed reference, a deadline that passed, an I/O error).
 * Integrity failures and policy violations are findings in the report, never this.
 */
public final class VerifierException extends JscanException {
  private static final long serialVersionUID = 1L;

  public VerifierException(FailureKind kind, String what, String detail) {
    super(kind, what, detail);
  }

  public VerifierException(FailureKind kind, String what, String detail, Throwable cause) {
    super(kind, what, detail, cause);
  }

  public static VerifierException badInput(String what, String detail) {
    return new VerifierException(FailureKind.BAD_INPUT, what, detail);
  }
}
