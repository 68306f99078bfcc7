package io.jscan.signing.key;

import io.jscan.signing.SignatureAlgorithm;
import io.jscan.signing.Signer;
import io.jscan.signing.Signers;
import io.jscan.signing.SigningException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Objects;

/** A private key with its public half, as read from a key file or freshly generated. */
public record SigningKey(PrivateKey privateKey, PublicKey publicKey) {
  public SigningKey {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(publicKey, "publicKey");
  }

  /** A signer with cosign's default scheme for this key. */
  public Signer signer() throws SigningException {
    return Signers.of(privateKey, publicKey);
  }

  public Signer signer(SignatureAlgorithm algorithm) throws SigningException {
    return Signers.of(privateKey, publicKey, algorithm);
  }

  @Override
  public String toString() {
    // never print key material
    return "SigningKey[" + publicKey.getAlgorithm() + "]";
  }
}
