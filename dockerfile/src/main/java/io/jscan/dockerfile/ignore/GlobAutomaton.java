package io.jscan.dockerfile.ignore;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Matches a {@code .dockerignore} pattern's regex in time proportional to the path's length times
 * the pattern's, as Go's RE2 (which patternmatcher uses) does. Java's backtracking regex needs
 * exponential time for patterns such as {@code *a*a*a*a*a*a*a*a*b} against a long name of
 * {@code a}s: a hostile {@code .dockerignore} in a build context would stall {@code build}.
 *
 * <p>A Thompson automaton over the elements patternmatcher's regexes consist of ({@link
 * Re2ToJava#tokens}), simulated with the set of states reached at each position: a yes/no answer
 * needs no match priorities. Each single-character element keeps its Java form (RE2 semantics,
 * from {@link Re2ToJava}) and is asked about one character at a time, which cannot backtrack.
 */
final class GlobAutomaton {
  private static final int CHAR = 0;
  private static final int SPLIT = 1;
  private static final int ASSERT = 2;
  private static final int MATCH = 3;

  private final int[] op;
  private final int[] next;
  private final int[] alt;
  private final CharTest[] tests;
  private final Re2ToJava.TokenKind[] assertions;

  private GlobAutomaton(int size) {
    op = new int[size];
    next = new int[size];
    alt = new int[size];
    tests = new CharTest[size];
    assertions = new Re2ToJava.TokenKind[size];
  }

  /** The automaton of an RE2 expression that compiled; empty when it is not one patternmatcher builds. */
  static Optional<GlobAutomaton> of(String re2) {
    Optional<List<Re2ToJava.Token>> parsed = Re2ToJava.tokens(re2);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    List<Re2ToJava.Token> tokens = parsed.get();
    GlobAutomaton a = new GlobAutomaton(tokens.size() * 4 + 1);
    int k = 0;
    for (int t = 0; t < tokens.size(); t++) {
      Re2ToJava.Token token = tokens.get(t);
      boolean starred = t + 1 < tokens.size() && tokens.get(t + 1).kind() == Re2ToJava.TokenKind.STAR;
      switch (token.kind()) {
        case CHAR, ANY -> {
          CharTest test = token.kind() == Re2ToJava.TokenKind.ANY ? CharTest.ANY_BUT_NEWLINE : new CharTest(token.javaClass());
          if (starred) {
            // k: either one more character (k + 1, back to k) or on (k + 2)
            a.set(k, SPLIT, k + 1, k + 2, null, null);
            a.set(k + 1, CHAR, k, 0, test, null);
            k += 2;
            t++;
          } else {
            a.set(k, CHAR, k + 1, 0, test, null);
            k++;
          }
        }
        case OPTIONAL_DIRECTORIES -> {
          // (.*/)? : skip it (k + 4), or any characters (k + 2, looping through k + 1) then a slash (k + 3)
          a.set(k, SPLIT, k + 1, k + 4, null, null);
          a.set(k + 1, SPLIT, k + 2, k + 3, null, null);
          a.set(k + 2, CHAR, k + 1, 0, CharTest.ANY_BUT_NEWLINE, null);
          a.set(k + 3, CHAR, k + 4, 0, CharTest.SLASH, null);
          k += 4;
        }
        case BEGIN, END, WORD_BOUNDARY, NOT_WORD_BOUNDARY -> {
          a.set(k, ASSERT, k + 1, 0, null, token.kind());
          k++;
        }
        case STAR -> {
          return Optional.empty(); // a star not after a character: not patternmatcher's
        }
        default -> throw new IllegalStateException(token.kind().toString());
      }
    }
    a.set(k, MATCH, 0, 0, null, null);
    return Optional.of(a);
  }

  private void set(int state, int operation, int to, int other, CharTest test, Re2ToJava.TokenKind assertion) {
    op[state] = operation;
    next[state] = to;
    alt[state] = other;
    tests[state] = test;
    assertions[state] = assertion;
  }

  /** Whether the regex matches {@code text} from its start (Java's {@code find()} of a regex that begins with {@code ^}). */
  boolean matches(String text) {
    int[] cps = text.codePoints().toArray();
    int size = op.length;
    int[] current = new int[size];
    int[] following = new int[size];
    int[] seen = new int[size];
    int[] stack = new int[size * 2 + 2];
    int generation = 1;
    int count = closure(0, 0, cps, current, 0, seen, generation, stack);
    if (count < 0) {
      return true;
    }
    for (int pos = 0; pos < cps.length && count > 0; pos++) {
      generation++;
      int c = cps[pos];
      int nextCount = 0;
      for (int i = 0; i < count; i++) {
        int s = current[i];
        if (tests[s].test(c)) {
          nextCount = closure(next[s], pos + 1, cps, following, nextCount, seen, generation, stack);
          if (nextCount < 0) {
            return true;
          }
        }
      }
      int[] swap = current;
      current = following;
      following = swap;
      count = nextCount;
    }
    return false;
  }

  /**
   * Adds the character-reading states reachable from {@code start} at {@code pos} to {@code list}
   * (from index {@code count}); returns the new count, or -1 when the match state is reachable.
   */
  private int closure(int start, int pos, int[] text, int[] list, int count, int[] seen, int generation, int[] stack) {
    int top = 0;
    stack[top++] = start;
    while (top > 0) {
      int s = stack[--top];
      if (seen[s] == generation) {
        continue;
      }
      seen[s] = generation;
      switch (op[s]) {
        case CHAR -> list[count++] = s;
        case SPLIT -> {
          stack[top++] = alt[s];
          stack[top++] = next[s];
        }
        case ASSERT -> {
          if (holds(assertions[s], pos, text)) {
            stack[top++] = next[s];
          }
        }
        case MATCH -> {
          return -1;
        }
        default -> throw new IllegalStateException("state " + op[s]);
      }
    }
    return count;
  }

  private static boolean holds(Re2ToJava.TokenKind assertion, int pos, int[] text) {
    return switch (assertion) {
      case BEGIN -> pos == 0;
      case END -> pos == text.length;
      case WORD_BOUNDARY -> isWord(text, pos - 1) != isWord(text, pos);
      case NOT_WORD_BOUNDARY -> isWord(text, pos - 1) == isWord(text, pos);
      default -> throw new IllegalStateException(assertion.toString());
    };
  }

  /** RE2's \b is about ASCII word characters only. */
  private static boolean isWord(int[] text, int i) {
    if (i < 0 || i >= text.length) {
      return false;
    }
    int c = text[i];
    return c < 0x80 && (Character.isLetterOrDigit(c) || c == '_');
  }

  /** One character against one element: its Java form, answers for ASCII remembered. */
  private static class CharTest {
    static final CharTest ANY_BUT_NEWLINE = new CharTest(null) {
      @Override
      boolean test(int c) {
        return c != '\n';
      }
    };
    static final CharTest SLASH = new CharTest(null) {
      @Override
      boolean test(int c) {
        return c == '/';
      }
    };

    private final Pattern pattern;
    private final byte[] ascii = new byte[128];

    CharTest(String javaClass) {
      this.pattern = javaClass == null ? null : Pattern.compile(javaClass, Pattern.UNIX_LINES);
    }

    boolean test(int c) {
      if (c < 128 && ascii[c] != 0) {
        return ascii[c] > 0;
      }
      boolean yes = pattern.matcher(new String(Character.toChars(c))).matches();
      if (c < 128) {
        ascii[c] = (byte) (yes ? 1 : -1);
      }
      return yes;
    }
  }
}
