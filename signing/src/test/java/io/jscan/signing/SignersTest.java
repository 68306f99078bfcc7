package io.jscan.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.testing.ExternalTool;
import io.jscan.signing.key.EncryptedKeyEnvelope;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.PasswordSource;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.testing.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SignersTest {
  private static final char[] PASSWORD = "pw".toCharArray();
  private static final byte[] CONTENT = "the artifact\n".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  /** The interop check: a jscan signature over a file verifies with {@code openssl dgst -verify cosign.pub}. */
  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"ECDSA_P256", "ECDSA_P384", "RSA_2048"})
  void sign_withGeneratedCosignKey_verifiesWithOpenssl(KeyAlgorithm algorithm) throws Exception {
    ExternalTool.require("openssl");
    KeyFiles.writeKeyPair(dir.resolve("cosign"), Keys.generate(algorithm), PASSWORD, EncryptedKeyEnvelope.Strength.STANDARD, false);
    SigningKey key = KeyFiles.readPrivateKey(dir.resolve("cosign.key"), PasswordSource.of(PASSWORD));
    Files.write(dir.resolve("file"), CONTENT);
    Files.write(dir.resolve("sig"), key.signer().sign(CONTENT));

    String hash = algorithm == KeyAlgorithm.ECDSA_P384 ? "-sha384" : "-sha256";
    Processes.Result ok = Processes.run(dir, List.of("openssl", "dgst", hash, "-verify", "cosign.pub", "-signature", "sig", "file"));
    assertEquals(0, ok.exitCode(), ok.output());
    assertTrue(ok.output().contains("Verified OK"), ok.output());

    Files.write(dir.resolve("other"), "tampered".getBytes(StandardCharsets.UTF_8));
    Processes.Result bad = Processes.run(dir, List.of("openssl", "dgst", hash, "-verify", "cosign.pub", "-signature", "sig", "other"));
    assertTrue(bad.exitCode() != 0, bad.output());
  }

  @Test
  void sign_ed25519_verifiesWithOpensslRawIn() throws Exception {
    ExternalTool.require("openssl");
    SigningKey key = Keys.generate(KeyAlgorithm.ED25519);
    KeyFiles.writePublicKey(dir.resolve("ed.pub"), key.publicKey());
    Files.write(dir.resolve("file"), CONTENT);
    Files.write(dir.resolve("sig"), key.signer().sign(CONTENT));
    Processes.Result r =
        Processes.run(dir, List.of("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "ed.pub", "-rawin", "-in", "file", "-sigfile", "sig"));
    assertEquals(0, r.exitCode(), r.output());
  }

  /** The other direction: signatures openssl makes (DER ECDSA, PKCS#1 v1.5, PSS) verify in jscan. */
  @Test
  void verify_opensslSignatures_verify() throws Exception {
    ExternalTool.require("openssl");
    Files.write(dir.resolve("file"), CONTENT);
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem");
    run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
    run("openssl", "pkey", "-in", "ec.pem", "-pubout", "-out", "ec.pub");
    run("openssl", "pkey", "-in", "rsa.pem", "-pubout", "-out", "rsa.pub");
    run("openssl", "dgst", "-sha256", "-sign", "ec.pem", "-out", "ec.sig", "file");
    run("openssl", "dgst", "-sha256", "-sign", "rsa.pem", "-out", "rsa.sig", "file");
    run("openssl", "dgst", "-sha256", "-sign", "rsa.pem", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-out", "pss.sig", "file");

    Verifiers.of(KeyFiles.readPublicKey(dir.resolve("ec.pub"))).verify(CONTENT, Files.readAllBytes(dir.resolve("ec.sig")));
    Verifiers.of(KeyFiles.readPublicKey(dir.resolve("rsa.pub"))).verify(CONTENT, Files.readAllBytes(dir.resolve("rsa.sig")));
    Verifiers.of(KeyFiles.readPublicKey(dir.resolve("rsa.pub")), SignatureAlgorithm.RSA_PSS_SHA256)
        .verify(CONTENT, Files.readAllBytes(dir.resolve("pss.sig")));
    // and over the digest only, as a hashedrekord is checked
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(CONTENT);
    Verifiers.of(KeyFiles.readPublicKey(dir.resolve("ec.pub"))).verifyDigest(digest, Files.readAllBytes(dir.resolve("ec.sig")));
    Verifiers.of(KeyFiles.readPublicKey(dir.resolve("rsa.pub"))).verifyDigest(digest, Files.readAllBytes(dir.resolve("rsa.sig")));
  }

  @Test
  void verify_signatureOverOtherContent_isIntegrityFailure() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    byte[] sig = key.signer().sign(CONTENT);
    SigningException e =
        assertThrows(SigningException.class, () -> Verifiers.of(key.publicKey()).verify("other".getBytes(StandardCharsets.UTF_8), sig));
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }

  @Test
  void verify_garbageSignature_isIntegrityFailureNotCrash() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    SigningException e = assertThrows(SigningException.class, () -> Verifiers.of(key.publicKey()).verify(CONTENT, new byte[] {1, 2, 3}));
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }

  @Test
  void verify_underOtherKey_isIntegrityFailure() throws Exception {
    byte[] sig = Keys.generate(KeyAlgorithm.ED25519).signer().sign(CONTENT);
    SigningException e =
        assertThrows(SigningException.class, () -> Verifiers.of(Keys.generate(KeyAlgorithm.ED25519).publicKey()).verify(CONTENT, sig));
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }

  @Test
  void verifyDigest_ed25519_isRefusedAsBadInput() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ED25519);
    SigningException e =
        assertThrows(SigningException.class, () -> Verifiers.of(key.publicKey()).verifyDigest(new byte[32], key.signer().sign(CONTENT)));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void signer_algorithmForOtherKeyType_isRefused() {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    assertThrows(SigningException.class, () -> key.signer(SignatureAlgorithm.RSA_PKCS1V15_SHA256));
  }

  @Test
  void rsaPss_signAndVerify_roundTrips() throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.RSA_2048);
    byte[] sig = key.signer(SignatureAlgorithm.RSA_PSS_SHA256).sign(CONTENT);
    Verifiers.of(key.publicKey(), SignatureAlgorithm.RSA_PSS_SHA256).verify(CONTENT, sig);
    // a PSS signature is not a PKCS#1 v1.5 one
    assertThrows(SigningException.class, () -> Verifiers.of(key.publicKey()).verify(CONTENT, sig));
  }

  private void run(String... command) throws Exception {
    Processes.Result r = Processes.run(dir, new ArrayList<>(List.of(command)));
    assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.output());
  }
}
