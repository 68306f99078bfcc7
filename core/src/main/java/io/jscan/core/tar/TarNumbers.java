package io.jscan.core.tar;

/**
 * Numbers in tar headers and PAX records, parsed exactly as Go's archive/tar parses them (its
 * parser.parseNumeric and strconv.ParseInt): a field that Go accepts is accepted with the same
 * value, a field Go refuses is refused.
 */
final class TarNumbers {
  /** The first header field that did not parse (Go's parser keeps one error for the whole header). */
  String error;

  /** Base-256 when the first byte's top bit is set (two's complement, GNU), else octal. */
  long numeric(byte[] b, int off, int len, String field) {
    if ((b[off] & 0x80) != 0) {
      int inv = (b[off] & 0x40) != 0 ? 0xff : 0;
      long x = 0;
      for (int i = 0; i < len; i++) {
        int c = (b[off + i] ^ inv) & 0xff;
        if (i == 0) {
          c &= 0x7f;
        }
        if ((x >>> 56) != 0) {
          fail(field);
          return 0;
        }
        x = (x << 8) | c;
      }
      if ((x >>> 63) != 0) {
        fail(field);
        return 0;
      }
      return inv == 0xff ? ~x : x;
    }
    return octal(b, off, len, field);
  }

  /** Octal: spaces and NULs trimmed at both ends, then cut at the first NUL; an empty field is 0. */
  long octal(byte[] b, int off, int len, String field) {
    int start = off;
    int end = off + len;
    while (start < end && (b[start] == ' ' || b[start] == 0)) {
      start++;
    }
    while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) {
      end--;
    }
    if (start == end) {
      return 0;
    }
    for (int i = start; i < end; i++) {
      if (b[i] == 0) {
        end = i;
        break;
      }
    }
    long x = 0;
    for (int i = start; i < end; i++) {
      int c = b[i];
      if (c < '0' || c > '7' || (x >>> 61) != 0) {
        fail(field);
        return 0;
      }
      x = (x << 3) | (c - '0');
    }
    return x;
  }

  private void fail(String field) {
    if (error == null) {
      error = field;
    }
  }

  /** Go's strconv.ParseInt(s, 10, 64): an optional sign and ASCII digits, nothing else, within a long. */
  static long parseDecimal(String s) throws NumberFormatException {
    int i = 0;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    if (i == s.length()) {
      throw new NumberFormatException(s);
    }
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long value = 0; // accumulated negatively, so that Long.MIN_VALUE fits
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new NumberFormatException(s);
      }
      int digit = c - '0';
      if (value < (limit + digit) / 10 || value * 10 < limit + digit) {
        throw new NumberFormatException(s);
      }
      value = value * 10 - digit;
    }
    return negative ? value : -value;
  }
}
