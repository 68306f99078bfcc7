package io.jscan.verifier;

import java.util.Locale;

/**
 * How serious a finding is. Severity orders and labels findings (text grouping, SARIF level); it
 * does not decide the exit code: {@link Mode} does, as Kyverno's failure action and Kubernetes
 * ValidatingAdmissionPolicy's validation actions do.
 */
public enum Severity {
  ERROR,
  WARNING,
  INFO;

  /** The lower-case name used in policy files and reports. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code error}, {@code warning} or {@code info}; throws naming the bad value. */
  public static Severity parse(String text) {
    for (Severity s : values()) {
      if (s.label().equals(text)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown severity " + io.jscan.core.text.Printable.excerpt(text, io.jscan.core.text.FileExcerpts.MAX) + " (expected error, warning or info)");
  }

  /** Whether this is at least as serious as {@code threshold}. */
  public boolean atLeast(Severity threshold) {
    return ordinal() <= threshold.ordinal();
  }
}
