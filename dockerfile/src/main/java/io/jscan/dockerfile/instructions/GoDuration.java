package io.jscan.dockerfile.instructions;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/** Go's {@code time.ParseDuration}, which HEALTHCHECK's duration flags go through in BuildKit. */
final class GoDuration {
  private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
      "ns", 1L,
      "us", 1_000L,
      "\u00b5s", 1_000L,
      "\u03bcs", 1_000L,
      "ms", 1_000_000L,
      "s", 1_000_000_000L,
      "m", 60_000_000_000L,
      "h", 3_600_000_000_000L);

  private GoDuration() {}

  /** Parses {@code 1h2m3.5s}-style text; throws with Go's message when malformed. */
  static Duration parse(String text) {
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) && s.charAt(i) < 0x80)) {
        i++;
      }
      boolean hadInteger = i > start;
      int fractionStart = i;
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          i++;
        }
      }
      boolean hadFraction = i > fractionStart + 1;
      if (!hadInteger && !hadFraction) {
        throw invalid(text);
      }
      BigDecimal number = new BigDecimal(s.substring(start, i).equals(".") ? "0" : s.substring(start, i));
      int unitStart = i;
      while (i < s.length() && s.charAt(i) != '.' && !(s.charAt(i) >= '0' && s.charAt(i) <= '9')) {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        throw new IllegalArgumentException("time: missing unit in duration \"" + text + "\"");
      }
      Long nanos = NANOS_PER_UNIT.get(unit);
      if (nanos == null) {
        throw new IllegalArgumentException("time: unknown unit \"" + unit + "\" in duration \"" + text + "\"");
      }
      total = total.add(number.multiply(BigDecimal.valueOf(nanos)));
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw invalid(text);
    }
    long nanos = total.longValue(); // Go truncates fractional nanoseconds
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("time: invalid duration \"" + text + "\"");
  }
}
