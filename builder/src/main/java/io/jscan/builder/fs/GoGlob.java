package io.jscan.builder.fs;

/**
 * Go's {@code path/filepath.Match} on {@code /}-separated paths: the wildcard rules COPY and ADD
 * sources follow (Dockerfile reference, "Pattern matching").
 *
 * <ul>
 *   <li>{@code *} matches any sequence of characters other than {@code /};
 *   <li>{@code ?} matches one character other than {@code /};
 *   <li>{@code [class]} matches one character of the class ({@code [^...]} negates, {@code a-z} ranges);
 *   <li>{@code \c} matches {@code c} literally.
 * </ul>
 */
public final class GoGlob {
  private GoGlob() {}

  /** Whether a path component holds a wildcard (Go's {@code containsWildcards}). */
  public static boolean containsWildcards(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' || c == '?' || c == '[') {
        return true;
      }
      if (c == '\\') {
        i++;
      }
    }
    return false;
  }

  /**
   * Whether {@code name} matches {@code pattern} as a whole.
   *
   * @throws IllegalArgumentException when the pattern is malformed (Go's {@code ErrBadPattern})
   */
  public static boolean matches(String pattern, String name) {
    validate(pattern);
    return match(pattern, 0, name, 0);
  }

  private static boolean match(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        // collapse consecutive stars; a star never crosses a separator
        while (pi < p.length() && p.charAt(pi) == '*') {
          pi++;
        }
        if (pi == p.length()) {
          return s.indexOf('/', si) < 0;
        }
        for (int k = si; k <= s.length(); k++) {
          if (match(p, pi, s, k)) {
            return true;
          }
          if (k < s.length() && s.charAt(k) == '/') {
            return false;
          }
        }
        return false;
      }
      if (si >= s.length()) {
        return false;
      }
      char sc = s.charAt(si);
      if (c == '?') {
        if (sc == '/') {
          return false;
        }
        pi++;
        si++;
        continue;
      }
      if (c == '[') {
        int end = classEnd(p, pi);
        if (sc == '/' || !classMatches(p, pi + 1, end, sc)) {
          return false;
        }
        pi = end + 1;
        si++;
        continue;
      }
      if (c == '\\') {
        pi++;
        c = p.charAt(pi);
      }
      if (c != sc) {
        return false;
      }
      pi++;
      si++;
    }
    return si == s.length();
  }

  /** Index of the {@code ]} closing the class that opens at {@code open} (Go: a class is never empty). */
  private static int classEnd(String p, int open) {
    int i = open + 1;
    if (i < p.length() && p.charAt(i) == '^') {
      i++;
    }
    int start = i;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == ']') {
        if (i == start) {
          break; // "[]" and "[^]": Go's ErrBadPattern
        }
        return i;
      }
      if (c == '\\') {
        i++;
      }
      i++;
    }
    throw new IllegalArgumentException("syntax error in pattern");
  }

  private static boolean classMatches(String p, int from, int end, char c) {
    int i = from;
    boolean negated = false;
    if (i < end && p.charAt(i) == '^') {
      negated = true;
      i++;
    }
    boolean matched = false;
    while (i < end) {
      char lo = p.charAt(i);
      if (lo == '\\') {
        i++;
        lo = p.charAt(i);
      }
      i++;
      char hi = lo;
      if (i < end && p.charAt(i) == '-') {
        i++;
        hi = p.charAt(i);
        if (hi == '\\') {
          i++;
          hi = p.charAt(i);
        }
        i++;
      }
      if (lo <= c && c <= hi) {
        matched = true;
      }
    }
    return matched != negated;
  }

  private static void validate(String p) {
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '\\') {
        if (i + 1 >= p.length()) {
          throw new IllegalArgumentException("syntax error in pattern");
        }
        i++;
      } else if (c == '[') {
        i = classEnd(p, i);
      }
    }
  }
}
