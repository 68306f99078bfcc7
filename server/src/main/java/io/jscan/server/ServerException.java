package io.jscan.server;

import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;

/**
 * The checked exception of the admission server: what keeps {@code jscan serve} from starting or
 * from loading new material (an unreadable certificate, a key that does not match it, a port in
 * use). Admission decisions are never this: a denied pod is an answer, not a failure.
 */
public final class ServerException extends JscanException {
  private static final long serialVersionUID = 1L;

  public ServerException(FailureKind kind, String what, String detail) {
    super(kind, what, detail);
  }

  public ServerException(FailureKind kind, String what, String detail, Throwable cause) {
    super(kind, what, detail, cause);
  }

  public static ServerException badInput(String what, String detail) {
    return new ServerException(FailureKind.BAD_INPUT, what, detail);
  }
}
