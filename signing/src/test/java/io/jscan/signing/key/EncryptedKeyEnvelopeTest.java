package io.jscan.signing.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.FailureKind;
import io.jscan.signing.SigningException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EncryptedKeyEnvelopeTest {
  private static final char[] PASSWORD = "supersecret".toCharArray();
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Known-answer vectors written by an independent implementation: go-securesystemslib's {@code
   * encrypted} package (encrypted_test.go, kdfVectors), the library cosign itself calls. They were
   * made with its {@code Marshal}, which JSON-encodes the plaintext before encrypting, so each opens
   * under "supersecret" to the JSON string of base64("reallyimportant"). Passing them proves our
   * scrypt parameters, secretbox layout (tag first) and JSON field names match cosign's.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":32768,\"r\":8,\"p\":1},\"salt\":\"WO3mVvyTwJ9vwT5/Tk5OW5WPIBUofMjcpEfrLnfY4uA=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"tCy7HcTFr4uxv4Nrg/DWmncuZ148U1MX\"},\"ciphertext\":\"08n43p5G5yviPEZpO7tPPF4aZQkWiWjkv4taFdhDBA0tamKH4nw=\"}",
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":65536,\"r\":8,\"p\":1},\"salt\":\"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE\"},\"ciphertext\":\"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8=\"}",
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":131072,\"r\":8,\"p\":1},\"salt\":\"m38E3kouJTtiheLQN22NQ8DTito5hrjpUIskqcd375k=\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"Y6PM13yA+o44pE/W1ZBwczeGnTV/m9Zc\"},\"ciphertext\":\"6H8sqj1K6B6yDjtH5AQ6lbFigg/C2yDDJc4rYJ79w9aVPImFIPI=\"}"
      })
  void decrypt_goSecuresystemslibVectors_yieldTheirPlaintext(String vector) throws Exception {
    byte[] plain = EncryptedKeyEnvelope.decrypt(vector.getBytes(StandardCharsets.UTF_8), PASSWORD, "vector");
    String json = new String(plain, StandardCharsets.UTF_8);
    assertEquals("\"cmVhbGx5aW1wb3J0YW50\"", json);
    assertEquals("reallyimportant", new String(Base64.getDecoder().decode(json.substring(1, json.length() - 1)), StandardCharsets.UTF_8));
  }

  /** RFC 7914 section 12, second vector: scrypt("password", "NaCl", N=1024, r=8, p=16, dkLen=64). */
  @Test
  void deriveKey_rfc7914Vector_matches() {
    byte[] salt = "NaCl".getBytes(StandardCharsets.US_ASCII);
    byte[] full = org.bouncycastle.crypto.generators.SCrypt.generate("password".getBytes(StandardCharsets.US_ASCII), salt, 1024, 8, 16, 64);
    assertEquals(
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
        HexFormat.of().formatHex(full));
    // our own entry point derives the first 32 bytes of the same function
    byte[] ours = EncryptedKeyEnvelope.deriveKey("password".toCharArray(), salt, 1024, 8, 16);
    assertEquals(HexFormat.of().formatHex(full).substring(0, 64), HexFormat.of().formatHex(ours));
  }

  @Test
  void encrypt_writesCosignFieldNamesInGoOrder() throws Exception {
    byte[] env = EncryptedKeyEnvelope.encrypt(new byte[] {1, 2, 3}, PASSWORD, EncryptedKeyEnvelope.Strength.STANDARD);
    String text = new String(env, StandardCharsets.UTF_8);
    assertTrue(
        text.matches(
            "\\{\"kdf\":\\{\"name\":\"scrypt\",\"params\":\\{\"N\":65536,\"r\":8,\"p\":1\\},\"salt\":\"[A-Za-z0-9+/]{43}=\"\\},"
                + "\"cipher\":\\{\"name\":\"nacl/secretbox\",\"nonce\":\"[A-Za-z0-9+/]{32}\"\\},\"ciphertext\":\"[A-Za-z0-9+/=]+\"\\}"),
        text);
    JsonNode node = JSON.readTree(env);
    // secretbox output is the 16-byte tag followed by the ciphertext of the 3-byte message
    assertEquals(19, Base64.getDecoder().decode(node.get("ciphertext").asText()).length);
  }

  @Test
  void encrypt_thenDecrypt_roundTrips() throws Exception {
    byte[] plain = "a PKCS#8 key would go here".getBytes(StandardCharsets.UTF_8);
    byte[] env = EncryptedKeyEnvelope.encrypt(plain, "pässwörd".toCharArray(), EncryptedKeyEnvelope.Strength.LEGACY);
    assertArrayEquals(plain, EncryptedKeyEnvelope.decrypt(env, "pässwörd".toCharArray(), "test"));
  }

  @Test
  void decrypt_wrongPassword_isBadInputNamingThePassword() {
    byte[] env = EncryptedKeyEnvelope.encrypt(new byte[] {42}, PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY);
    SigningException e =
        assertThrows(SigningException.class, () -> EncryptedKeyEnvelope.decrypt(env, "nope".toCharArray(), "cosign.key"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
    assertTrue(e.getMessage().startsWith("decrypting private key cosign.key: "), e.getMessage());
  }

  @Test
  void decrypt_tamperedCiphertext_doesNotOpen() throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(EncryptedKeyEnvelope.encrypt(new byte[] {1, 2, 3, 4}, PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY));
    byte[] box = Base64.getDecoder().decode(node.get("ciphertext").asText());
    box[box.length - 1] ^= 1;
    node.put("ciphertext", Base64.getEncoder().encodeToString(box));
    byte[] tampered = JSON.writeValueAsBytes(node);
    assertThrows(SigningException.class, () -> EncryptedKeyEnvelope.decrypt(tampered, PASSWORD, "t"));
  }

  /** go-securesystemslib's TestUnsupportedKDFParameters: unknown scrypt costs are refused before deriving. */
  @Test
  void decrypt_unknownScryptCost_isRefused() {
    String env =
        "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":99,\"r\":99,\"p\":99},\"salt\":\"cZFcQJdwPhPyhU1R4qkl0qVOIjZd4V/7LYYAavq166k=\"},"
            + "\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"7vhRS7j0hEPBWV05skAdgLj81AkGeE7U\"},\"ciphertext\":\"6WYU/YSXVbYzl/NzaeAzmjLyfFhOOjLc0d8/GFV0aBFdJvyCcXc=\"}";
    SigningException e =
        assertThrows(SigningException.class, () -> EncryptedKeyEnvelope.decrypt(env.getBytes(StandardCharsets.UTF_8), PASSWORD, "k"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("unsupported scrypt parameters"), e.getMessage());
  }

  @Test
  void decrypt_otherCipher_isRefused() throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(EncryptedKeyEnvelope.encrypt(new byte[] {1}, PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY));
    ((ObjectNode) node.get("cipher")).put("name", "aes-gcm");
    SigningException e =
        assertThrows(SigningException.class, () -> EncryptedKeyEnvelope.decrypt(JSON.writeValueAsBytes(node), PASSWORD, "k"));
    assertTrue(e.getMessage().contains("unsupported cipher"), e.getMessage());
  }

  @Test
  void secretBox_seal_isTagThenXorOfKeyStream() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[24];
    byte[] a = SecretBox.seal(key, nonce, new byte[] {0, 0, 0});
    byte[] b = SecretBox.seal(key, nonce, new byte[] {1, 0, 0});
    // same key stream: only the first ciphertext byte (after the tag) differs, by the flipped bit
    assertEquals(a[16] ^ 1, b[16]);
    assertEquals(a[17], b[17]);
    assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOf(a, 16), java.util.Arrays.copyOf(b, 16)));
    assertArrayEquals(new byte[] {1, 0, 0}, SecretBox.open(key, nonce, b).orElseThrow());
  }
}
