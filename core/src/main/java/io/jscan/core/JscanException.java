package io.jscan.core;

import io.jscan.core.text.Printable;
import java.util.List;
import java.util.Objects;

/**
 * Base of the one checked exception each jscan subsystem declares ({@code OciException},
 * {@code DockerfileException}, {@code BuildException}, ...).
 *
 * <p>The message always reads {@code what failed: detail}, so the command line can print it as
 * one line: both parts are escaped here ({@link Printable}), whatever input text they quote (a
 * flag name, a path from a layer, a value from a document), so that no subsystem's message can
 * span lines or carry a terminal escape sequence. Escaping is idempotent, so wrapping another
 * exception's parts changes nothing. The {@link FailureKind} tells the command line which exit code the failure maps to;
 * policy violations are never exceptions (they are data in a report).
 */
public abstract class JscanException extends Exception {
  private static final long serialVersionUID = 1L;

  private final FailureKind kind;
  private final String what;
  private final String detail;
  private final List<String> lines;

  protected JscanException(FailureKind kind, String what, String detail) {
    this(kind, what, detail, null);
  }

  protected JscanException(FailureKind kind, String what, String detail, Throwable cause) {
    this(kind, what, detail, List.of(), cause);
  }

  /**
   * A failure whose one-line message is followed by {@code lines} of context, each escaped on its
   * own (a failed RUN step's last lines of output, as BuildKit shows them): the lines are data the
   * command line prints under the message, never a way for input to forge one.
   */
  protected JscanException(FailureKind kind, String what, String detail, List<String> lines, Throwable cause) {
    super(message(Printable.escape(Objects.requireNonNull(what, "what")), Printable.escape(Objects.requireNonNull(detail, "detail")), lines), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.what = Printable.escape(what);
    this.detail = Printable.escape(detail);
    this.lines = lines.stream().map(Printable::escape).toList();
  }

  private static String message(String what, String detail, List<String> lines) {
    StringBuilder b = new StringBuilder(what).append(": ").append(detail);
    for (String line : lines) {
      b.append('\n').append(Printable.escape(line));
    }
    return b.toString();
  }

  /** Which kind of failure this is; decides the exit code. */
  public FailureKind kind() {
    return kind;
  }

  /** What failed (the part of the message before the colon), so a wrapper can keep the message as it is. */
  public String what() {
    return what;
  }

  /** Why it failed (the part of the message's first line after the colon). */
  public String detail() {
    return detail;
  }

  /** The lines of context under the message's first line (escaped), often none. */
  public List<String> lines() {
    return lines;
  }
}
