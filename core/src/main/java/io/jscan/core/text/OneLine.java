package io.jscan.core.text;

/**
 * Text from an input (a JSON value, a tar header, a YAML scalar) made fit for an error message,
 * which jscan prints as one line ({@code jscan: what failed: detail}) and the webhook logs as one
 * record: line breaks and other control characters (C0, DEL, C1), Unicode line and paragraph
 * separators and format characters (the bidi overrides U+202A to U+202E and U+2066 to U+2069)
 * become visible escapes ({@code \n}, {@code \x1b}, {@code \u202e}), so that the message neither
 * spans lines nor carries a terminal escape sequence from the input.
 */
public final class OneLine {
  private OneLine() {}

  /** {@code text} with every character listed above escaped; quotes and backslashes are kept. */
  public static String escape(String text) {
    return excerpt(text, Integer.MAX_VALUE);
  }

  /**
   * The first {@code maxChars} characters of {@code text}, escaped, followed by {@code ...} when
   * {@code text} is longer: for input that may be long (a header value of a megabyte).
   */
  public static String excerpt(String text, int maxChars) {
    if (maxChars < 0) {
      throw new IllegalArgumentException("maxChars must not be negative");
    }
    int shown = Math.min(text.length(), maxChars);
    if (shown > 0 && Character.isHighSurrogate(text.charAt(shown - 1)) && shown < text.length()) {
      shown--; // never cut a surrogate pair in two
    }
    StringBuilder out = null;
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      String escaped = escapeOf(c);
      if (escaped != null && out == null) {
        out = new StringBuilder(shown + 16).append(text, 0, i);
      }
      if (out != null) {
        if (escaped != null) {
          out.append(escaped);
        } else {
          out.append(c);
        }
      }
    }
    String result = out == null ? text.substring(0, shown) : out.toString();
    return shown < text.length() ? result + "..." : result;
  }

  private static String escapeOf(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      return String.format("\\x%02x", (int) c);
    }
    int type = Character.getType(c);
    if ((c >= 0x80 && c < 0xa0) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
