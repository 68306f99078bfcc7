package io.jscan.signing.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.testing.ExternalTool;
import io.jscan.signing.SignatureAlgorithm;
import io.jscan.signing.SigningException;
import io.jscan.signing.Verifiers;
import io.jscan.signing.testing.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeysTest {
  private static final char[] PASSWORD = "correct horse".toCharArray();

  @TempDir Path dir;

  @Test
  void writeKeyPair_writesCosignPemTypesAndPrivateModeOwnerOnly() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    KeyFiles.KeyPairPaths paths =
        KeyFiles.writeKeyPair(dir.resolve("cosign"), key, PASSWORD, EncryptedKeyEnvelope.Strength.STANDARD, false);

    assertEquals(dir.resolve("cosign.key"), paths.privateKey());
    String priv = Files.readString(paths.privateKey());
    assertTrue(priv.startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), priv);
    assertTrue(priv.endsWith("-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), priv);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.privateKey())));
    String pub = Files.readString(paths.publicKey());
    assertTrue(pub.startsWith("-----BEGIN PUBLIC KEY-----\n"), pub);
    // no temporary file is left behind
    try (var files = Files.list(dir)) {
      assertEquals(List.of("cosign.key", "cosign.pub"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void writeKeyPair_thenRead_returnsSameKeyThatSignsAndVerifies(KeyAlgorithm algorithm) throws Exception {
    if (algorithm == KeyAlgorithm.RSA_4096 || algorithm == KeyAlgorithm.RSA_3072) {
      return; // covered by RSA_2048; generating larger RSA keys only costs time
    }
    SigningKey key = Keys.generate(algorithm);
    KeyFiles.KeyPairPaths paths = KeyFiles.writeKeyPair(dir.resolve("k"), key, PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY, false);

    SigningKey read = KeyFiles.readPrivateKey(paths.privateKey(), PasswordSource.of(PASSWORD));
    assertTrue(Keys.sameKey(key.publicKey(), read.publicKey()));
    assertTrue(Keys.sameKey(key.publicKey(), KeyFiles.readPublicKey(paths.publicKey())));
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    Verifiers.of(KeyFiles.readPublicKey(paths.publicKey())).verify(msg, read.signer().sign(msg));
  }

  @Test
  void readPrivateKey_wrongPassword_isBadInput() throws Exception {
    KeyFiles.KeyPairPaths paths =
        KeyFiles.writeKeyPair(dir.resolve("cosign"), Keys.generate(KeyAlgorithm.ECDSA_P256), PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY, false);
    SigningException e =
        assertThrows(SigningException.class, () -> KeyFiles.readPrivateKey(paths.privateKey(), PasswordSource.of("wrong".toCharArray())));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
  }

  @Test
  void writeKeyPair_existingKey_isNotOverwrittenWithoutForce() throws Exception {
    Files.writeString(dir.resolve("cosign.key"), "precious");
    SigningException e =
        assertThrows(
            SigningException.class,
            () -> KeyFiles.writeKeyPair(dir.resolve("cosign"), Keys.generate(KeyAlgorithm.ECDSA_P256), PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY, false));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals("precious", Files.readString(dir.resolve("cosign.key")));
  }

  /**
   * A cosign 1.x key: PEM type ENCRYPTED COSIGN PRIVATE KEY with the legacy N=32768 envelope, around
   * a PKCS#8 key that openssl made (recipe: openssl genpkey, then our envelope with LEGACY strength;
   * the envelope layer itself is pinned by go-securesystemslib's vectors in EncryptedKeyEnvelopeTest).
   */
  @Test
  void readPrivateKey_cosignV1HeaderLegacyCost_isRead() throws Exception {
    ExternalTool.require("openssl");
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "plain.pem");
    run("openssl", "pkey", "-in", "plain.pem", "-pubout", "-out", "plain.pub");
    byte[] pkcs8 = PemBlock.parseOne(Files.readAllBytes(dir.resolve("plain.pem")), "plain.pem").bytes();
    String legacy = new PemBlock(Keys.COSIGN_PRIVATE_KEY, EncryptedKeyEnvelope.encrypt(pkcs8, PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY)).encode();

    SigningKey key = Keys.parsePrivateKey(legacy.getBytes(StandardCharsets.US_ASCII), PasswordSource.of(PASSWORD), "v1.key");
    assertTrue(Keys.sameKey(KeyFiles.readPublicKey(dir.resolve("plain.pub")), key.publicKey()));
  }

  /** Plain key formats openssl writes: PKCS#8 PRIVATE KEY, SEC 1 EC PRIVATE KEY, Ed25519, RSA, P-384. */
  @Test
  void readPrivateKey_opensslFormats_matchOpensslPublicKeys() throws Exception {
    ExternalTool.require("openssl");
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem");
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.pem");
    run("openssl", "genpkey", "-algorithm", "ED25519", "-out", "ed.pem");
    run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
    run("openssl", "rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa1.pem");
    for (String f : List.of("sec1.pem", "p384.pem", "ed.pem", "rsa.pem", "rsa1.pem")) {
      run("openssl", "pkey", "-in", f, "-pubout", "-out", f + ".pub");
      String text = Files.readString(dir.resolve(f));
      SigningKey key = Keys.parsePrivateKey(text.getBytes(StandardCharsets.US_ASCII), PasswordSource.none(), f);
      assertTrue(Keys.sameKey(KeyFiles.readPublicKey(dir.resolve(f + ".pub")), key.publicKey()), f);
    }
    assertTrue(Files.readString(dir.resolve("sec1.pem")).contains("BEGIN EC PRIVATE KEY"));
    assertTrue(Files.readString(dir.resolve("rsa1.pem")).contains("BEGIN RSA PRIVATE KEY"));
    SigningKey p384 = Keys.parsePrivateKey(Files.readAllBytes(dir.resolve("p384.pem")), PasswordSource.none(), "p384");
    assertEquals(384, ((ECPublicKey) p384.publicKey()).getParams().getCurve().getField().getFieldSize());
    assertEquals(SignatureAlgorithm.ECDSA_SHA384, p384.signer().algorithm());
  }

  @Test
  void readPrivateKey_encryptedWithoutPassword_isBadInput() throws Exception {
    String pem = Keys.encryptedPrivateKeyPem(Keys.generate(KeyAlgorithm.ECDSA_P256), PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY);
    SigningException e =
        assertThrows(SigningException.class, () -> Keys.parsePrivateKey(pem.getBytes(StandardCharsets.US_ASCII), PasswordSource.none(), "k"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void parsePublicKey_privateKeyFile_isRefused() throws Exception {
    String pem = Keys.encryptedPrivateKeyPem(Keys.generate(KeyAlgorithm.ECDSA_P256), PASSWORD, EncryptedKeyEnvelope.Strength.LEGACY);
    SigningException e = assertThrows(SigningException.class, () -> Keys.parsePublicKey(pem.getBytes(StandardCharsets.US_ASCII), "cosign.key"));
    assertTrue(e.getMessage().contains("expected a PUBLIC KEY"), e.getMessage());
  }

  @Test
  void parsePublicKey_notBase64_isBadInput() {
    // the shape of sigstore-conformance's managed-key-wrong-key_fail/key.pub
    String pem = "-----BEGIN PUBLIC KEY-----\nMFkw++++wrongkey==\n-----END PUBLIC KEY-----\n";
    SigningException e = assertThrows(SigningException.class, () -> Keys.parsePublicKey(pem.getBytes(StandardCharsets.US_ASCII), "key.pub"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void parsePublicKey_smallRsaKey_isRefused() throws Exception {
    ExternalTool.require("openssl");
    run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "small.pem");
    run("openssl", "pkey", "-in", "small.pem", "-pubout", "-out", "small.pub");
    SigningException e = assertThrows(SigningException.class, () -> KeyFiles.readPublicKey(dir.resolve("small.pub")));
    assertTrue(e.getMessage().contains("too small"), e.getMessage());
  }

  @Test
  void hint_isBase64Sha256OfPkixDer() throws Exception {
    // the managed-key bundles of sigstore-conformance carry this hint for their key.pub
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExRRST79+PsrRBnGAI4cMu6Omz2Jh\n"
            + "fwlMW+gIutNKVRaMyS4rQKvgngc5p8UbLj55pVHhIoAxi/SRgURZI0J3Xw==\n"
            + "-----END PUBLIC KEY-----\n";
    assertEquals("TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=", Keys.hint(Keys.parsePublicKey(pem.getBytes(StandardCharsets.US_ASCII), "key.pub")));
  }

  private void run(String... command) throws Exception {
    Processes.Result r = Processes.run(dir, List.of(command));
    assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.output());
  }
}
