package io.jscan.server;

import io.jscan.core.oci.Digest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** How one image came out for one request. */
public sealed interface ImageOutcome {

  /**
   * Verified and judged by the selected policies.
   *
   * @param digest the manifest (or index) digest that was verified: what {@code /mutate} pins
   * @param violations enforced findings that were not waived: the image is denied when there is one
   * @param warnings findings of rules in warn mode (not waived)
   */
  record Judged(Digest digest, List<Issue> violations, List<Issue> warnings) implements ImageOutcome {
    public Judged {
      Objects.requireNonNull(digest, "digest");
      violations = List.copyOf(violations);
      warnings = List.copyOf(warnings);
    }

    public boolean passed() {
      return violations.isEmpty();
    }
  }

  /**
   * Could not be verified: the registry was unreachable or kept failing, or the deadline passed.
   * The policies' failure mode decides.
   *
   * @param timedOut whether the deadline passed (rather than an error being known)
   */
  record Unverifiable(String reason, boolean timedOut) implements ImageOutcome {
    public Unverifiable {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Refused whatever the failure mode says: the reference is not an image reference, the
   * registry's content does not match its digest, or it names something that is not an image.
   */
  record Rejected(String reason) implements ImageOutcome {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A finding in the words of an admission answer.
   *
   * @param rule the rule id ({@code non-root-user}, {@code integrity}, a CEL rule's id)
   * @param policy the policy that enabled it (empty for integrity)
   * @param message what is wrong, prefixed with the platform for one image of an index
   */
  record Issue(String rule, Optional<String> policy, String message) {
    public Issue {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(message, "message");
    }

    /** {@code non-root-user (policy default): the image runs as root}. */
    @Override
    public String toString() {
      return rule + policy.map(p -> " (policy " + p + ")").orElse("") + ": " + message;
    }
  }
}
