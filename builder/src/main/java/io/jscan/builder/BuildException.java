package io.jscan.builder;

import io.jscan.core.FailureKind;
import io.jscan.core.oci.OciException;
import io.jscan.core.JscanException;
import io.jscan.dockerfile.SourceLocation;
import java.io.IOException;

/**
 * The builder's one checked exception. Its message reads {@code what: detail}; errors about an
 * instruction use {@code FILE:LINE} as the "what" ({@code Dockerfile:9: COPY source "x" not found
 * in the build context}), errors about a path name the path.
 */
public final class BuildException extends JscanException {
  private static final long serialVersionUID = 1L;

  public BuildException(FailureKind kind, String what, String detail) {
    super(kind, what, detail);
  }

  public BuildException(FailureKind kind, String what, String detail, Throwable cause) {
    super(kind, what, detail, cause);
  }

  /** Bad input about something named {@code what} (a file, a flag, an image). */
  public static BuildException badInput(String what, String detail) {
    return new BuildException(FailureKind.BAD_INPUT, what, detail);
  }

  private BuildException(FailureKind kind, String what, String detail, java.util.List<String> lines) {
    super(kind, what, detail, lines, null);
  }

  /** Bad input at an instruction, with lines of context under the message (a RUN step's output). */
  public static BuildException at(SourceLocation at, String detail, java.util.List<String> lines) {
    return new BuildException(FailureKind.BAD_INPUT, at.file() + ":" + at.startLine(), detail, lines);
  }

  /** Bad input at an instruction. */
  public static BuildException at(SourceLocation at, String detail) {
    return new BuildException(FailureKind.BAD_INPUT, at.file() + ":" + at.startLine(), detail);
  }

  /** A failure of {@code kind} at an instruction, caused by a lower-level one. */
  public static BuildException at(SourceLocation at, FailureKind kind, String detail, Throwable cause) {
    return new BuildException(kind, at.file() + ":" + at.startLine(), detail, cause);
  }

  /**
   * An I/O failure while doing {@code what}; content that is corrupt (a layer whose digest,
   * compression or tar does not hold up, classified by {@link OciException#reading}) is an
   * integrity failure naming that content, not an unexpected error.
   */
  public static BuildException io(String what, IOException cause) {
    OciException classified = OciException.reading(what, cause);
    if (classified.kind() == FailureKind.INTEGRITY) {
      return new BuildException(FailureKind.INTEGRITY, classified.what(), classified.detail(), cause);
    }
    return new BuildException(FailureKind.UNEXPECTED, what, String.valueOf(cause.getMessage()), cause);
  }
}
