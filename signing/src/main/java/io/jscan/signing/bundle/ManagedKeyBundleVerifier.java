package io.jscan.signing.bundle;

import io.jscan.signing.SigningException;
import io.jscan.signing.key.Keys;

/**
 * Bundles signed with a managed key ({@code verificationMaterial.publicKey}), which Sigstore Java
 * does not verify: jscan checks them itself with Bouncy Castle ({@link EvidenceVerifier}). The
 * bundle's key hint is an unauthenticated label and is not relied on: the given key must verify.
 */
final class ManagedKeyBundleVerifier {
  private ManagedKeyBundleVerifier() {}

  static VerifiedBundle verify(SigstoreBundle bundle, Artifact artifact, VerificationPolicy.Key policy, TrustedRoot root)
      throws SigningException {
    EvidenceVerifier.Evidence ev =
        EvidenceVerifier.verify(bundle, artifact, new SignerMaterial.Key(policy.publicKey()), root, policy.requireTlog());
    return new VerifiedBundle("key " + Keys.hint(policy.publicKey()), ev.times().stream().findFirst(), ev.logIndex(), ev.statement());
  }

}
