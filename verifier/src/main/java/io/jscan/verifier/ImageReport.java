package io.jscan.verifier;

import io.jscan.core.oci.Platform;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The result for one single-platform image: what was checked (the tree the text report prints),
 * its findings, and the document its policies were evaluated on.
 *
 * @param manifest the manifest check
 * @param config the config check; empty when the manifest could not be read
 * @param platform from the config, when it could be read
 * @param layers each layer, in manifest order
 * @param findings integrity, file and policy findings about this image
 * @param policyInput the policy input document (see policies/README.md), as plain JSON values
 * @param rules how each policy rule came out for this image
 * @param evidence the signatures and attestations judged for this image, and unsigned statements
 *     found with it (without the raw material)
 */
public record ImageReport(
    PartCheck manifest,
    Optional<PartCheck> config,
    Optional<Platform> platform,
    List<LayerReport> layers,
    List<Finding> findings,
    Map<String, Object> policyInput,
    List<RuleResult> rules,
    Evidence evidence) {
  public ImageReport {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(platform, "platform");
    layers = List.copyOf(layers);
    findings = List.copyOf(findings);
    policyInput = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(policyInput));
    rules = List.copyOf(rules);
    evidence = evidence.judged();
  }

  /** A report with no signatures or attestations looked at. */
  public ImageReport(
      PartCheck manifest, Optional<PartCheck> config, Optional<Platform> platform, List<LayerReport> layers, List<Finding> findings,
      Map<String, Object> policyInput, List<RuleResult> rules) {
    this(manifest, config, platform, layers, findings, policyInput, rules, Evidence.none());
  }

  public Verdict verdict() {
    Verdict v = Verdict.PASSED;
    for (Finding f : findings) {
      v = v.worst(f.verdict());
    }
    return v;
  }

  public long compressedSize() {
    return layers.stream().mapToLong(LayerReport::size).sum();
  }
}
