package io.jscan.signing;

import java.security.PublicKey;

/**
 * Something that signs bytes: a private key on disk today, a KMS or a keyless ephemeral key later.
 * The image-signing code signs cosign payloads and DSSE PAEs with it.
 */
public interface Signer {
  /** The scheme the signatures use. */
  SignatureAlgorithm algorithm();

  /** The public half, for writing next to signatures (bundle hints, cosign.pub). */
  PublicKey publicKey();

  /** Signs {@code message} (the scheme hashes it). */
  byte[] sign(byte[] message) throws SigningException;
}
