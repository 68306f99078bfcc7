package io.jscan.signing.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.signing.Json;
import io.jscan.signing.payload.DsseEnvelope;
import io.jscan.signing.payload.InTotoStatement;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A fake Sigstore made by a recipe, for keyless tests that cannot reach the real one: a Fulcio-like
 * CA (self-signed P-256 root) that issues short-lived leaf certificates with an identity (SAN) and
 * Fulcio's OIDC issuer extension, a transparency log key, and a trusted root JSON listing them.
 *
 * <p>Bundles made here carry a structurally valid but unproven log entry and no SCT: they are for
 * the checks that reject (identity, validity, chain), which run before the log and SCT checks. A
 * bundle from here never verifies, so no test can pass by accident on fake evidence.
 */
public final class TestSigstore {
  private static final AtomicLong SERIAL = new AtomicLong(1);
  /** Fulcio's OIDC issuer extension (v2, a DER UTF8String). */
  private static final ASN1ObjectIdentifier ISSUER_V2 = new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.8");

  private final String name;
  private final KeyPair caKey;
  private final X509Certificate ca;
  private final KeyPair logKey;

  private TestSigstore(String name, KeyPair caKey, X509Certificate ca, KeyPair logKey) {
    this.name = name;
    this.caKey = caKey;
    this.ca = ca;
    this.logKey = logKey;
  }

  /** A CA valid from 2020 to 2040 and a log key; {@code name} goes into the CA's subject. */
  public static TestSigstore create(String name) throws Exception {
    KeyPair caKey = ecKey();
    X500Name subject = new X500Name("CN=" + name + " test CA, O=jscan tests");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.getAndIncrement()),
        Date.from(Instant.parse("2020-01-01T00:00:00Z")), Date.from(Instant.parse("2040-01-01T00:00:00Z")), subject, caKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate ca = sign(b, caKey);
    return new TestSigstore(name, caKey, ca, ecKey());
  }

  /** A leaf certificate and its key. */
  public record Leaf(X509Certificate certificate, KeyPair key) {}

  /**
   * A leaf for {@code identity} (a URI when it has a scheme, else an e-mail address) vouched for by
   * {@code issuer}, valid in [notBefore, notAfter].
   */
  public Leaf leaf(String identity, String issuer, Instant notBefore, Instant notAfter) throws Exception {
    KeyPair key = ecKey();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
        BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(notBefore), Date.from(notAfter), new X500Name(""), key.getPublic());
    GeneralName san = identity.contains("://") ? new GeneralName(GeneralName.uniformResourceIdentifier, identity)
        : new GeneralName(GeneralName.rfc822Name, identity);
    b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(san));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
    b.addExtension(ISSUER_V2, false, new DERUTF8String(issuer));
    return new Leaf(sign(b, caKey), key);
  }

  public X509Certificate ca() {
    return ca;
  }

  /** Writes a trusted root listing this CA, and this log key as transparency and CT log. */
  public Path writeTrustedRoot(Path file) throws IOException {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
    root.putArray("tlogs").add(log());
    ArrayNode cas = root.putArray("certificateAuthorities");
    ObjectNode ca = cas.addObject();
    ca.putObject("subject").put("organization", "jscan tests").put("commonName", name);
    ca.put("uri", "https://fulcio.invalid");
    try {
      ca.putObject("certChain").putArray("certificates").addObject().put("rawBytes", b64(this.ca.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
    ca.putObject("validFor").put("start", "2020-01-01T00:00:00.000Z");
    root.putArray("ctlogs").add(log());
    Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    return file;
  }

  private ObjectNode log() {
    ObjectNode l = Json.MAPPER.createObjectNode();
    l.put("baseUrl", "https://rekor.invalid");
    l.put("hashAlgorithm", "SHA2_256");
    ObjectNode pk = l.putObject("publicKey");
    pk.put("rawBytes", b64(logKey.getPublic().getEncoded()));
    pk.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    pk.putObject("validFor").put("start", "2020-01-01T00:00:00.000Z");
    l.putObject("logId").put("keyId", b64(sha256(logKey.getPublic().getEncoded())));
    return l;
  }

  /**
   * A v0.3 bundle with {@code statement} signed as DSSE by the leaf, and a log entry "integrated"
   * at {@code integratedTime} (shaped like Rekor's, not provable).
   */
  public byte[] dsseBundle(Leaf leaf, InTotoStatement statement, Instant integratedTime) throws Exception {
    byte[] payload = statement.toJson();
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(leaf.key().getPrivate());
    s.update(DsseEnvelope.pae(InTotoStatement.PAYLOAD_TYPE, payload));
    byte[] sig = s.sign();
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
    ObjectNode vm = root.putObject("verificationMaterial");
    vm.putObject("certificate").put("rawBytes", b64(leaf.certificate().getEncoded()));
    ObjectNode entry = vm.putArray("tlogEntries").addObject();
    entry.put("logIndex", "7");
    entry.putObject("logId").put("keyId", b64(sha256(logKey.getPublic().getEncoded())));
    entry.putObject("kindVersion").put("kind", "dsse").put("version", "0.0.1");
    entry.put("integratedTime", Long.toString(integratedTime.getEpochSecond()));
    entry.putObject("inclusionPromise").put("signedEntryTimestamp", b64("not a real SET".getBytes(StandardCharsets.US_ASCII)));
    ObjectNode proof = entry.putObject("inclusionProof");
    proof.put("logIndex", "7");
    proof.put("rootHash", b64(sha256(payload)));
    proof.put("treeSize", "8");
    proof.putArray("hashes");
    proof.putObject("checkpoint").put("envelope", "rekor.invalid - 1\n8\n" + b64(sha256(payload)) + "\n\n— rekor.invalid AAAA\n");
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("apiVersion", "0.0.1");
    body.put("kind", "dsse");
    body.putObject("spec");
    entry.put("canonicalizedBody", b64(Json.MAPPER.writeValueAsBytes(body)));
    ObjectNode env = root.putObject("dsseEnvelope");
    env.put("payload", b64(payload));
    env.put("payloadType", InTotoStatement.PAYLOAD_TYPE);
    env.putArray("signatures").addObject().put("sig", b64(sig)).put("keyid", "");
    return Json.MAPPER.writeValueAsBytes(root);
  }

  private static KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
