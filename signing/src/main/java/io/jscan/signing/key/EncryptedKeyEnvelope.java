package io.jscan.signing.key;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.signing.Crypto;
import io.jscan.signing.SigningException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The password-protected envelope inside a cosign private key file: the JSON document of
 * go-securesystemslib's {@code encrypted} package, which cosign's {@code generate-key-pair} writes
 * (base64 in a PEM block) around the PKCS#8 DER of the private key.
 *
 * <pre>{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<b64>"},
 *  "cipher":{"name":"nacl/secretbox","nonce":"<b64>"},"ciphertext":"<b64>"}</pre>
 *
 * <p>The key is {@code scrypt(password, salt, N, r, p, 32)}; the ciphertext is NaCl's secretbox of
 * the plaintext under that key and the 24-byte nonce. Byte strings are standard padded base64, as
 * Go's {@code encoding/json} writes {@code []byte}.
 */
public final class EncryptedKeyEnvelope {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SALT_BYTES = 32;

  /** The scrypt cost sets go-securesystemslib knows; anything else is refused when reading. */
  public enum Strength {
    /** N=32768: what cosign wrote before go-securesystemslib raised its default. */
    LEGACY(32768),
    /** N=65536: what current cosign writes, and jscan's default. */
    STANDARD(65536),
    /** N=131072: the OWASP-recommended set. */
    OWASP(131072);

    final int n;

    Strength(int n) {
      this.n = n;
    }

    public int n() {
      return n;
    }

    static Optional<Strength> of(int n, int r, int p) {
      if (r != 8 || p != 1) {
        return Optional.empty();
      }
      return Arrays.stream(values()).filter(s -> s.n == n).findFirst();
    }
  }

  private EncryptedKeyEnvelope() {}

  /** Encrypts {@code plaintext} under {@code password}; returns the JSON document's bytes. */
  public static byte[] encrypt(byte[] plaintext, char[] password, Strength strength) {
    byte[] salt = Crypto.randomBytes(SALT_BYTES);
    byte[] nonce = Crypto.randomBytes(SecretBox.NONCE_BYTES);
    byte[] key = deriveKey(password, salt, strength.n, 8, 1);
    byte[] box;
    try {
      box = SecretBox.seal(key, nonce, plaintext);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    Base64.Encoder b64 = Base64.getEncoder();
    // field order as Go marshals the structs: kdf{name, params{N, r, p}, salt}, cipher{name, nonce}, ciphertext
    ObjectNode root = JSON.createObjectNode();
    ObjectNode kdf = root.putObject("kdf");
    kdf.put("name", "scrypt");
    ObjectNode params = kdf.putObject("params");
    params.put("N", strength.n);
    params.put("r", 8);
    params.put("p", 1);
    kdf.put("salt", b64.encodeToString(salt));
    ObjectNode cipher = root.putObject("cipher");
    cipher.put("name", "nacl/secretbox");
    cipher.put("nonce", b64.encodeToString(nonce));
    root.put("ciphertext", b64.encodeToString(box));
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize an in-memory JSON tree", e);
    }
  }

  /**
   * Decrypts the envelope. A wrong password and a tampered ciphertext look the same to secretbox
   * (the tag does not authenticate), so both are reported as "wrong password" with BAD_INPUT.
   */
  public static byte[] decrypt(byte[] envelope, char[] password, String source) throws SigningException {
    String what = "decrypting private key " + source;
    JsonNode root;
    try {
      root = JSON.readTree(envelope);
    } catch (IOException e) {
      throw SigningException.badInput(what, "the encrypted key is not JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw SigningException.badInput(what, "the encrypted key is not a JSON object");
    }
    String kdfName = text(root, what, "kdf", "name");
    if (!"scrypt".equals(kdfName)) {
      throw SigningException.badInput(what, "unsupported key derivation \"" + kdfName + "\" (only scrypt)");
    }
    int n = integer(root, what, "kdf", "params", "N");
    int r = integer(root, what, "kdf", "params", "r");
    int p = integer(root, what, "kdf", "params", "p");
    // Fail closed on unknown cost parameters, as go-securesystemslib does: an attacker-supplied
    // file must not make us spend unbounded memory (N=2^30) or accept a trivially weak setting.
    Strength strength =
        Strength.of(n, r, p)
            .orElseThrow(
                () ->
                    SigningException.badInput(
                        what, "unsupported scrypt parameters N=" + n + " r=" + r + " p=" + p));
    byte[] salt = bytes(root, what, "kdf", "salt");
    String cipherName = text(root, what, "cipher", "name");
    if (!"nacl/secretbox".equals(cipherName)) {
      throw SigningException.badInput(what, "unsupported cipher \"" + cipherName + "\" (only nacl/secretbox)");
    }
    byte[] nonce = bytes(root, what, "cipher", "nonce");
    if (nonce.length != SecretBox.NONCE_BYTES) {
      throw SigningException.badInput(what, "the secretbox nonce has " + nonce.length + " bytes, expected 24");
    }
    byte[] box = bytes(root, what, "ciphertext");
    byte[] key = deriveKey(password, salt, strength.n, r, p);
    try {
      return SecretBox.open(key, nonce, box)
          .orElseThrow(
              () -> SigningException.badInput(what, "wrong password (or the key file is corrupted)"));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  static byte[] deriveKey(char[] password, byte[] salt, int n, int r, int p) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] pw = new byte[encoded.remaining()];
    encoded.get(pw);
    try {
      return SCrypt.generate(pw, salt, n, r, p, SecretBox.KEY_BYTES);
    } finally {
      Arrays.fill(pw, (byte) 0);
      if (encoded.hasArray()) {
        Arrays.fill(encoded.array(), (byte) 0);
      }
    }
  }

  private static JsonNode at(JsonNode root, String what, String... path) throws SigningException {
    JsonNode node = root;
    for (String field : path) {
      node = node.get(field);
      if (node == null || node.isNull()) {
        throw SigningException.badInput(what, "the encrypted key lacks " + String.join(".", path));
      }
    }
    return node;
  }

  private static String text(JsonNode root, String what, String... path) throws SigningException {
    JsonNode node = at(root, what, path);
    if (!node.isTextual()) {
      throw SigningException.badInput(what, String.join(".", path) + " is not a string");
    }
    return node.asText();
  }

  private static int integer(JsonNode root, String what, String... path) throws SigningException {
    JsonNode node = at(root, what, path);
    if (!node.isInt()) {
      throw SigningException.badInput(what, String.join(".", path) + " is not an integer");
    }
    return node.asInt();
  }

  private static byte[] bytes(JsonNode root, String what, String... path) throws SigningException {
    String value = text(root, what, path);
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw SigningException.badInput(what, String.join(".", path) + " is not base64");
    }
  }
}
