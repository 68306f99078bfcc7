package io.jscan.signing.oci;

import io.jscan.signing.bundle.CertificateIdentity;
import io.jscan.signing.bundle.TrustedRoot;
import io.jscan.signing.key.Keys;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whom to trust for image signatures and attestations: public keys, certificate identities
 * (keyless, checked against a trusted root's Fulcio CAs and transparency logs), and whether a
 * transparency log entry is required for key signatures. An immutable value: build one per
 * configuration and share it between threads and requests.
 *
 * @param keys trusted public keys; a signature counts when one of them verifies it
 * @param identities trusted keyless signers; one must match the signing certificate
 * @param trustedRoot the Sigstore trusted root; required when {@code identities} are given
 * @param requireTlog whether key signatures need a verified transparency log entry (keyless
 *     signatures always do: a short-lived certificate proves nothing without one)
 */
public record TrustPolicy(List<TrustedKey> keys, List<CertificateIdentity> identities, Optional<TrustedRoot> trustedRoot, boolean requireTlog) {
  public TrustPolicy {
    keys = List.copyOf(keys);
    identities = List.copyOf(identities);
    Objects.requireNonNull(trustedRoot, "trustedRoot");
    if (!identities.isEmpty() && trustedRoot.isEmpty()) {
      // fail closed: a certificate identity means nothing without the CAs and logs that vouch for it
      throw new IllegalArgumentException("certificate identities need a trusted root (--trusted-root, or Sigstore's through TUF)");
    }
  }

  /** Trusts nobody: signatures are found but none verifies. */
  public static TrustPolicy none() {
    return new TrustPolicy(List.of(), List.of(), Optional.empty(), false);
  }

  public static TrustPolicy ofKeys(List<TrustedKey> keys) {
    return new TrustPolicy(keys, List.of(), Optional.empty(), false);
  }

  /** Whether nothing is trusted (then nothing can verify). */
  public boolean isEmpty() {
    return keys.isEmpty() && identities.isEmpty();
  }

  public TrustPolicy withRequireTlog(boolean required) {
    return new TrustPolicy(keys, identities, trustedRoot, required);
  }

  /** A public key and the name reports give it (its file, or a policy's label). */
  public record TrustedKey(String name, PublicKey key) {
    public TrustedKey {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(key, "key");
    }

    /** {@code name (sha256 hint prefix)}: which key verified, in reports. */
    public String describe() {
      return "key " + name + " (" + Keys.hint(key).substring(0, 12) + "…)";
    }
  }
}
