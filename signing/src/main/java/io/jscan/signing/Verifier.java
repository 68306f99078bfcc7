package io.jscan.signing;

import java.security.PublicKey;

/** Checks signatures under one public key. Every failure is {@link io.jscan.core.FailureKind#INTEGRITY}. */
public interface Verifier {
  SignatureAlgorithm algorithm();

  PublicKey publicKey();

  /** Verifies {@code signature} over {@code message}; throws INTEGRITY when it does not verify. */
  void verify(byte[] message, byte[] signature) throws SigningException;

  /**
   * Verifies {@code signature} over a message known only by its digest (a hashedrekord, {@code
   * verify-bundle --digest}). The digest must be of the scheme's hash; Ed25519 and RSA-PSS cannot
   * verify a pre-hashed message and refuse with BAD_INPUT.
   */
  void verifyDigest(byte[] digest, byte[] signature) throws SigningException;
}
