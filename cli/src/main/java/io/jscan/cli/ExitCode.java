package io.jscan.cli;

import io.jscan.core.FailureKind;

/** jscan's exit codes (DEVELOPERS.md "Exit codes"); listed in {@code jscan --help}. */
public enum ExitCode {
  OK(0, "ok: the command did what was asked; verify found no enforced violation"),
  UNEXPECTED(1, "unexpected error (I/O failure, bug); rerun with --debug for the stack trace"),
  BAD_INPUT(2, "usage error or bad input (malformed Dockerfile, image reference, file)"),
  POLICY_VIOLATION(3, "enforced policy violations"),
  INTEGRITY_FAILURE(4, "integrity or signature failure (wins over 3)");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  public String meaning() {
    return meaning;
  }

  public static ExitCode of(FailureKind kind) {
    return switch (kind) {
      case BAD_INPUT -> BAD_INPUT;
      case INTEGRITY -> INTEGRITY_FAILURE;
      case UNEXPECTED -> UNEXPECTED;
    };
  }

  /** The more severe of two outcomes: integrity beats policy, which beats ok. */
  public static ExitCode worst(ExitCode a, ExitCode b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(ExitCode c) {
    return switch (c) {
      case OK -> 0;
      case POLICY_VIOLATION -> 1;
      case BAD_INPUT -> 2;
      case UNEXPECTED -> 3;
      case INTEGRITY_FAILURE -> 4;
    };
  }

  /** The table printed at the end of {@code --help}. */
  static String[] helpFooter() {
    ExitCode[] values = values();
    String[] lines = new String[values.length + 1];
    lines[0] = "%nExit codes:";
    for (int i = 0; i < values.length; i++) {
      lines[i + 1] = "  " + values[i].code + "  " + values[i].meaning;
    }
    return lines;
  }
}
