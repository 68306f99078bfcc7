package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
  static TestCerts ca;

  @BeforeAll
  static void authority() throws Exception {
    ca = TestCerts.authority();
  }

  @Test
  void load_ecKeyInPkcs8_chainLeafFirst(@TempDir Path dir) throws Exception {
    TestCerts.Leaf leaf = ca.issue("webhook");
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    ca.write(leaf, cert, key);
    TlsMaterial m = TlsMaterial.load(cert, key);
    assertEquals(2, m.chain().size());
    assertEquals(leaf.serial(), m.leaf().getSerialNumber());
    assertTrue(m.keyStore().isKeyEntry(TlsMaterial.ALIAS));
    assertEquals(m.fingerprint(), TlsMaterial.fingerprintOf(cert, key), "the reloader's fingerprint is the loaded one");
  }

  @Test
  void load_rsaKeyInPkcs1_asOpensslTraditionalFormWritesIt(@TempDir Path dir) throws Exception {
    KeyPair rsa = TestCerts.rsaKeys();
    TestCerts.Leaf leaf = ca.issue("webhook", rsa);
    Path cert = Files.writeString(dir.resolve("tls.crt"), TestCerts.pem(leaf.cert()));
    String pkcs1 = TestCerts.pem(rsa.getPrivate()); // Bouncy Castle writes BEGIN RSA PRIVATE KEY for a key pair's private part
    assertTrue(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----"), pkcs1);
    Path key = Files.writeString(dir.resolve("tls.key"), pkcs1);
    assertEquals("RSA", TlsMaterial.load(cert, key).leaf().getPublicKey().getAlgorithm());
  }

  @Test
  void load_keyOfAnotherCertificate_refusedNamingBothFiles(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("tls.crt"), TestCerts.pem(ca.issue("one").cert()));
    Path key = Files.writeString(dir.resolve("tls.key"), TestCerts.pkcs8(TestCerts.ecKeys()));
    ServerException e = assertThrows(ServerException.class, () -> TlsMaterial.load(cert, key));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals(key + ": the private key does not belong to the certificate in " + cert + " (subject CN=one)", e.getMessage());
  }

  @Test
  void load_missingOrNonPemFiles_oneLineErrors(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("tls.crt"), "not a certificate\n");
    Path key = Files.writeString(dir.resolve("tls.key"), "not a key\n");
    assertEquals(dir.resolve("nope.crt") + ": reading the --tls-cert file: no such file",
        assertThrows(ServerException.class, () -> TlsMaterial.load(dir.resolve("nope.crt"), key)).getMessage());
    assertTrue(assertThrows(ServerException.class, () -> TlsMaterial.load(cert, key)).getMessage().startsWith(cert + ": "));
    Path goodCert = Files.writeString(dir.resolve("good.crt"), TestCerts.pem(ca.issue("x").cert()));
    assertEquals(key + ": no private key in the file (expected PEM: -----BEGIN PRIVATE KEY-----)",
        assertThrows(ServerException.class, () -> TlsMaterial.load(goodCert, key)).getMessage());
  }

  @Test
  void load_certificateThatIsAFifo_isBadInputNamingIt_withoutOpeningIt(@TempDir Path dir) throws Exception {
    Path cert = io.jscan.core.testing.TestFiles.fifo(dir.resolve("tls.crt"));
    Path key = Files.writeString(dir.resolve("tls.key"), "not a key\n");

    ServerException e = assertThrows(ServerException.class, () -> TlsMaterial.load(cert, key));

    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals(cert + ": reading the --tls-cert file: not a regular file (a FIFO)", e.getMessage());
  }
}
