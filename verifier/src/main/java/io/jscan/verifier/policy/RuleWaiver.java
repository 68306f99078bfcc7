package io.jscan.verifier.policy;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An entry of a policy's {@code exceptions}: the findings of {@code rule} (of {@code policy}, or of
 * any policy) that match {@code images} and {@code paths} do not count until {@code expires} has
 * passed. A waiver never applies to integrity findings (fail closed).
 *
 * @param images glob patterns ({@code *}, {@code ?}) matched against the image reference, its
 *     normalised name and its digest; empty means every image
 * @param paths glob patterns matched against a finding's file path; empty means every finding
 * @param expires the last day (UTC) the exception applies
 */
public record RuleWaiver(
    String rule, Optional<String> policy, String reason, LocalDate expires, List<String> images, List<String> paths, String declaredIn, int line) {
  public RuleWaiver {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(expires, "expires");
    images = List.copyOf(images);
    paths = List.copyOf(paths);
    Objects.requireNonNull(declaredIn, "declaredIn");
  }
}
