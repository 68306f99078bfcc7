package io.jscan.signing;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;

/** Verifiers over public keys. */
public final class Verifiers {
  private Verifiers() {}

  /** A verifier using cosign's default scheme for the key. */
  public static Verifier of(PublicKey key) throws SigningException {
    return of(key, SignatureAlgorithm.defaultFor(key));
  }

  public static Verifier of(PublicKey key, SignatureAlgorithm algorithm) throws SigningException {
    Objects.requireNonNull(key, "key");
    if (!algorithm.accepts(key)) {
      throw SigningException.badInput(
          "creating a verifier", algorithm + " cannot be used with a " + key.getAlgorithm() + " key");
    }
    return new KeyVerifier(key, algorithm);
  }

  private record KeyVerifier(PublicKey publicKey, SignatureAlgorithm algorithm) implements Verifier {
    @Override
    public void verify(byte[] message, byte[] signature) throws SigningException {
      boolean ok;
      try {
        Signature s = Signers.newSignature(algorithm);
        s.initVerify(publicKey);
        s.update(message);
        ok = s.verify(signature);
      } catch (java.security.SignatureException e) {
        // a signature that is not even well-formed DER cannot verify: same outcome as a wrong one
        throw SigningException.integrity("verifying signature", "malformed " + algorithm + " signature: " + e.getMessage(), e);
      } catch (GeneralSecurityException e) {
        throw SigningException.badInput("verifying signature", String.valueOf(e.getMessage()), e);
      }
      if (!ok) {
        throw SigningException.integrity("verifying signature", "the " + algorithm + " signature does not match the key and content");
      }
    }

    @Override
    public void verifyDigest(byte[] digest, byte[] signature) throws SigningException {
      String jca;
      byte[] input;
      switch (algorithm) {
        case ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512 -> {
          // ECDSA signs the hash value itself, so a raw ("NONE") verification over it is equivalent
          jca = "NONEwithECDSA";
          input = digest;
        }
        case RSA_PKCS1V15_SHA256 -> {
          // PKCS#1 v1.5 signs DigestInfo{hash OID, hash} (RFC 8017 9.2): rebuild it around the digest
          jca = "NONEwithRSA";
          try {
            input = new DigestInfo(new AlgorithmIdentifier(algorithm.hashOid(), DERNull.INSTANCE), digest).getEncoded();
          } catch (IOException e) {
            throw new IllegalStateException("cannot DER-encode a DigestInfo", e);
          }
        }
        default ->
            // Ed25519 hashes the message with its own construction and our PSS path needs the message;
            // refusing is safer than guessing a pre-hash variant the signer did not use.
            throw SigningException.badInput(
                "verifying signature", algorithm + " signatures can only be verified against the content, not its digest");
      }
      int expectedLength = expectedDigestLength();
      if (digest.length != expectedLength) {
        throw SigningException.badInput(
            "verifying signature", "a " + algorithm + " digest has " + expectedLength + " bytes, got " + digest.length);
      }
      boolean ok;
      try {
        Signature s = Signature.getInstance(jca, Crypto.provider());
        s.initVerify(publicKey);
        s.update(input);
        ok = s.verify(signature);
      } catch (java.security.SignatureException e) {
        throw SigningException.integrity("verifying signature", "malformed " + algorithm + " signature: " + e.getMessage(), e);
      } catch (GeneralSecurityException e) {
        throw SigningException.badInput("verifying signature", String.valueOf(e.getMessage()), e);
      }
      if (!ok) {
        throw SigningException.integrity("verifying signature", "the " + algorithm + " signature does not match the key and digest");
      }
    }

    private int expectedDigestLength() {
      return switch (algorithm) {
        case ECDSA_SHA384 -> 48;
        case ECDSA_SHA512 -> 64;
        default -> 32;
      };
    }
  }
}
