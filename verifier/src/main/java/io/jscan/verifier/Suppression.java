package io.jscan.verifier;

import java.time.LocalDate;
import java.util.Objects;

/**
 * Why a finding does not count: a policy exception (the {@code exceptions} list of a policy file)
 * that names its rule, with the reason and the last day it applies.
 *
 * @param policy the policy file's name that grants it
 * @param reason why, as written in the policy
 * @param expires the last day the exception applies (inclusive, UTC)
 */
public record Suppression(String policy, String reason, LocalDate expires) {
  public Suppression {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(expires, "expires");
  }
}
