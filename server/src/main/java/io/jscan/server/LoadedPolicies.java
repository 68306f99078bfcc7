package io.jscan.server;

import io.jscan.core.oci.Digest;
import io.jscan.signing.oci.TrustPolicy;
import io.jscan.verifier.files.ScanLimits;
import io.jscan.verifier.policy.BuiltinRules;
import io.jscan.verifier.policy.FailureMode;
import io.jscan.verifier.policy.Policy;
import io.jscan.verifier.policy.PolicySet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One generation of loaded policies and server keys, immutable: a reload builds a new one and swaps
 * it in whole, so a request sees either the old policies or the new ones, never a mix.
 *
 * <p>Selection (policies/README.md "Admission"): the policies whose {@code match} selects the
 * namespace and the image apply; when none does, the policies without a {@code match} (the
 * defaults) apply; when there are none, nothing applies and the server's {@code --no-match}
 * decides.
 *
 * @param generation counts loads from 1
 * @param all every policy, in the order given
 * @param serverKeys what {@code jscan serve --key} named, as read for this generation
 * @param limits the scan limits every loaded policy's rules need (facts are inspected once per
 *     image, whatever policies later judge them)
 */
public record LoadedPolicies(
    long generation, PolicySet all, ServerKeys serverKeys, ScanLimits limits, Instant loadedAt, Map<List<PolicyContent>, Selection> selections) {
  public LoadedPolicies {
    if (generation < 1) {
      throw new IllegalArgumentException("generations count from 1");
    }
    Objects.requireNonNull(all, "all");
    Objects.requireNonNull(serverKeys, "serverKeys");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(loadedAt, "loadedAt");
    Objects.requireNonNull(selections, "selections");
  }

  public static LoadedPolicies of(long generation, PolicySet all, ServerKeys serverKeys, ScanLimits baseLimits, Instant loadedAt) {
    ScanLimits limits = baseLimits;
    Optional<Long> threshold = BuiltinRules.largeFileThreshold(all);
    if (threshold.isPresent() && threshold.get() < limits.largeFileThreshold()) {
      limits = limits.withLargeFileThreshold(Math.max(1, threshold.get()));
    }
    return new LoadedPolicies(generation, all, serverKeys, limits, loadedAt, new ConcurrentHashMap<>());
  }

  /** Without {@code --key}. */
  public static LoadedPolicies of(long generation, PolicySet all, ScanLimits baseLimits, Instant loadedAt) {
    return of(generation, all, ServerKeys.none(), baseLimits, loadedAt);
  }

  /**
   * One selected policy as far as its verdicts are concerned: its content and the content of the
   * files it read.
   *
   * @param file the sha256 of the policy file: its rules, parameters, exceptions, inline keys and
   *     identities, failure mode
   * @param reads the files its rules read ({@code keys}, {@code trustedRoot}) with the sha256 of the
   *     bytes parsed: a policy whose key file was replaced is another policy
   */
  public record PolicyContent(Digest file, Map<Path, Digest> reads) {
    public PolicyContent {
      Objects.requireNonNull(file, "file");
      reads = Collections.unmodifiableMap(new LinkedHashMap<>(reads));
    }

    static PolicyContent of(Policy p) {
      return new PolicyContent(p.digest(), p.references());
    }
  }

  /**
   * What the verdicts of a selection depend on besides the image: equal keys, equal verdicts on the
   * same image. Verdicts cached under it stay valid across a reload that did not change it, and
   * only then.
   *
   * @param policies the selected policies' content, in the order they are evaluated (which orders
   *     the findings of a verdict)
   * @param serverKeys the {@code --key} files with their digests, when the selection judges evidence
   *     (its rules without keys of their own trust them, and provenance or an SBOM judged by them can
   *     name the base images or the packages); empty otherwise, so that rotating {@code --key} keeps
   *     the verdicts that never looked at a signature
   */
  public record SelectionKey(List<PolicyContent> policies, Optional<Map<Path, Digest>> serverKeys) {
    public SelectionKey {
      policies = List.copyOf(policies);
      serverKeys = serverKeys.map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m)));
    }
  }

  /**
   * The policies that judge one image, and what to do when it cannot be verified.
   *
   * @param key everything the selection's verdicts depend on besides the image
   * @param needsEvidence whether the verdicts depend on the signatures and attestations stored with
   *     the image: the policies judge them ({@link BuiltinRules#needsEvidence}), or they judge facts
   *     that attestations verified under {@code serverTrust} supply ({@link
   *     BuiltinRules#judgesAttestedFacts}: signed provenance names the base images, a signed SBOM
   *     the packages) and {@code serverTrust} is not empty. Only then are they looked for in the
   *     registry; without a key nothing could verify, so looking would change no verdict
   * @param needsPackages whether the policies judge packages ({@link BuiltinRules#needsPackages}):
   *     only then is the image catalogued
   * @param serverTrust whom the policies' evidence rules without keys of their own trust ({@code
   *     --key}); applied to the evidence found when a verdict is reached
   */
  public record Selection(
      PolicySet policies, FailureMode failureMode, SelectionKey key, boolean needsEvidence, boolean needsPackages, TrustPolicy serverTrust) {
    public Selection {
      Objects.requireNonNull(policies, "policies");
      Objects.requireNonNull(failureMode, "failureMode");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(serverTrust, "serverTrust");
    }

    /** The selection of {@code policies} in a generation whose {@code --key} files are {@code serverKeys}. */
    static Selection of(List<Policy> policies, ServerKeys serverKeys) {
      PolicySet set = new PolicySet(policies);
      // as jscan verify docker://IMAGE --key K: with a key, signed provenance can name the base
      // images the base rules judge (and a signed SBOM the packages), so the same image must not
      // pass here and fail in CI for want of a lookup (issue 15)
      boolean evidence = BuiltinRules.needsEvidence(set) || (BuiltinRules.judgesAttestedFacts(set) && !serverKeys.trust().isEmpty());
      // deny wins: one policy that will not admit unverified images is enough to keep them out
      FailureMode mode = policies.stream().anyMatch(p -> p.failureMode() == FailureMode.DENY) ? FailureMode.DENY : FailureMode.ALLOW;
      SelectionKey key = new SelectionKey(policies.stream().map(PolicyContent::of).toList(),
          evidence ? Optional.of(serverKeys.files()) : Optional.empty());
      return new Selection(set, mode, key, evidence, BuiltinRules.needsPackages(set), serverKeys.trust());
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
    // what the chosen policies need is worked out once per combination in this generation, not per
    // request (the generation's --key files are the same for every combination)
    List<PolicyContent> content = chosen.stream().map(PolicyContent::of).toList();
    return Optional.of(selections.computeIfAbsent(content, k -> Selection.of(chosen, serverKeys)));
  }
}
