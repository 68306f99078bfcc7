package io.jscan.dockerfile.internal;

/**
 * Text predicates with the exact meaning Go's standard library gives them. BuildKit's parser and
 * shell lexer are written against {@code unicode.IsSpace}, {@code strings.TrimSpace} and friends;
 * Java's {@link Character#isWhitespace} differs (it rejects U+00A0 and accepts U+001C..U+001F), so
 * using it would split and trim Dockerfile lines differently from BuildKit.
 *
 * <p>Internal to the dockerfile module: not API.
 */
public final class GoText {
  private GoText() {}

  /** Go's {@code unicode.IsSpace}: Latin-1 space characters plus the Unicode White_Space property. */
  public static boolean isSpace(int codePoint) {
    if (codePoint <= 0xFF) {
      return switch (codePoint) {
        case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0 -> true;
        default -> false;
      };
    }
    // Zs, Zl and Zp above Latin-1 are exactly the White_Space characters Go lists there
    return Character.isSpaceChar(codePoint);
  }

  /** Go's {@code strings.TrimSpace}. */
  public static String trimSpace(String s) {
    return trimRightSpace(trimLeftSpace(s));
  }

  /** Go's {@code strings.TrimLeftFunc(s, unicode.IsSpace)}. */
  public static String trimLeftSpace(String s) {
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (!isSpace(cp)) {
        break;
      }
      i += Character.charCount(cp);
    }
    return s.substring(i);
  }

  /** Go's {@code strings.TrimRightFunc(s, unicode.IsSpace)}. */
  public static String trimRightSpace(String s) {
    int end = s.length();
    while (end > 0) {
      int cp = s.codePointBefore(end);
      if (!isSpace(cp)) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return s.substring(0, end);
  }

  /** Go's {@code unicode.IsLetter}. */
  public static boolean isLetter(int codePoint) {
    return Character.isLetter(codePoint);
  }

  /** Go's {@code unicode.IsDigit} (decimal digits of any script). */
  public static boolean isDigit(int codePoint) {
    return Character.getType(codePoint) == Character.DECIMAL_DIGIT_NUMBER;
  }

  /**
   * Go's {@code strconv.Quote}: double quotes, {@code \"} and {@code \\} escaped, printable runes
   * kept, control characters as {@code \n}-style or backslash-x escapes, other non-printable runes
   * as backslash-u or backslash-U escapes. BuildKit's AST dump quotes every value this way.
   */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2);
    out.append('"');
    escape(s, true, out);
    return out.append('"').toString();
  }

  /**
   * {@code s} with its non-printable runes escaped as {@link #quote} escapes them, quotes and
   * backslashes kept: for input text inside an error message, which is printed as one line
   * (a variable's {@code ${A:?message}} or a bad modifier may hold a line break).
   */
  public static String escapeNonPrintable(String s) {
    StringBuilder out = new StringBuilder(s.length());
    escape(s, false, out);
    return out.toString();
  }

  private static void escape(String s, boolean quoting, StringBuilder out) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (quoting && (cp == '"' || cp == '\\')) {
        out.append('\\').appendCodePoint(cp);
      } else if (isPrint(cp)) {
        out.appendCodePoint(cp);
      } else {
        switch (cp) {
          case 0x07 -> out.append("\\a");
          case '\b' -> out.append("\\b");
          case '\f' -> out.append("\\f");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          case 0x0B -> out.append("\\v");
          default -> {
            if (cp < ' ' || cp == 0x7F) {
              out.append(String.format("\\x%02x", cp));
            } else if (Character.isSurrogate((char) cp)) {
              // a lone surrogate cannot come from UTF-8 input; Go prints invalid runes as U+FFFD
              out.append("\\ufffd");
            } else if (cp < 0x10000) {
              out.append(String.format("\\u%04x", cp));
            } else {
              out.append(String.format("\\U%08x", cp));
            }
          }
        }
      }
    }
  }

  /** Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and ASCII space. */
  public static boolean isPrint(int cp) {
    if (cp < 0x80) {
      return cp >= 0x20 && cp < 0x7F;
    }
    return switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER,
          Character.LOWERCASE_LETTER,
          Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER,
          Character.OTHER_LETTER,
          Character.NON_SPACING_MARK,
          Character.ENCLOSING_MARK,
          Character.COMBINING_SPACING_MARK,
          Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER,
          Character.OTHER_NUMBER,
          Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION,
          Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION,
          Character.MATH_SYMBOL,
          Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL,
          Character.OTHER_SYMBOL -> true;
      default -> false;
    };
  }
}
