package io.jscan.server;

import io.jscan.verifier.files.ScanLimits;
import io.jscan.verifier.policy.BuiltinRules;
import io.jscan.verifier.policy.FailureMode;
import io.jscan.verifier.policy.Policy;
import io.jscan.verifier.policy.PolicySet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One generation of loaded policies, immutable: a reload builds a new one and swaps it in whole,
 * so a request sees either the old policies or the new ones, never a mix.
 *
 * <p>Selection (policies/README.md "Admission"): the policies whose {@code match} selects the
 * namespace and the image apply; when none does, the policies without a {@code match} (the
 * defaults) apply; when there are none, nothing applies and the server's {@code --no-match}
 * decides.
 *
 * @param generation counts loads from 1
 * @param all every policy, in the order given
 * @param limits the scan limits every loaded policy's rules need (facts are inspected once per
 *     image, whatever policies later judge them)
 */
public record LoadedPolicies(long generation, PolicySet all, ScanLimits limits, Instant loadedAt, Map<String, Selection> selections) {
  public LoadedPolicies {
    if (generation < 1) {
      throw new IllegalArgumentException("generations count from 1");
    }
    Objects.requireNonNull(all, "all");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(loadedAt, "loadedAt");
    Objects.requireNonNull(selections, "selections");
  }

  public static LoadedPolicies of(long generation, PolicySet all, ScanLimits baseLimits, Instant loadedAt) {
    ScanLimits limits = baseLimits;
    Optional<Long> threshold = BuiltinRules.largeFileThreshold(all);
    if (threshold.isPresent() && threshold.get() < limits.largeFileThreshold()) {
      limits = limits.withLargeFileThreshold(Math.max(1, threshold.get()));
    }
    return new LoadedPolicies(generation, all, limits, loadedAt, new ConcurrentHashMap<>());
  }

  /**
   * The policies that judge one image, and what to do when it cannot be verified.
   *
   * @param key identifies the selected policies by content (their files' digests, and those of
   *     the keys and trusted roots they read), so verdicts cached for it stay valid across a reload
   *     that did not change them
   * @param needsEvidence whether the policies judge signatures or attestations ({@link
   *     BuiltinRules#needsEvidence}): only then are they looked for in the registry
   * @param needsPackages whether the policies judge packages ({@link BuiltinRules#needsPackages}):
   *     only then is the image catalogued
   */
  public record Selection(PolicySet policies, FailureMode failureMode, String key, boolean needsEvidence, boolean needsPackages) {
    public Selection {
      Objects.requireNonNull(policies, "policies");
      Objects.requireNonNull(failureMode, "failureMode");
      Objects.requireNonNull(key, "key");
    }

    Selection(PolicySet policies, FailureMode failureMode, String key) {
      this(policies, failureMode, key, BuiltinRules.needsEvidence(policies), BuiltinRules.needsPackages(policies));
    }

    /** Names of the policies, for messages. */
    public String names() {
      return String.join(", ", policies.policies().stream().map(Policy::name).toList());
    }

    /** The policies whose failure mode is the one applied (for messages). */
    public String failureModeSource() {
      return String.join(", ", policies.policies().stream().filter(p -> p.failureMode() == failureMode).map(Policy::name).toList());
    }
  }

  /** The policies for an image known by {@code imageNames} in {@code namespace}; empty when none applies. */
  public Optional<Selection> select(String namespace, Collection<String> imageNames) {
    List<Policy> chosen = new ArrayList<>();
    for (Policy p : all.policies()) {
      if (p.match().isPresent() && p.match().get().matches(namespace, imageNames)) {
        chosen.add(p);
      }
    }
    if (chosen.isEmpty()) {
      for (Policy p : all.policies()) {
        if (p.match().isEmpty()) {
          chosen.add(p);
        }
      }
    }
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder key = new StringBuilder();
    for (Policy p : chosen) {
      key.append(p.digest());
      // a policy whose key file was replaced is another policy: its cached verdicts do not carry over
      p.references().values().forEach(d -> key.append('+').append(d));
      key.append(';');
    }
    // what the chosen policies need is worked out once per combination, not per request
    return Optional.of(selections.computeIfAbsent(key.toString(), k -> {
      // deny wins: one policy that will not admit unverified images is enough to keep them out
      FailureMode mode = chosen.stream().anyMatch(p -> p.failureMode() == FailureMode.DENY) ? FailureMode.DENY : FailureMode.ALLOW;
      return new Selection(new PolicySet(chosen), mode, k);
    }));
  }
}
