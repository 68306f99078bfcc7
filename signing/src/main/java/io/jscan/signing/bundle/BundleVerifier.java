package io.jscan.signing.bundle;

import io.jscan.signing.SigningException;

/**
 * Offline verification of a Sigstore bundle against a trusted root: the entry point the image
 * verifier and {@code jscan verify-bundle} use.
 *
 * <p>Key-signed bundles are verified by jscan ({@link ManagedKeyBundleVerifier}); certificate
 * (keyless) bundles by Sigstore Java ({@link KeylessBundleVerifier}). The policy decides which is
 * expected; a bundle of the other kind is refused rather than verified some other way.
 */
public final class BundleVerifier {
  private BundleVerifier() {}

  public static VerifiedBundle verify(SigstoreBundle bundle, Artifact artifact, VerificationPolicy policy, TrustedRoot root)
      throws SigningException {
    boolean keyBundle = bundle.material().isPublicKey();
    if (policy instanceof VerificationPolicy.Key key) {
      if (!keyBundle) {
        // a certificate's key is only meaningful with its identity checked; refuse to treat it as a bare key
        throw SigningException.integrity("verifying bundle", "the bundle is signed with a certificate, but a public key was given (use --certificate-identity and --certificate-oidc-issuer)");
      }
      return ManagedKeyBundleVerifier.verify(bundle, artifact, key, root);
    }
    VerificationPolicy.Identity identity = (VerificationPolicy.Identity) policy;
    if (keyBundle) {
      throw SigningException.integrity("verifying bundle", "the bundle is signed with a key, but no key was given (use --key)");
    }
    return KeylessBundleVerifier.verify(bundle, artifact, identity.identity(), root);
  }
}
