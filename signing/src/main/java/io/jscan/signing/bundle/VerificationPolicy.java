package io.jscan.signing.bundle;

import java.security.PublicKey;
import java.util.Objects;

/**
 * What a bundle must prove: signed by this key, or by a certificate for this identity; and whether
 * a transparency log entry is required (it is unless the caller explicitly opts out, cosign's
 * {@code --insecure-ignore-tlog}).
 */
public sealed interface VerificationPolicy {
  boolean requireTlog();

  record Key(PublicKey publicKey, boolean requireTlog) implements VerificationPolicy {
    public Key {
      Objects.requireNonNull(publicKey, "publicKey");
    }
  }

  record Identity(CertificateIdentity identity) implements VerificationPolicy {
    public Identity {
      Objects.requireNonNull(identity, "identity");
    }

    /** Keyless bundles are only trustworthy with a log entry or timestamp proving the time of signing. */
    @Override
    public boolean requireTlog() {
      return true;
    }
  }

  static VerificationPolicy key(PublicKey key) {
    return new Key(key, true);
  }

  static VerificationPolicy identity(CertificateIdentity identity) {
    return new Identity(identity);
  }
}
