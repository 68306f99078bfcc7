package io.jscan.dockerfile.ignore;

/**
 * The syntax check patternmatcher gets from {@code filepath.Match(pattern, ".")} on Unix: the
 * pattern is malformed when a {@code [...]} class is malformed or the pattern ends in a lone
 * backslash. Go validates every chunk of the pattern, whatever the name, so the name is not needed.
 */
final class GlobSyntax {
  private GlobSyntax() {}

  static boolean isValid(String pattern) {
    String rest = pattern;
    while (!rest.isEmpty()) {
      int start = 0;
      while (start < rest.length() && rest.charAt(start) == '*') {
        start++;
      }
      rest = rest.substring(start);
      int end = chunkEnd(rest);
      if (!chunkIsValid(rest.substring(0, end))) {
        return false;
      }
      rest = rest.substring(end);
    }
    return true;
  }

  /** Go's scanChunk: a chunk ends at a star outside brackets; a backslash skips the next byte. */
  private static int chunkEnd(String p) {
    boolean inRange = false;
    int i;
    for (i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '\\') {
        if (i + 1 < p.length()) {
          i++;
        }
      } else if (c == '[') {
        inRange = true;
      } else if (c == ']') {
        inRange = false;
      } else if (c == '*' && !inRange) {
        break;
      }
    }
    return i;
  }

  /** Go's matchChunk, checking well-formedness only. */
  private static boolean chunkIsValid(String chunk) {
    int i = 0;
    while (i < chunk.length()) {
      char c = chunk.charAt(i);
      if (c == '[') {
        i++;
        if (i < chunk.length() && chunk.charAt(i) == '^') {
          i++;
        }
        int ranges = 0;
        while (true) {
          if (i < chunk.length() && chunk.charAt(i) == ']' && ranges > 0) {
            i++;
            break;
          }
          i = classChar(chunk, i);
          if (i < 0) {
            return false;
          }
          if (chunk.charAt(i) == '-') {
            i = classChar(chunk, i + 1);
            if (i < 0) {
              return false;
            }
          }
          ranges++;
        }
      } else if (c == '\\') {
        i++;
        if (i >= chunk.length()) {
          return false;
        }
        i += Character.charCount(chunk.codePointAt(i));
      } else {
        i++;
      }
    }
    return true;
  }

  /** Go's getEsc: the index after one class character, or -1 when malformed (also when nothing follows). */
  private static int classChar(String chunk, int i) {
    if (i >= chunk.length() || chunk.charAt(i) == '-' || chunk.charAt(i) == ']') {
      return -1;
    }
    if (chunk.charAt(i) == '\\') {
      i++;
      if (i >= chunk.length()) {
        return -1;
      }
    }
    i += Character.charCount(chunk.codePointAt(i));
    return i >= chunk.length() ? -1 : i;
  }
}
