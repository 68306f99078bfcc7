package io.jscan.signing.oci;

import io.jscan.signing.Signer;
import io.jscan.signing.keyless.KeylessOptions;
import java.util.Objects;

/** How an image signature or attestation is made: with a key, or keyless through Sigstore. */
public sealed interface SigningMethod {

  /** A private key (a cosign key file, a PEM key; later a KMS): works offline. */
  record WithKey(Signer signer) implements SigningMethod {
    public WithKey {
      Objects.requireNonNull(signer, "signer");
    }
  }

  /**
   * An ephemeral key certified by Fulcio for the OIDC identity of {@code identityToken}, logged in
   * Rekor: needs network access to Sigstore. Keyless signatures are always stored as Sigstore
   * bundles (the certificate and log entry travel with the signature).
   */
  record Keyless(KeylessOptions options, String identityToken) implements SigningMethod {
    public Keyless {
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(identityToken, "identityToken");
    }

    @Override
    public String toString() {
      // the token is a bearer credential: never print it
      return "Keyless[" + (options.isPublicGood() ? "public good" : "custom Sigstore") + "]";
    }
  }
}
