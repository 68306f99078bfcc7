package io.jscan.verifier;

import java.util.Locale;

/**
 * What a violated rule does: {@link #ENFORCE} fails verification (exit code 3, or 4 for integrity
 * and signature failures); {@link #WARN} only reports.
 */
public enum Mode {
  ENFORCE,
  WARN;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Mode parse(String text) {
    for (Mode m : values()) {
      if (m.label().equals(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown mode " + io.jscan.core.text.Printable.excerpt(text, io.jscan.core.text.FileExcerpts.MAX) + " (expected enforce or warn)");
  }
}
