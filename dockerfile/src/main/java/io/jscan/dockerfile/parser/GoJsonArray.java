package io.jscan.dockerfile.parser;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads the JSON (exec) form of RUN, CMD, ENTRYPOINT, SHELL, ADD, COPY, VOLUME and HEALTHCHECK the
 * way BuildKit does with Go's {@code encoding/json}: the whole text must be one valid JSON array
 * (otherwise the instruction falls back to its shell form), and a valid array with a non-string
 * element is an error. Implemented here instead of with Jackson so that what counts as valid JSON
 * (strict grammar, Go's maximum nesting depth, Go's handling of unpaired surrogate escapes) is
 * exactly Go's.
 */
final class GoJsonArray {
  /** Go's encoding/json scanner gives up beyond this depth; the text is then "not JSON". */
  private static final int MAX_NESTING_DEPTH = 10000;

  /** What the text turned out to be. */
  sealed interface Outcome permits NotJson, NotAllStrings, Strings {}

  /** Not a JSON array: the instruction uses its shell form. */
  record NotJson() implements Outcome {}

  /** A JSON array with an element that is not a string: BuildKit rejects the instruction. */
  record NotAllStrings() implements Outcome {}

  /** A JSON array of strings. */
  record Strings(List<String> values) implements Outcome {
    Strings {
      values = List.copyOf(values);
    }
  }

  private static final Object NON_STRING = new Object();

  private enum Expect {
    VALUE_OR_CLOSE,
    VALUE,
    KEY_OR_CLOSE,
    KEY,
    COLON,
    COMMA_OR_CLOSE
  }

  private final String s;
  private int i;

  private GoJsonArray(String s) {
    this.s = s;
  }

  /** Reads {@code text}, which must start with {@code [} (after leading whitespace) to be JSON. */
  static Outcome read(String text) {
    return new GoJsonArray(text).run();
  }

  private Outcome run() {
    skipWhitespace();
    if (i >= s.length() || s.charAt(i) != '[') {
      return new NotJson();
    }
    i++;
    List<Object> elements = new ArrayList<>();
    Deque<Character> open = new ArrayDeque<>();
    open.push('[');
    Expect expect = Expect.VALUE_OR_CLOSE;
    while (!open.isEmpty()) {
      skipWhitespace();
      if (i >= s.length()) {
        return new NotJson();
      }
      char c = s.charAt(i);
      switch (expect) {
        case VALUE_OR_CLOSE, VALUE -> {
          if (expect == Expect.VALUE_OR_CLOSE && c == ']') {
            i++;
            open.pop();
            expect = Expect.COMMA_OR_CLOSE;
          } else if (c == '[' || c == '{') {
            if (open.size() == 1) {
              elements.add(NON_STRING);
            }
            if (open.size() >= MAX_NESTING_DEPTH) {
              return new NotJson();
            }
            i++;
            open.push(c);
            expect = c == '[' ? Expect.VALUE_OR_CLOSE : Expect.KEY_OR_CLOSE;
          } else {
            Object scalar = readScalar();
            if (scalar == null) {
              return new NotJson();
            }
            if (open.size() == 1) {
              elements.add(scalar);
            }
            expect = Expect.COMMA_OR_CLOSE;
          }
        }
        case KEY_OR_CLOSE, KEY -> {
          if (expect == Expect.KEY_OR_CLOSE && c == '}') {
            i++;
            open.pop();
            expect = Expect.COMMA_OR_CLOSE;
          } else if (c == '"' && readString() != null) {
            expect = Expect.COLON;
          } else {
            return new NotJson();
          }
        }
        case COLON -> {
          if (c != ':') {
            return new NotJson();
          }
          i++;
          expect = Expect.VALUE;
        }
        case COMMA_OR_CLOSE -> {
          char container = open.peek();
          if (c == ',') {
            i++;
            expect = container == '[' ? Expect.VALUE : Expect.KEY;
          } else if (c == (container == '[' ? ']' : '}')) {
            i++;
            open.pop();
          } else {
            return new NotJson();
          }
        }
      }
    }
    skipWhitespace();
    if (i != s.length()) {
      return new NotJson(); // trailing data after the array
    }
    List<String> strings = new ArrayList<>();
    for (Object element : elements) {
      if (!(element instanceof String str)) {
        return new NotAllStrings();
      }
      strings.add(str);
    }
    return new Strings(strings);
  }

  private void skipWhitespace() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      i++;
    }
  }

  /** A string value, or {@link #NON_STRING} for a number or literal; null when malformed. */
  private Object readScalar() {
    char c = s.charAt(i);
    if (c == '"') {
      return readString();
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return readNumber() ? NON_STRING : null;
    }
    for (String literal : new String[] {"true", "false", "null"}) {
      if (s.startsWith(literal, i)) {
        i += literal.length();
        return NON_STRING;
      }
    }
    return null;
  }

  private boolean readNumber() {
    if (s.charAt(i) == '-') {
      i++;
    }
    if (i >= s.length()) {
      return false;
    }
    if (s.charAt(i) == '0') {
      i++;
    } else if (isDigit(i)) {
      while (isDigit(i)) {
        i++;
      }
    } else {
      return false;
    }
    if (i < s.length() && s.charAt(i) == '.') {
      i++;
      if (!isDigit(i)) {
        return false;
      }
      while (isDigit(i)) {
        i++;
      }
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      if (!isDigit(i)) {
        return false;
      }
      while (isDigit(i)) {
        i++;
      }
    }
    return true;
  }

  private boolean isDigit(int at) {
    return at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9';
  }

  /** Reads a string starting at the opening quote; null when malformed. */
  private String readString() {
    i++; // opening quote
    StringBuilder out = new StringBuilder();
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        return null; // control characters must be escaped in JSON
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (i >= s.length()) {
        return null;
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          int unit = hex4(i);
          if (unit < 0) {
            return null;
          }
          i += 4;
          if (Character.isSurrogate((char) unit)) {
            // Go pairs a high surrogate with a following \\u low surrogate; anything else is U+FFFD
            int low = s.startsWith("\\u", i) ? hex4(i + 2) : -1;
            if (Character.isHighSurrogate((char) unit) && low >= 0 && Character.isLowSurrogate((char) low)) {
              out.append((char) unit).append((char) low);
              i += 6;
            } else {
              out.append('\uFFFD');
            }
          } else {
            out.append((char) unit);
          }
        }
        default -> {
          return null;
        }
      }
    }
    return null;
  }

  private int hex4(int at) {
    if (at + 4 > s.length()) {
      return -1;
    }
    int value = 0;
    for (int k = at; k < at + 4; k++) {
      int d = Character.digit(s.charAt(k), 16);
      if (d < 0 || s.charAt(k) > 'f') {
        return -1;
      }
      value = value * 16 + d;
    }
    return value;
  }
}
