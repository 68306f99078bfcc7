package io.jscan.signing.bundle;

import io.jscan.signing.SigningException;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.PemBlock;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Objects;

/** The verified signer of a bundle: a trusted public key, or a Fulcio leaf certificate already checked. */
sealed interface SignerMaterial {
  PublicKey publicKey();

  /** Whether a PEM recorded in a log entry (PUBLIC KEY or CERTIFICATE) names this very signer. */
  boolean isLogged(byte[] pem);

  record Key(PublicKey publicKey) implements SignerMaterial {
    public Key {
      Objects.requireNonNull(publicKey, "publicKey");
    }

    @Override
    public boolean isLogged(byte[] pem) {
      try {
        return Keys.sameKey(Keys.parsePublicKey(pem, "log entry"), publicKey);
      } catch (SigningException e) {
        return false;
      }
    }
  }

  record Certificate(X509Certificate leaf) implements SignerMaterial {
    public Certificate {
      Objects.requireNonNull(leaf, "leaf");
    }

    @Override
    public PublicKey publicKey() {
      return leaf.getPublicKey();
    }

    /** Rekor records keyless signers by their certificate: it must be the bundle's leaf, byte for byte. */
    @Override
    public boolean isLogged(byte[] pem) {
      try {
        PemBlock block = PemBlock.parseOne(pem, "log entry");
        return block.type().equals("CERTIFICATE") && MessageDigest.isEqual(block.bytes(), leaf.getEncoded());
      } catch (SigningException | CertificateEncodingException e) {
        return false;
      }
    }
  }
}
