package io.jscan.core.text;

import java.util.Locale;
import java.util.Objects;

/**
 * Text that came from outside (an image's file names, labels, history, annotations, a registry's
 * error message, a signer's identity, a line of a file that failed to parse) made safe to print
 * on a terminal or into a log: the one home of that rule, used by every text writer of jscan.
 *
 * <p>Escaped: the C0 controls and DEL (ECMA-48: ESC starts the sequences that move the cursor,
 * clear the screen and change colours, so a file named {@code \e[2J\e[32mPASSED} could paint a
 * fake verdict; CR and LF forge lines), the C1 controls U+0080–U+009F (CSI is a one-character
 * ESC [ for some terminals), the bidirectional overrides, embeddings and isolates U+202A–U+202E and
 * U+2066–U+2069 and the invisible direction marks U+200E, U+200F, U+061C (Unicode TR #9: they
 * reorder what is shown, the "Trojan Source" trick), the line and paragraph separators U+2028 and
 * U+2029 (some viewers break lines there), and unpaired surrogates (not text at all). Tab, CR and
 * LF become {@code \t}, {@code \r}, {@code \n}; other controls {@code \x1b}; the others
 * {@code \u202e}.
 *
 * <p>A backslash is left as it is, so escaping twice changes nothing (a message built from escaped
 * parts may be escaped again where it is printed). The result is for people, not meant to be read
 * back; JSON and SARIF output keep the exact strings (JSON escapes controls by itself).
 */
public final class Printable {
  private Printable() {}

  /** {@code text} with every character that could act on a terminal escaped; {@code text} itself when there is none. */
  public static String escape(String text) {
    Objects.requireNonNull(text, "text");
    int first = firstUnsafe(text);
    if (first < 0) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length() + 16).append(text, 0, first);
    appendEscaped(b, text, first, text.length());
    return b.toString();
  }

  /** Whether {@code text} prints as it is. */
  public static boolean isSafe(String text) {
    return firstUnsafe(text) < 0;
  }

  /**
   * A short quoted excerpt for a message: {@code "…"} with at most {@code max} characters of
   * {@code text}, escaped as {@link #escape} does, and a double quote or backslash in it escaped
   * too so that the quotes delimit it; an ellipsis marks what was left out.
   */
  public static String excerpt(String text, int max) {
    Objects.requireNonNull(text, "text");
    if (max < 1) {
      throw new IllegalArgumentException("an excerpt has at least one character: " + max);
    }
    StringBuilder b = new StringBuilder("\"");
    int shown = 0;
    int i = 0;
    while (i < text.length() && shown < max) {
      char c = text.charAt(i);
      int next = i + 1;
      if (Character.isHighSurrogate(c) && next < text.length() && Character.isLowSurrogate(text.charAt(next))) {
        next++;
      }
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else {
        appendEscaped(b, text, i, next);
      }
      shown++;
      i = next;
    }
    if (i < text.length()) {
      b.append('…');
    }
    return b.append('"').toString();
  }

  private static int firstUnsafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (unsafe(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++; // a pair: one character outside the BMP (an emoji), printable
          continue;
        }
        return i;
      }
    }
    return -1;
  }

  private static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f)
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
        || c == '\u200e' || c == '\u200f' || c == '\u061c' || c == '\u2028' || c == '\u2029'
        || Character.isSurrogate(c);
  }

  private static void appendEscaped(StringBuilder b, String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
        b.append(c).append(text.charAt(++i));
        continue;
      }
      if (!unsafe(c)) {
        b.append(c);
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c <= 0xff) {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
  }
}
