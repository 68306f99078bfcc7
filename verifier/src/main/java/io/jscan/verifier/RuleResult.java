package io.jscan.verifier;

import java.util.Locale;
import java.util.Objects;

/**
 * How one rule of one policy came out for one subject: passed, failed (an enforced rule was
 * violated), warned (a rule in warn mode was violated: reported, verification still passes),
 * waived (every violation covered by an exception), or skipped (with the reason: a rule that needs
 * an image, given only a Dockerfile).
 */
public record RuleResult(String policy, String rule, Status status, String detail) {
  public RuleResult {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }

  public enum Status {
    PASSED,
    FAILED,
    WARNED,
    WAIVED,
    SKIPPED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
