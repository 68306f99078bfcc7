package io.jscan.verifier.policy;

import io.jscan.core.oci.Digest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One policy file: rules and exceptions.
 *
 * @param name the policy's {@code name}
 * @param source where it was read from (a path, or {@code builtin:NAME} for a shipped policy)
 * @param digest sha256 of the file's bytes
 */
public record Policy(
    String name, Optional<String> description, String source, Digest digest, List<PolicyRule> rules, List<RuleWaiver> exceptions) {
  public Policy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(digest, "digest");
    rules = List.copyOf(rules);
    exceptions = List.copyOf(exceptions);
  }
}
