package io.jscan.core.io;

import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;

/**
 * A file jscan was asked to read could not be read whole: missing, not a regular file (a FIFO, a
 * device such as {@code /dev/zero}, a directory), over its {@link InputLimit}, or unreadable. The
 * message reads {@code FILE: reading WHAT: problem}, so the command line prints one line naming
 * the file; everything but an I/O failure is bad input (exit 2).
 *
 * <p>Subsystems whose methods declare their own exception wrap it keeping {@link #kind()},
 * {@link #what()} and {@link #detail()}, so the message stays the same.
 */
public final class InputFileException extends JscanException {
  private static final long serialVersionUID = 1L;

  /** What was wrong with the file. */
  public enum Problem {
    MISSING,
    /** The path leads nowhere: a loop of symbolic links, a component that is not a directory. */
    UNREACHABLE,
    NOT_REGULAR,
    TOO_LARGE,
    /** Permission denied: the user named a file they cannot read. */
    NOT_PERMITTED,
    /** Any other I/O failure: not the input's fault (exit 1). */
    IO_ERROR
  }

  private final Problem problem;

  InputFileException(Problem problem, String file, String detail, Throwable cause) {
    super(problem == Problem.IO_ERROR ? FailureKind.UNEXPECTED : FailureKind.BAD_INPUT, file, detail, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
