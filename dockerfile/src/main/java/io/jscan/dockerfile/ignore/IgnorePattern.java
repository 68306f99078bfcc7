package io.jscan.dockerfile.ignore;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One compiled {@code .dockerignore} pattern with moby/patternmatcher's semantics: {@code *} and
 * {@code ?} stay within a path element, {@code **} crosses any number of them, {@code \} escapes,
 * {@code [...]} is a character class; patterns without wildcards compare as plain strings.
 */
final class IgnorePattern {
  private enum Kind {
    EXACT,
    PREFIX,
    SUFFIX,
    REGEX
  }

  private final String cleaned;
  private final boolean exclusion;
  private final int line;
  private final List<String> elements;
  private Kind kind;
  private Pattern regex;
  /** The regex as an automaton (linear time); empty only for a regex patternmatcher would not build. */
  private Optional<GlobAutomaton> automaton = Optional.empty();
  private Optional<String> compileError = Optional.empty();

  IgnorePattern(String cleaned, boolean exclusion, int line) {
    this.cleaned = cleaned;
    this.exclusion = exclusion;
    this.line = line;
    this.elements = List.of(cleaned.split("/", -1));
    compile();
  }

  String text() {
    return cleaned;
  }

  /** The path this pattern names when it has no wildcard (it then matches exactly that path). */
  Optional<String> literalPath() {
    return kind == Kind.EXACT && compileError.isEmpty() ? Optional.of(cleaned) : Optional.empty();
  }

  boolean exclusion() {
    return exclusion;
  }

  int line() {
    return line;
  }

  List<String> elements() {
    return elements;
  }

  /** Why the pattern cannot be matched (patternmatcher fails every match with ErrBadPattern). */
  Optional<String> compileError() {
    return compileError;
  }

  /** Whether the pattern matches exactly this path; throws when the pattern cannot be compiled. */
  boolean matches(String path) throws BadPattern {
    if (compileError.isPresent()) {
      throw new BadPattern();
    }
    return switch (kind) {
      case EXACT -> path.equals(cleaned);
      case PREFIX -> path.startsWith(cleaned.substring(0, cleaned.length() - 2));
      case SUFFIX -> {
        String suffix = cleaned.substring(2);
        // "**/foo" also matches "foo" itself
        yield path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
      }
      case REGEX -> automaton.isPresent() ? automaton.get().matches(path) : regex.matcher(path).find();
    };
  }

  /** The answer of the Java regex the automaton stands in for (tests compare the two). */
  boolean matchesByRegex(String path) throws BadPattern {
    if (compileError.isPresent()) {
      throw new BadPattern();
    }
    return kind == Kind.REGEX ? regex.matcher(path).find() : matches(path);
  }

  /** Whether the automaton (not the Java regex) answers for this pattern. */
  boolean usesAutomaton() {
    return automaton.isPresent();
  }

  /** patternmatcher's ErrBadPattern. */
  static final class BadPattern extends Exception {
    private static final long serialVersionUID = 1L;

    BadPattern() {
      super("syntax error in pattern", null, false, false);
    }
  }

  /** patternmatcher's Pattern.compile: classifies the pattern and builds its RE2 regex. */
  private void compile() {
    StringBuilder re = new StringBuilder("^");
    Kind detected = Kind.EXACT;
    int[] cps = cleaned.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) {
      int ch = cps[i];
      if (ch == '*') {
        if (i + 1 < cps.length && cps[i + 1] == '*') {
          boolean atStart = i == 0;
          i++;
          if (i + 1 < cps.length && cps[i + 1] == '/') {
            i++; // "**/" is treated as "**"
          }
          if (i + 1 >= cps.length) {
            // "**" at the end matches everything below, like .gitignore
            if (detected == Kind.EXACT) {
              detected = Kind.PREFIX;
            } else {
              re.append(".*");
              detected = Kind.REGEX;
            }
          } else {
            re.append("(.*/)?");
            detected = Kind.REGEX;
          }
          if (atStart) {
            detected = Kind.SUFFIX;
          }
        } else {
          re.append("[^/]*");
          detected = Kind.REGEX;
        }
      } else if (ch == '?') {
        re.append("[^/]");
        detected = Kind.REGEX;
      } else if (".+()|{}$".indexOf(ch) >= 0) {
        re.append('\\').appendCodePoint(ch);
      } else if (ch == '\\') {
        if (i + 1 < cps.length) {
          re.append('\\').appendCodePoint(cps[++i]);
          detected = Kind.REGEX;
        } else {
          re.append('\\');
        }
      } else if (ch == '[' || ch == ']') {
        re.appendCodePoint(ch);
        detected = Kind.REGEX;
      } else {
        re.appendCodePoint(ch);
      }
    }
    kind = detected;
    if (detected == Kind.REGEX) {
      re.append('$');
      try {
        regex = Re2ToJava.compile(re.toString());
        automaton = GlobAutomaton.of(re.toString());
      } catch (PatternSyntaxException e) {
        compileError = Optional.of(e.getDescription());
      }
    }
  }

  /**
   * Whether this pattern could match some path strictly below {@code dirElements} (or one of the
   * directories between), judged element by element; {@code true} when unsure. Used to prune the
   * walk of an excluded directory that no exclusion pattern can reach into.
   */
  boolean couldMatchBelow(List<String> dirElements) {
    if (compileError.isPresent()) {
      return true;
    }
    for (int k = 0; k < elements.size(); k++) {
      String element = elements.get(k);
      if (element.contains("**")) {
        return true; // crosses directories: cannot be judged per element
      }
      if (k >= dirElements.size()) {
        return true; // the pattern reaches below the directory and matched so far
      }
      if (!elementMatches(element, dirElements.get(k))) {
        return false;
      }
    }
    return false; // the pattern has no more elements than the directory: it cannot reach below
  }

  private static boolean elementMatches(String elementPattern, String name) {
    IgnorePattern single = new IgnorePattern(elementPattern, false, 0);
    try {
      return single.matches(name);
    } catch (BadPattern e) {
      return true;
    }
  }
}
