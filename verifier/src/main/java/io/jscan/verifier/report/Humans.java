package io.jscan.verifier.report;

import java.util.Locale;

/** Number formatting for people. */
final class Humans {
  private Humans() {}

  /** Docker's size style: SI units, three significant digits ({@code 12.3MB}). */
  static String size(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    String number;
    if (value >= 100 || unit == 0) {
      number = String.format(Locale.ROOT, "%.0f", value);
    } else if (value >= 10) {
      number = String.format(Locale.ROOT, "%.1f", value);
    } else {
      number = String.format(Locale.ROOT, "%.2f", value);
    }
    if (number.contains(".")) {
      number = number.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return number + units[unit];
  }

  static String clip(String s, int max) {
    String one = s.replace('\n', ' ').replace('\t', ' ').trim();
    return one.length() <= max ? one : one.substring(0, max - 1) + "…";
  }

  static String plural(long n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
