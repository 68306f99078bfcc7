package io.jscan.core.transport.registry;

import io.jscan.core.FailureKind;
import io.jscan.core.oci.OciException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A registry operation failed. The message reads {@code what failed: detail} like every jscan
 * error and never holds a credential, a token or a URL's query string (the registry client
 * builds every message from the method, the path and the registry's own error codes only).
 *
 * <p>The {@link FailureKind} follows the cause: unknown names, refused credentials and malformed
 * answers to a request the user wrote are {@link FailureKind#BAD_INPUT}; content that does not
 * match its digest is {@link FailureKind#INTEGRITY}; a registry that stays unreachable or keeps
 * answering 5xx after the retries is {@link FailureKind#UNEXPECTED}.
 */
public final class RegistryException extends OciException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorCode;

  RegistryException(FailureKind kind, String what, String detail, OptionalInt status, Optional<String> errorCode, Throwable cause) {
    super(kind, what, detail, cause);
    this.status = status.orElse(-1);
    this.errorCode = errorCode.orElse(null);
  }

  public static RegistryException badInput(String what, String detail) {
    return new RegistryException(FailureKind.BAD_INPUT, what, detail, OptionalInt.empty(), Optional.empty(), null);
  }

  public static RegistryException integrity(String what, String detail) {
    return new RegistryException(FailureKind.INTEGRITY, what, detail, OptionalInt.empty(), Optional.empty(), null);
  }

  static RegistryException unexpected(String what, String detail, Throwable cause) {
    return new RegistryException(FailureKind.UNEXPECTED, what, detail, OptionalInt.empty(), Optional.empty(), cause);
  }

  static RegistryException status(FailureKind kind, String what, String detail, int status, Optional<String> errorCode) {
    return new RegistryException(kind, what, detail, OptionalInt.of(status), errorCode, null);
  }

  /** The HTTP status the registry answered, when the failure was an answer. */
  public OptionalInt httpStatus() {
    return status < 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }

  /**
   * The first distribution-spec error code of the answer ({@code MANIFEST_UNKNOWN},
   * {@code DENIED}, ...), when the registry sent one.
   */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }
}
