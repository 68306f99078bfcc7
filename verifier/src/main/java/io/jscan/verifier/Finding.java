package io.jscan.verifier;

import java.util.Objects;
import java.util.Optional;

/**
 * One result of verification: a rule that the image or Dockerfile does not satisfy, or an integrity
 * problem. Findings are data; nothing about them is thrown.
 *
 * @param rule the rule id: {@code integrity}, a built-in rule ({@code base-not-latest}), a custom
 *     CEL rule's id, or a Dockerfile lint id ({@code DL3007}, {@code JS0001})
 * @param policy the policy that enabled the rule; empty for integrity and stand-alone lint
 * @param severity how serious
 * @param mode whether it fails verification ({@link Mode#ENFORCE}) or only reports
 * @param category decides the exit code of a blocking finding
 * @param message one line; never contains secret values
 * @param location where, when the finding is about one place
 * @param suppression the policy exception that waives it, if any
 */
public record Finding(
    String rule,
    Optional<String> policy,
    Severity severity,
    Mode mode,
    Category category,
    String message,
    Optional<Location> location,
    Optional<Suppression> suppression) {

  public Finding {
    if (rule == null || rule.isBlank()) {
      throw new IllegalArgumentException("a finding names its rule");
    }
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(message, "message");
    if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
      // reports print one finding per line; a multi-line message would break that and SARIF text
      message = message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(suppression, "suppression");
  }

  /** An always-enforced integrity failure. */
  public static Finding integrity(String message, Location location) {
    return new Finding(
        "integrity", Optional.empty(), Severity.ERROR, Mode.ENFORCE, Category.INTEGRITY, message, Optional.of(location), Optional.empty());
  }

  /** A suspicious but verifiable integrity observation (reported, never blocking). */
  public static Finding integrityWarning(String message, Location location) {
    return new Finding(
        "integrity", Optional.empty(), Severity.WARNING, Mode.WARN, Category.INTEGRITY, message, Optional.of(location), Optional.empty());
  }

  /**
   * The severity the finding is reported with: grouped, counted and summarised under, and its SARIF
   * level. That is its rule's severity, except that an error that does not fail verification
   * (mode warn: a rule in warn mode, a lint finding no enforced {@code dockerfile-lint} rule
   * claims) is a warning, since a warning is never counted as an error. {@link #severity()} keeps
   * the rule's own (the JSON report shows both).
   */
  public Severity level() {
    return severity == Severity.ERROR && mode == Mode.WARN ? Severity.WARNING : severity;
  }

  /** Whether this finding makes verification fail: enforced and not waived. */
  public boolean blocking() {
    return mode == Mode.ENFORCE && suppression.isEmpty();
  }

  /** The verdict this finding alone would give. */
  public Verdict verdict() {
    if (!blocking()) {
      return Verdict.PASSED;
    }
    return category == Category.INTEGRITY || category == Category.SIGNATURE
        ? Verdict.INTEGRITY_FAILURE
        : Verdict.POLICY_VIOLATION;
  }

  public Finding withPolicy(String policyName) {
    return new Finding(rule, Optional.of(policyName), severity, mode, category, message, location, suppression);
  }

  public Finding withSuppression(Suppression s) {
    return new Finding(rule, policy, severity, mode, category, message, location, Optional.of(s));
  }

  public Finding withMode(Mode newMode) {
    return new Finding(rule, policy, severity, newMode, category, message, location, suppression);
  }
}
