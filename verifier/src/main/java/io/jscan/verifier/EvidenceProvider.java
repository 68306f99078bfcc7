package io.jscan.verifier;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;

/**
 * Finds and verifies signatures and attestations for an image. The signing issue implements this
 * (cosign signature tags, Sigstore bundles, OCI referrers); the verifier calls it once per verified
 * image and puts the result under {@code signatures} and {@code attestations} in the policy input.
 */
@FunctionalInterface
public interface EvidenceProvider {
  /**
   * @param subject what the user named (an index or an image)
   * @param image the single-platform image being verified
   * @param reference the user's reference, as written
   */
  Evidence collect(Artifact subject, Image image, String reference) throws VerifierException;

  /** No signatures or attestations are looked for. */
  static EvidenceProvider none() {
    return (subject, image, reference) -> Evidence.none();
  }
}
