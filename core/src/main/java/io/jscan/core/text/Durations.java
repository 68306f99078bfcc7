package io.jscan.core.text;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on command lines and in environment variables: a whole number
 * and a unit, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} (the units of Go's
 * {@code time.ParseDuration} that docker, cosign and trivy flags take, without fractions or
 * combinations). The one place that reads and writes them, so every flag agrees.
 */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private Durations() {}

  /**
   * The duration {@code text} writes.
   *
   * @throws IllegalArgumentException naming the expected form when it is not one
   */
  public static Duration parse(String text) {
    Matcher m = text == null ? null : DURATION.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 5m or 1h, got \"" + text + "\"");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** As {@link #parse}, and {@code 0} alone (no unit) for zero. */
  public static Duration parseOrZero(String text) {
    return text != null && text.trim().equals("0") ? Duration.ZERO : parse(text);
  }

  /** {@code d} as {@link #parse} reads it back, in the largest unit that keeps it whole: {@code 2m}, {@code 30s}, {@code 1500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
