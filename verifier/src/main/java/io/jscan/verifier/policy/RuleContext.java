package io.jscan.verifier.policy;

import io.jscan.verifier.Evidence;
import io.jscan.verifier.Finding;
import io.jscan.verifier.ImageFacts;
import io.jscan.verifier.lint.DockerfileFacts;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What policy rules are evaluated on: an image, a Dockerfile, or both.
 *
 * @param integrityFindings the integrity findings of the image (for the {@code integrity} rule)
 * @param lintFindings the Dockerfile's lint findings (for the {@code dockerfile-lint} rule)
 * @param document the policy input document (see {@link PolicyInput})
 * @param now the evaluation time (exception expiry, image age, CEL's {@code now})
 */
public record RuleContext(
    Optional<ImageFacts> image,
    Optional<DockerfileFacts> dockerfile,
    List<Finding> integrityFindings,
    List<Finding> lintFindings,
    Evidence evidence,
    Map<String, Object> document,
    Instant now) {
  public RuleContext {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(dockerfile, "dockerfile");
    integrityFindings = List.copyOf(integrityFindings);
    lintFindings = List.copyOf(lintFindings);
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(now, "now");
  }
}
