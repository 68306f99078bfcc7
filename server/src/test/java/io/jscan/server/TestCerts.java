package io.jscan.server;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test certificate authority and the server certificates it issues, made with Bouncy Castle the
 * way the README's openssl recipe makes them: a CA, and a leaf for {@code 127.0.0.1} and
 * {@code jscan-webhook.jscan-system.svc} with serverAuth usage, signed by it.
 */
final class TestCerts {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  final KeyPair caKeys;
  final X509Certificate ca;

  private TestCerts(KeyPair caKeys, X509Certificate ca) {
    this.caKeys = caKeys;
    this.ca = ca;
  }

  static TestCerts authority() throws GeneralSecurityException, IOException {
    KeyPair keys = ecKeys();
    X500Name name = new X500Name("CN=jscan test CA");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), name, keys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestCerts(keys, sign(b, keys));
  }

  /** A leaf certificate and its key, issued by this CA. */
  record Leaf(KeyPair keys, X509Certificate cert) {
    BigInteger serial() {
      return cert.getSerialNumber();
    }
  }

  Leaf issue(String commonName) throws GeneralSecurityException, IOException {
    return issue(commonName, ecKeys());
  }

  Leaf issue(String commonName, KeyPair keys) throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=jscan test CA"),
        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
        new X500Name("CN=" + commonName), keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost"),
        new GeneralName(GeneralName.dNSName, "jscan-webhook.jscan-system.svc")}));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    return new Leaf(keys, sign(b, caKeys));
  }

  static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static KeyPair rsaKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair issuer) throws GeneralSecurityException {
    try {
      String algorithm = issuer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(issuer.getPrivate());
      X509CertificateHolder holder = b.build(signer);
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** PEM of any object Bouncy Castle can write (certificate, private key as PKCS#8 or traditional). */
  static String pem(Object o) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    }
    return s.toString();
  }

  /** The PKCS#8 PEM ({@code BEGIN PRIVATE KEY}) of a key. */
  static String pkcs8(KeyPair keys) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(new JcaMiscPEMGenerator(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null)));
    }
    return s.toString();
  }

  /** Writes the leaf (chain: leaf, CA) and its PKCS#8 key, each as a new file renamed into place. */
  void write(Leaf leaf, Path cert, Path key) throws IOException {
    writeAtomically(cert, pem(leaf.cert()) + pem(ca));
    writeAtomically(key, pkcs8(leaf.keys()));
  }

  static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** A TLS context that trusts this CA only (what the API server's caBundle does). */
  SSLContext clientContext() throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
