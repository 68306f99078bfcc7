package io.jscan.signing;

import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;

/**
 * The checked exception of the signing subsystem: keys, payloads, signatures, attestations and
 * Sigstore bundles. The message reads {@code what failed: detail}.
 *
 * <p>{@link FailureKind#INTEGRITY} (exit 4) is for a signature, log entry or certificate that does
 * not verify; {@link FailureKind#BAD_INPUT} (exit 2) is for files that cannot be parsed, unsupported
 * formats and a wrong password; {@link FailureKind#UNEXPECTED} (exit 1) for I/O and environment
 * problems (including an unreachable Sigstore service).
 */
public class SigningException extends JscanException {
  private static final long serialVersionUID = 1L;

  public SigningException(FailureKind kind, String what, String detail) {
    super(kind, what, detail);
  }

  public SigningException(FailureKind kind, String what, String detail, Throwable cause) {
    super(kind, what, detail, cause);
  }

  /** Malformed or unsupported input: exit 2. */
  public static SigningException badInput(String what, String detail) {
    return new SigningException(FailureKind.BAD_INPUT, what, detail);
  }

  public static SigningException badInput(String what, String detail, Throwable cause) {
    return new SigningException(FailureKind.BAD_INPUT, what, detail, cause);
  }

  /** Verification failed: exit 4. */
  public static SigningException integrity(String what, String detail) {
    return new SigningException(FailureKind.INTEGRITY, what, detail);
  }

  public static SigningException integrity(String what, String detail, Throwable cause) {
    return new SigningException(FailureKind.INTEGRITY, what, detail, cause);
  }

  /** I/O, environment or network failure: exit 1. */
  public static SigningException unexpected(String what, String detail, Throwable cause) {
    return new SigningException(FailureKind.UNEXPECTED, what, detail, cause);
  }

  public static SigningException io(String what, java.io.IOException cause) {
    return unexpected(what, String.valueOf(cause.getMessage()), cause);
  }
}
