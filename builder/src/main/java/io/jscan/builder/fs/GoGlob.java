package io.jscan.builder.fs;

/**
 * Go's {@code path/filepath.Match} on {@code /}-separated paths: the wildcard rules COPY and ADD
 * sources follow (Dockerfile reference, "Pattern matching"; BuildKit resolves wildcards with
 * {@code filepath.Match} on each path relative to the wildcard's directory).
 *
 * <ul>
 *   <li>{@code *} matches any sequence of characters other than {@code /};
 *   <li>{@code ?} matches one character other than {@code /};
 *   <li>{@code [class]} matches one character of the class ({@code [^...]} negates, {@code a-z} ranges);
 *   <li>{@code \c} matches {@code c} literally.
 * </ul>
 *
 * <p>This is Go's algorithm (match.go), on code points: the pattern is cut into chunks at its
 * stars, and each star takes the first position from which its chunk matches, never returning to
 * an earlier star. So matching costs at most the pattern's length times the name's, whatever the
 * pattern: {@code *a*a*a*a*b} against a long name of {@code a}s is as quick as any other, where
 * backtracking into every star is exponential.
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
   * @throws IllegalArgumentException when the pattern is malformed (Go's {@code ErrBadPattern},
   *     which Go 1.16 and later report whatever the name)
   */
  public static boolean matches(String pattern, String name) {
    int[] p = pattern.codePoints().toArray();
    int[] s = name.codePoints().toArray();
    validate(p);
    int pi = 0;
    int si = 0;
    chunks:
    while (pi < p.length) {
      boolean star = false;
      while (pi < p.length && p[pi] == '*') {
        pi++;
        star = true;
      }
      int chunkEnd = chunkEnd(p, pi);
      boolean last = chunkEnd == p.length;
      if (star && pi == chunkEnd) {
        // a trailing star matches the rest unless the rest crosses a separator
        return indexOf(s, '/', si) < 0;
      }
      // the chunk at the current position; as the last chunk it must also end the name
      int t = matchChunk(p, pi, chunkEnd, s, si);
      if (t >= 0 && (t == s.length || !last)) {
        si = t;
        pi = chunkEnd;
        continue;
      }
      if (star) {
        // the star takes one more character at a time, never a separator, until the chunk matches
        for (int i = si; i < s.length && s[i] != '/'; i++) {
          t = matchChunk(p, pi, chunkEnd, s, i + 1);
          if (t >= 0) {
            if (last && t < s.length) {
              continue;
            }
            si = t;
            pi = chunkEnd;
            continue chunks;
          }
        }
      }
      return false;
    }
    return si == s.length;
  }

  /** Go's scanChunk: the chunk at {@code from} ends at a star outside brackets; a backslash skips the next character. */
  private static int chunkEnd(int[] p, int from) {
    boolean inRange = false;
    int i;
    for (i = from; i < p.length; i++) {
      int c = p[i];
      if (c == '\\') {
        if (i + 1 < p.length) {
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

  /**
   * Go's matchChunk: matches {@code p[from, to)} (no star outside a class) at {@code s[si]}; the
   * index in {@code s} after it, or -1. The pattern is well-formed ({@link #validate}).
   */
  private static int matchChunk(int[] p, int from, int to, int[] s, int si) {
    int i = from;
    while (i < to) {
      if (si >= s.length) {
        return -1;
      }
      int c = p[i];
      if (c == '[') {
        int r = s[si++];
        i++;
        boolean negated = i < to && p[i] == '^';
        if (negated) {
          i++;
        }
        boolean matched = false;
        int ranges = 0;
        while (!(p[i] == ']' && ranges > 0)) {
          if (p[i] == '\\') {
            i++;
          }
          int lo = p[i++];
          int hi = lo;
          if (p[i] == '-') {
            i++;
            if (p[i] == '\\') {
              i++;
            }
            hi = p[i++];
          }
          if (lo <= r && r <= hi) {
            matched = true;
          }
          ranges++;
        }
        i++; // the ]
        if (matched == negated) {
          return -1;
        }
      } else if (c == '?') {
        if (s[si] == '/') {
          return -1;
        }
        si++;
        i++;
      } else {
        if (c == '\\') {
          i++;
          c = p[i];
        }
        if (c != s[si]) {
          return -1;
        }
        si++;
        i++;
      }
    }
    return si;
  }

  /**
   * Go's check that a pattern is well-formed (matchChunk against nothing, chunk by chunk): a
   * backslash at the end, an empty class, a class that does not close, a range end that is
   * missing, {@code -} or {@code ]} where a class character is expected.
   */
  private static void validate(int[] p) {
    int i = 0;
    while (i < p.length) {
      int c = p[i];
      if (c == '*') {
        i++;
      } else if (c == '[') {
        i++;
        if (i < p.length && p[i] == '^') {
          i++;
        }
        int ranges = 0;
        while (true) {
          if (i < p.length && p[i] == ']' && ranges > 0) {
            i++;
            break;
          }
          i = classChar(p, i);
          if (p[i] == '-') {
            i = classChar(p, i + 1);
          }
          ranges++;
        }
      } else if (c == '\\') {
        if (i + 1 >= p.length) {
          throw badPattern();
        }
        i += 2;
      } else {
        i++;
      }
    }
  }

  /** Go's getEsc: the index after one class character; something must follow it. */
  private static int classChar(int[] p, int i) {
    if (i >= p.length || p[i] == '-' || p[i] == ']') {
      throw badPattern();
    }
    if (p[i] == '\\') {
      i++;
      if (i >= p.length) {
        throw badPattern();
      }
    }
    i++;
    if (i >= p.length) {
      throw badPattern();
    }
    return i;
  }

  private static int indexOf(int[] s, int c, int from) {
    for (int i = from; i < s.length; i++) {
      if (s[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static IllegalArgumentException badPattern() {
    return new IllegalArgumentException("syntax error in pattern");
  }
}
