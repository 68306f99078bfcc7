package io.jscan.verifier;

import io.jscan.core.oci.Digest;
import io.jscan.core.transport.ImageCopy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one verification found: per image (one, or one per platform of an index) and for the
 * subject as a whole (the index, the Dockerfile). Immutable; the text, JSON and SARIF writers in
 * {@code io.jscan.verifier.report} render it, and a server can read it as data.
 *
 * @param subject what was verified, as the user named it (an image reference or a Dockerfile path)
 * @param subjectDigest the digest of the top manifest or index, when an image was read
 * @param subjectMediaType its media type
 * @param images one report per verified image
 * @param findings findings about the subject as a whole (index problems, Dockerfile lint)
 * @param dockerfile the Dockerfile that was linted, as named by the user
 * @param policies the policies applied, in order
 * @param rules how each policy rule came out for the Dockerfile alone (for an image, see
 *     {@link ImageReport#rules()})
 * @param evaluatedAt when the policies were evaluated (expiry dates and image age depend on it)
 * @param elapsed how long verification took
 * @param copy which copy of the image was verified (the local store's or the registry's, a layout,
 *     an archive) and how it compares with the registry's; empty for a Dockerfile, or when the
 *     caller did not say
 */
public record VerificationReport(
    String subject,
    Optional<Digest> subjectDigest,
    Optional<String> subjectMediaType,
    List<ImageReport> images,
    List<Finding> findings,
    Optional<String> dockerfile,
    List<PolicySummary> policies,
    List<RuleResult> rules,
    Instant evaluatedAt,
    Duration elapsed,
    Optional<ImageCopy> copy) {

  public VerificationReport {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(subjectDigest, "subjectDigest");
    Objects.requireNonNull(subjectMediaType, "subjectMediaType");
    images = List.copyOf(images);
    findings = List.copyOf(findings);
    Objects.requireNonNull(dockerfile, "dockerfile");
    policies = List.copyOf(policies);
    rules = List.copyOf(rules);
    Objects.requireNonNull(evaluatedAt, "evaluatedAt");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(copy, "copy");
  }

  /** The overall verdict: the worst of every finding's. */
  public Verdict verdict() {
    Verdict v = Verdict.PASSED;
    for (Finding f : allFindings()) {
      v = v.worst(f.verdict());
    }
    return v;
  }

  /** Subject findings first, then each image's. */
  public List<Finding> allFindings() {
    List<Finding> all = new ArrayList<>(findings);
    for (ImageReport image : images) {
      all.addAll(image.findings());
    }
    return all;
  }

  /**
   * Findings that count (not waived by an exception) reported at {@code level} ({@link
   * Finding#level()}): what every report's headings and summary line say.
   */
  public long count(Severity level) {
    return allFindings().stream().filter(f -> f.suppression().isEmpty() && f.level() == level).count();
  }

  public VerificationReport withElapsed(Duration newElapsed) {
    return new VerificationReport(
        subject, subjectDigest, subjectMediaType, images, findings, dockerfile, policies, rules, evaluatedAt, newElapsed, copy);
  }

  /**
   * This report naming the copy that was verified, with the finding its comparison with the
   * registry gives, if any ({@link CopyFinding}: a store copy whose registry tag names another
   * image, or that could not be compared, never passes silently).
   */
  public VerificationReport withCopy(ImageCopy verified) {
    List<Finding> all = new ArrayList<>(findings);
    CopyFinding.of(verified).ifPresent(all::add);
    return new VerificationReport(
        subject, subjectDigest, subjectMediaType, images, all, dockerfile, policies, rules, evaluatedAt, elapsed, Optional.of(verified));
  }
}
