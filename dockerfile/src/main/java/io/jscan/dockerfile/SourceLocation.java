package io.jscan.dockerfile;

import java.util.Objects;

/**
 * Where something sits in a Dockerfile: the file name as the user gave it and the 1-based first and
 * last line (an instruction continued over several lines, or followed by heredoc bodies, spans
 * more than one line). Errors name {@link #startLine()}, like BuildKit's "on line N".
 */
public record SourceLocation(String file, int startLine, int endLine) {

  public SourceLocation {
    Objects.requireNonNull(file, "file");
    if (startLine < 1) {
      throw new IllegalArgumentException("line numbers start at 1, got " + startLine);
    }
    if (endLine < startLine) {
      throw new IllegalArgumentException("end line " + endLine + " before start line " + startLine);
    }
  }

  /** A single line. */
  public static SourceLocation line(String file, int line) {
    return new SourceLocation(file, line, line);
  }

  @Override
  public String toString() {
    return file + ":" + startLine;
  }
}
