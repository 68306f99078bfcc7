package io.jscan.verifier.lint;

/**
 * Whether a shell script has a pipeline ({@code a | b}, {@code a |& b}), outside quotes and
 * comments; {@code ||} is not a pipe. A small scanner rather than a shell parser: it knows quotes,
 * backslash escapes and comments, which is what decides whether a {@code |} is an operator.
 */
final class ShellPipes {
  private ShellPipes() {}

  static boolean hasPipe(String script) {
    boolean single = false;
    boolean dbl = false;
    boolean wordStart = true;
    int n = script.length();
    for (int i = 0; i < n; i++) {
      char c = script.charAt(i);
      if (single) {
        if (c == '\'') {
          single = false;
        }
        continue;
      }
      if (c == '\\') {
        i++; // the next character is literal (or a line continuation)
        wordStart = false;
        continue;
      }
      if (dbl) {
        if (c == '"') {
          dbl = false;
        }
        continue;
      }
      switch (c) {
        case '\'' -> {
          single = true;
          wordStart = false;
        }
        case '"' -> {
          dbl = true;
          wordStart = false;
        }
        case '#' -> {
          if (wordStart) {
            while (i < n && script.charAt(i) != '\n') {
              i++;
            }
            wordStart = true;
          } else {
            wordStart = false;
          }
        }
        case '|' -> {
          if (i + 1 < n && script.charAt(i + 1) == '|') {
            i++;
          } else {
            return true;
          }
          wordStart = true;
        }
        case ' ', '\t', '\n', ';', '&', '(', ')' -> wordStart = true;
        default -> wordStart = false;
      }
    }
    return false;
  }
}
