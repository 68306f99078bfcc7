package io.jscan.verifier.policy;

import io.jscan.verifier.PolicySummary;
import java.util.ArrayList;
import java.util.List;

/** The policies one verification applies, in the order given. */
public record PolicySet(List<Policy> policies) {
  public PolicySet {
    policies = List.copyOf(policies);
  }

  public static PolicySet of(Policy... policies) {
    return new PolicySet(List.of(policies));
  }

  public List<PolicySummary> summaries() {
    List<PolicySummary> out = new ArrayList<>();
    for (Policy p : policies) {
      out.add(new PolicySummary(p.name(), p.source(), p.digest()));
    }
    return out;
  }

  /** Every rule of every policy, with its policy. */
  public List<Bound> rules() {
    List<Bound> out = new ArrayList<>();
    for (Policy p : policies) {
      for (PolicyRule r : p.rules()) {
        out.add(new Bound(p, r));
      }
    }
    return out;
  }

  /** Every exception of every policy. */
  public List<RuleWaiver> waivers() {
    List<RuleWaiver> out = new ArrayList<>();
    for (Policy p : policies) {
      out.addAll(p.exceptions());
    }
    return out;
  }

  /** Whether some policy enables the rule {@code id}. */
  public boolean hasRule(String id) {
    return rules().stream().anyMatch(b -> b.rule().id().equals(id));
  }

  /** A rule and the policy it belongs to. */
  public record Bound(Policy policy, PolicyRule rule) {}
}
