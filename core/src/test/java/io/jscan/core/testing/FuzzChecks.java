package io.jscan.core.testing;

/**
 * What every fuzz test (fuzz/README.md) asks of the error it expects from bad input: a message,
 * on one line, since the command line prints it as {@code jscan: MESSAGE} and the webhook logs it
 * as one record. Any other exception, a hang, an {@link OutOfMemoryError} or a {@link
 * StackOverflowError} reaches Jazzer, which reports it as a finding.
 */
public final class FuzzChecks {
  private FuzzChecks() {}

  /** Fails unless {@code e} has a non-blank message without a line break. */
  public static void requireOneLine(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      throw new AssertionError("error without a message: " + e.getClass().getName(), e);
    }
    if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0 || message.indexOf('\u2028') >= 0
        || message.indexOf('\u2029') >= 0 || message.indexOf('\u0085') >= 0) {
      throw new AssertionError("error message spans lines: " + message.replace("\n", "\\n").replace("\r", "\\r"), e);
    }
  }
}
