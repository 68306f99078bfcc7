package io.jscan.dockerfile;

import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;

/**
 * The one checked exception of the Dockerfile front end: a Dockerfile, a {@code .dockerignore}, a
 * build argument or a stage reference is wrong. The message reads {@code FILE:LINE: what is wrong}
 * (the project's "what: detail" rule with the location as the "what"), so the command line prints
 * it as one line and exits 2.
 */
public final class DockerfileException extends JscanException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final boolean overLimit;

  private DockerfileException(String file, int line, String detail, Throwable cause, boolean overLimit) {
    super(FailureKind.BAD_INPUT, file + ":" + line, detail, cause);
    this.file = file;
    this.line = line;
    this.overLimit = overLimit;
  }

  private DockerfileException(String file, int line, String detail, Throwable cause) {
    this(file, line, detail, cause, false);
  }

  /** An error at one line of a file. */
  public static DockerfileException at(String file, int line, String detail) {
    return new DockerfileException(file, Math.max(1, line), detail, null);
  }

  /** An error at the start line of a location. */
  public static DockerfileException at(SourceLocation location, String detail) {
    return new DockerfileException(location.file(), location.startLine(), detail, null);
  }

  /** An error at the start line of a location, caused by a lower-level failure (kept for --debug). */
  public static DockerfileException at(SourceLocation location, String detail, Throwable cause) {
    return new DockerfileException(location.file(), location.startLine(), detail, cause);
  }

  /**
   * A Dockerfile that passes one of jscan's limits (variable expansion that grows without bound):
   * unlike a word that merely does not expand, which lint judges as written, this always fails.
   */
  public static DockerfileException overLimit(SourceLocation location, String detail) {
    return new DockerfileException(location.file(), location.startLine(), detail, null, true);
  }

  /** Whether this is {@link #overLimit}: the Dockerfile cannot be processed at all, whatever the command. */
  public boolean overLimit() {
    return overLimit;
  }

  /** The file name as the user gave it ({@code -} for standard input). */
  public String file() {
    return file;
  }

  /** The 1-based line the error is about. */
  public int line() {
    return line;
  }
}
