package io.jscan.verifier.policy;

import io.jscan.core.oci.Digest;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One policy file: rules and exceptions, and for admission ({@code jscan serve}) what it applies to
 * and what to do when an image cannot be verified.
 *
 * @param name the policy's {@code name}
 * @param source where it was read from (a path, or {@code builtin:NAME} for a shipped policy)
 * @param digest sha256 of the file's bytes
 * @param match the namespaces and images the policy applies to in admission; empty for a default
 *     policy (applied to what no match section selects)
 * @param failureMode what admission does when an image cannot be verified (registry errors, a
 *     passed deadline); {@link FailureMode#DENY} unless the file says otherwise
 * @param references the files the policy read besides itself (its rules' {@code keys} and {@code
 *     trustedRoot}), by absolute path, each with the sha256 of the bytes that were parsed: a
 *     server that reloads changed policies must notice a replaced key file too
 */
public record Policy(
    String name,
    Optional<String> description,
    String source,
    Digest digest,
    List<PolicyRule> rules,
    List<RuleWaiver> exceptions,
    Optional<PolicyMatch> match,
    FailureMode failureMode,
    Map<Path, Digest> references) {
  public Policy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(digest, "digest");
    rules = List.copyOf(rules);
    exceptions = List.copyOf(exceptions);
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(failureMode, "failureMode");
    references = Collections.unmodifiableMap(new LinkedHashMap<>(references));
  }

  /** A policy for every image, denying what cannot be verified. */
  public Policy(String name, Optional<String> description, String source, Digest digest, List<PolicyRule> rules, List<RuleWaiver> exceptions) {
    this(name, description, source, digest, rules, exceptions, Optional.empty(), FailureMode.DENY, Map.of());
  }
}
