package io.jscan.signing;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Objects;

/** Signers over in-memory keys. */
public final class Signers {
  private Signers() {}

  /** A signer using cosign's default scheme for the key ({@link SignatureAlgorithm#defaultFor}). */
  public static Signer of(PrivateKey privateKey, PublicKey publicKey) throws SigningException {
    return of(privateKey, publicKey, SignatureAlgorithm.defaultFor(publicKey));
  }

  public static Signer of(PrivateKey privateKey, PublicKey publicKey, SignatureAlgorithm algorithm)
      throws SigningException {
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(publicKey, "publicKey");
    if (!algorithm.accepts(publicKey)) {
      throw SigningException.badInput(
          "creating a signer", algorithm + " cannot be used with a " + publicKey.getAlgorithm() + " key");
    }
    return new KeySigner(privateKey, publicKey, algorithm);
  }

  static Signature newSignature(SignatureAlgorithm algorithm) throws GeneralSecurityException {
    Signature s = Signature.getInstance(algorithm.jcaName(), Crypto.provider());
    if (algorithm == SignatureAlgorithm.RSA_PSS_SHA256) {
      s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    }
    return s;
  }

  private record KeySigner(PrivateKey privateKey, PublicKey publicKey, SignatureAlgorithm algorithm)
      implements Signer {
    @Override
    public byte[] sign(byte[] message) throws SigningException {
      try {
        Signature s = newSignature(algorithm);
        s.initSign(privateKey, Crypto.random());
        s.update(message);
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw SigningException.badInput("signing with " + algorithm, String.valueOf(e.getMessage()), e);
      }
    }

    @Override
    public String toString() {
      return "Signer[" + algorithm + "]";
    }
  }
}
