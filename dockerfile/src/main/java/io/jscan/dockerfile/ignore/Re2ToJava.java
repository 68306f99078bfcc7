package io.jscan.dockerfile.ignore;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Translates the RE2 (Go {@code regexp}) expressions patternmatcher builds from a {@code
 * .dockerignore} pattern into Java regexes with the same meaning. The two syntaxes differ where
 * user text reaches the regex: inside {@code [...]} RE2 takes {@code [}, {@code &} and {@code ^}
 * (not first) literally and knows POSIX classes such as {@code [:alpha:]}; {@code \s}, {@code $}
 * and {@code .} also differ slightly. Everything patternmatcher can emit is handled; an escape RE2
 * rejects is rejected.
 */
final class Re2ToJava {
  private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
      Map.entry("alnum", "0-9A-Za-z"),
      Map.entry("alpha", "A-Za-z"),
      Map.entry("ascii", "\\x00-\\x7F"),
      Map.entry("blank", "\\t "),
      Map.entry("cntrl", "\\x00-\\x1F\\x7F"),
      Map.entry("digit", "0-9"),
      Map.entry("graph", "!-~"),
      Map.entry("lower", "a-z"),
      Map.entry("print", " -~"),
      Map.entry("punct", "!-/:-@\\[-`{-~"),
      Map.entry("space", "\\t\\n\\x0B\\f\\r "),
      Map.entry("upper", "A-Z"),
      Map.entry("word", "0-9A-Za-z_"),
      Map.entry("xdigit", "0-9A-Fa-f"));

  private final String re;
  private int i;
  private final StringBuilder out = new StringBuilder();

  private Re2ToJava(String re) {
    this.re = re;
  }

  /** Compiles an RE2 expression as Java; throws {@link PatternSyntaxException} where RE2 fails. */
  static Pattern compile(String re2) {
    Re2ToJava t = new Re2ToJava(re2);
    t.translate();
    // UNIX_LINES: as in RE2, '.' excludes only '\n'
    return Pattern.compile(t.out.toString(), Pattern.UNIX_LINES);
  }

  /** What {@link GlobAutomaton} is made of: the elements patternmatcher's regexes consist of. */
  enum TokenKind {
    /** One character of {@link Token#javaClass()} (a Java regex matching exactly one code point). */
    CHAR,
    /** {@code .}: any character but {@code \n}. */
    ANY,
    /** The previous CHAR or ANY, any number of times ({@code *}). */
    STAR,
    /** patternmatcher's optional group of directories ({@code .*} then {@code /}, or nothing). */
    OPTIONAL_DIRECTORIES,
    /** {@code ^}, {@code \A}: the start of the text. */
    BEGIN,
    /** {@code $}, {@code \z}: the end of the text. */
    END,
    /** {@code \b}: between an ASCII word character and something else. */
    WORD_BOUNDARY,
    /** {@code \B}. */
    NOT_WORD_BOUNDARY
  }

  record Token(TokenKind kind, String javaClass) {}

  /**
   * The tokens of an RE2 expression patternmatcher built, or empty when it holds anything else
   * (alternation, groups other than {@code (.*\/)?}, other repetitions): then only the Java regex
   * can match it. Call only for an expression that {@link #compile} accepted.
   */
  static java.util.Optional<java.util.List<Token>> tokens(String re2) {
    Re2ToJava t = new Re2ToJava(re2);
    java.util.List<Token> out = new java.util.ArrayList<>();
    try {
      while (t.i < re2.length()) {
        char c = re2.charAt(t.i);
        switch (c) {
          case '\\' -> {
            t.i++;
            String java = t.escapeOutsideClass();
            out.add(switch (java) {
              case "\\b" -> new Token(TokenKind.WORD_BOUNDARY, null);
              case "\\B" -> new Token(TokenKind.NOT_WORD_BOUNDARY, null);
              case "\\A" -> new Token(TokenKind.BEGIN, null);
              case "\\z" -> new Token(TokenKind.END, null);
              default -> new Token(TokenKind.CHAR, java);
            });
          }
          case '[' -> {
            t.i++;
            int mark = t.out.length();
            t.translateClass();
            out.add(new Token(TokenKind.CHAR, t.out.substring(mark)));
          }
          case '^' -> {
            t.i++;
            out.add(new Token(TokenKind.BEGIN, null));
          }
          case '$' -> {
            t.i++;
            out.add(new Token(TokenKind.END, null));
          }
          case '.' -> {
            t.i++;
            out.add(new Token(TokenKind.ANY, null));
          }
          case '*' -> {
            t.i++;
            if (out.isEmpty() || (out.get(out.size() - 1).kind() != TokenKind.CHAR && out.get(out.size() - 1).kind() != TokenKind.ANY)) {
              return java.util.Optional.empty();
            }
            out.add(new Token(TokenKind.STAR, null));
          }
          case '(' -> {
            if (!re2.startsWith("(.*/)?", t.i)) {
              return java.util.Optional.empty();
            }
            t.i += "(.*/)?".length();
            out.add(new Token(TokenKind.OPTIONAL_DIRECTORIES, null));
          }
          case ']' -> {
            t.i++;
            out.add(new Token(TokenKind.CHAR, "\\]"));
          }
          case '?', '+', '|', '{', '}', ')' -> {
            return java.util.Optional.empty();
          }
          default -> {
            int cp = re2.codePointAt(t.i);
            t.i += Character.charCount(cp);
            out.add(new Token(TokenKind.CHAR, "\\x{" + Integer.toHexString(cp) + "}"));
          }
        }
      }
    } catch (PatternSyntaxException e) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(out);
  }

  private PatternSyntaxException error(String what) {
    return new PatternSyntaxException(what, re, i);
  }

  private void translate() {
    while (i < re.length()) {
      char c = re.charAt(i);
      switch (c) {
        case '\\' -> {
          i++;
          if (i >= re.length()) {
            throw error("trailing backslash at end of expression");
          }
          out.append(escapeOutsideClass());
        }
        case '[' -> {
          i++;
          translateClass();
        }
        case '$' -> {
          i++;
          out.append("\\z"); // RE2's $ without (?m) is the end of text only; Java's also allows a final \n
        }
        case ']' -> {
          i++;
          out.append("\\]");
        }
        default -> {
          out.appendCodePoint(re.codePointAt(i));
          i += Character.charCount(re.codePointAt(i));
        }
      }
    }
  }

  /** The Java form of the escape at {@link #i} (after the backslash); advances past it. */
  private String escapeOutsideClass() {
    String perl = perlClass(false);
    if (perl != null) {
      return perl;
    }
    switch (re.charAt(i)) {
      case 'b', 'B', 'A', 'z' -> {
        return "\\" + re.charAt(i++);
      }
      default -> {
        return "\\x{" + Integer.toHexString(escapedCodePoint()) + "}";
      }
    }
  }

  /** \d \D \s \S \w \W as an explicit Java class (RE2's are ASCII, \s without \v), or null. */
  private String perlClass(boolean inClass) {
    String body;
    boolean negated;
    switch (re.charAt(i)) {
      case 'd' -> { body = "0-9"; negated = false; }
      case 'D' -> { body = "0-9"; negated = true; }
      case 's' -> { body = "\\t\\n\\f\\r "; negated = false; }
      case 'S' -> { body = "\\t\\n\\f\\r "; negated = true; }
      case 'w' -> { body = "0-9A-Za-z_"; negated = false; }
      case 'W' -> { body = "0-9A-Za-z_"; negated = true; }
      default -> {
        return null;
      }
    }
    i++;
    return (negated ? "[^" : "[") + body + "]";
  }

  /** The character an escape stands for (RE2's rules); advances past it. */
  private int escapedCodePoint() {
    int c = re.codePointAt(i);
    i += Character.charCount(c);
    if (c < 0x80 && !Character.isLetterOrDigit(c)) {
      return c; // escaped punctuation is itself
    }
    switch (c) {
      case 'a' -> {
        return 0x07;
      }
      case 'f' -> {
        return '\f';
      }
      case 't' -> {
        return '\t';
      }
      case 'n' -> {
        return '\n';
      }
      case 'r' -> {
        return '\r';
      }
      case 'v' -> {
        return 0x0B;
      }
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        // octal: \0 alone or with up to two more digits; \1..\7 need a second digit (no backreferences)
        if (c != '0' && (i >= re.length() || re.charAt(i) < '0' || re.charAt(i) > '7')) {
          throw error("invalid escape sequence");
        }
        int value = c - '0';
        for (int k = 0; k < 2 && i < re.length() && re.charAt(i) >= '0' && re.charAt(i) <= '7'; k++) {
          value = value * 8 + (re.charAt(i++) - '0');
        }
        return value;
      }
      case 'x' -> {
        if (i < re.length() && re.charAt(i) == '{') {
          int close = re.indexOf('}', i);
          if (close < 0) {
            throw error("invalid escape sequence");
          }
          String hex = re.substring(i + 1, close);
          i = close + 1;
          return parseHex(hex);
        }
        if (i + 2 > re.length()) {
          throw error("invalid escape sequence");
        }
        String hex = re.substring(i, i + 2);
        i += 2;
        return parseHex(hex);
      }
      default -> throw error("invalid escape sequence");
    }
  }

  private int parseHex(String hex) {
    if (hex.isEmpty() || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 && ch < 0x80)) {
      throw error("invalid escape sequence");
    }
    int value = Integer.parseInt(hex, 16);
    if (value > Character.MAX_CODE_POINT) {
      throw error("invalid escape sequence");
    }
    return value;
  }

  /** A bracket expression, {@link #i} just after its {@code [}. */
  private void translateClass() {
    out.append('[');
    if (i < re.length() && re.charAt(i) == '^') {
      out.append('^');
      i++;
    }
    boolean first = true;
    while (true) {
      if (i >= re.length()) {
        throw error("missing closing ]");
      }
      if (re.charAt(i) == ']' && !first) {
        i++;
        out.append(']');
        return;
      }
      first = false;
      if (re.startsWith("[:", i)) {
        int close = re.indexOf(":]", i + 2);
        if (close >= 0) {
          String name = re.substring(i + 2, close);
          boolean negated = name.startsWith("^");
          String body = POSIX_CLASSES.get(negated ? name.substring(1) : name);
          if (body == null) {
            throw error("invalid character class range");
          }
          out.append(negated ? "[^" + body + "]" : body); // a nested class is a union in Java
          i = close + 2;
          continue;
        }
      }
      if (re.charAt(i) == '\\' && i + 1 < re.length()) {
        i++;
        String perl = perlClass(true);
        if (perl != null) {
          out.append(perl);
          continue;
        }
        i--;
      }
      int lo = classChar();
      int hi = lo;
      // [a-] means a or -
      if (i + 1 < re.length() && re.charAt(i) == '-' && re.charAt(i + 1) != ']') {
        i++;
        hi = classChar();
        if (hi < lo) {
          throw error("invalid character class range");
        }
      }
      appendClassMember(lo);
      if (hi != lo) {
        out.append('-');
        appendClassMember(hi);
      }
    }
  }

  private int classChar() {
    if (i >= re.length()) {
      throw error("missing closing ]");
    }
    if (re.charAt(i) == '\\') {
      i++;
      if (i >= re.length()) {
        throw error("trailing backslash at end of expression");
      }
      return escapedCodePoint();
    }
    int c = re.codePointAt(i);
    i += Character.charCount(c);
    return c;
  }

  private void appendClassMember(int c) {
    if (c < 0x80 && !Character.isLetterOrDigit(c)) {
      out.append("\\x{").append(Integer.toHexString(c)).append('}');
    } else {
      out.appendCodePoint(c);
    }
  }
}
