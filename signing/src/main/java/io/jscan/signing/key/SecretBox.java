package io.jscan.signing.key;

import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl's {@code crypto_secretbox} (XSalsa20 + Poly1305), the cipher cosign's encrypted keys name
 * {@code nacl/secretbox}. Built from Bouncy Castle's lightweight XSalsa20 and Poly1305.
 *
 * <p>Construction (Bernstein, "Cryptography in NaCl", section 9): the first 32 bytes of the
 * XSalsa20 key stream are the one-time Poly1305 key, the message is XORed with the stream from byte
 * 32 on, and the 16-byte tag over the ciphertext is prepended: {@code box = tag || ciphertext}, the
 * layout Go's {@code golang.org/x/crypto/nacl/secretbox.Seal} produces.
 */
final class SecretBox {
  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 24;
  static final int TAG_BYTES = 16;

  private SecretBox() {}

  static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext) {
    checkSizes(key, nonce);
    byte[] stream = xsalsa20(key, nonce, plaintext);
    byte[] polyKey = Arrays.copyOfRange(stream, 0, KEY_BYTES);
    byte[] box = new byte[TAG_BYTES + plaintext.length];
    System.arraycopy(stream, KEY_BYTES, box, TAG_BYTES, plaintext.length);
    byte[] tag = poly1305(polyKey, box, TAG_BYTES, plaintext.length);
    System.arraycopy(tag, 0, box, 0, TAG_BYTES);
    return box;
  }

  /**
   * Opens a box; returns empty when the tag does not authenticate (wrong key or tampered data).
   * The tag is checked in constant time before anything is decrypted.
   */
  static java.util.Optional<byte[]> open(byte[] key, byte[] nonce, byte[] box) {
    checkSizes(key, nonce);
    if (box.length < TAG_BYTES) {
      return java.util.Optional.empty();
    }
    int n = box.length - TAG_BYTES;
    byte[] stream = xsalsa20(key, nonce, new byte[0]);
    byte[] polyKey = Arrays.copyOfRange(stream, 0, KEY_BYTES);
    byte[] expected = poly1305(polyKey, box, TAG_BYTES, n);
    if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(box, 0, TAG_BYTES))) {
      return java.util.Optional.empty();
    }
    byte[] ciphertext = Arrays.copyOfRange(box, TAG_BYTES, box.length);
    byte[] out = xsalsa20(key, nonce, ciphertext);
    return java.util.Optional.of(Arrays.copyOfRange(out, KEY_BYTES, out.length));
  }

  /** XSalsa20 over {@code 32 zero bytes || data}: the Poly1305 key stream, then the XORed data. */
  private static byte[] xsalsa20(byte[] key, byte[] nonce, byte[] data) {
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    byte[] in = new byte[KEY_BYTES + data.length];
    System.arraycopy(data, 0, in, KEY_BYTES, data.length);
    byte[] out = new byte[in.length];
    engine.processBytes(in, 0, in.length, out, 0);
    return out;
  }

  private static byte[] poly1305(byte[] oneTimeKey, byte[] data, int off, int len) {
    // Poly1305 without a block cipher is the raw one-time authenticator NaCl uses (RFC 8439 2.5);
    // Bouncy Castle clamps r itself.
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(oneTimeKey));
    mac.update(data, off, len);
    byte[] tag = new byte[TAG_BYTES];
    mac.doFinal(tag, 0);
    return tag;
  }

  private static void checkSizes(byte[] key, byte[] nonce) {
    if (key.length != KEY_BYTES || nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("secretbox needs a 32-byte key and a 24-byte nonce");
    }
  }
}
