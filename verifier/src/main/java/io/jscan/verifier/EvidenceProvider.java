package io.jscan.verifier;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;

/**
 * Finds and verifies signatures and attestations for an image: {@link
 * io.jscan.verifier.signatures.SignatureEvidence} (cosign tags, Sigstore bundle referrers) and
 * {@link io.jscan.verifier.attest.AttachedStatements} (unsigned referrer statements). The verifier
 * calls it once per verified image and puts the result in the policy input.
 */
@FunctionalInterface
public interface EvidenceProvider {
  /**
   * @param subject what the user named (an index or an image)
   * @param image the single-platform image being verified
   * @param reference the user's reference, as written
   */
  Evidence collect(Artifact subject, Image image, String reference) throws VerifierException;

  /** This provider's evidence and {@code other}'s, together (each looks in its own place). */
  default EvidenceProvider and(EvidenceProvider other) {
    return (subject, image, reference) -> collect(subject, image, reference).and(other.collect(subject, image, reference));
  }

  /** No signatures or attestations are looked for. */
  static EvidenceProvider none() {
    return (subject, image, reference) -> Evidence.none();
  }
}
