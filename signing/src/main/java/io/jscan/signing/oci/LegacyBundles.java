package io.jscan.signing.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.oci.Digest;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.BundleVersion;
import io.jscan.signing.bundle.SigstoreBundle;
import io.jscan.signing.key.Keys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the evidence cosign keeps in the annotations of a {@code .sig}/{@code .att} layer (the
 * Fulcio certificate and chain, the Rekor "bundle": signed entry timestamp, body, integrated time,
 * index, log id) as a v0.1 Sigstore bundle, so that one verifier checks both storage formats.
 * Nothing here is trusted: the bundle is verified like any other.
 */
final class LegacyBundles {
  private LegacyBundles() {}

  /** A message-signature bundle for a simple-signing payload and its signature. */
  static SigstoreBundle messageSignature(byte[] payload, byte[] signature, Map<String, String> annotations, Optional<PublicKey> key)
      throws SigningException {
    ObjectNode root = skeleton(annotations, key);
    ObjectNode ms = root.putObject("messageSignature");
    ObjectNode md = ms.putObject("messageDigest");
    md.put("algorithm", "SHA2_256");
    md.put("digest", Base64.getEncoder().encodeToString(HexFormat.of().parseHex(Digest.sha256(payload).encoded())));
    ms.put("signature", Base64.getEncoder().encodeToString(signature));
    return parse(root);
  }

  /** A DSSE bundle for an attestation layer's envelope. */
  static SigstoreBundle dsse(byte[] envelope, Map<String, String> annotations, Optional<PublicKey> key) throws SigningException {
    ObjectNode root = skeleton(annotations, key);
    root.set("dsseEnvelope", Json.object(envelope, "reading DSSE envelope"));
    return parse(root);
  }

  /** Whether the layer carries a Rekor entry. */
  static boolean hasLogEntry(Map<String, String> annotations) {
    return annotations.containsKey(Conventions.REKOR_BUNDLE_ANNOTATION);
  }

  private static ObjectNode skeleton(Map<String, String> annotations, Optional<PublicKey> key) throws SigningException {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("mediaType", BundleVersion.V0_1.mediaType());
    ObjectNode vm = root.putObject("verificationMaterial");
    String cert = annotations.get(Conventions.CERTIFICATE_ANNOTATION);
    if (cert != null && !cert.isEmpty()) {
      ArrayNode certs = vm.putObject("x509CertificateChain").putArray("certificates");
      certs.addObject().put("rawBytes", Base64.getEncoder().encodeToString(encoded(certificates(cert, Conventions.CERTIFICATE_ANNOTATION).get(0))));
      String chain = annotations.get(Conventions.CHAIN_ANNOTATION);
      if (chain != null && !chain.isEmpty()) {
        for (X509Certificate c : certificates(chain, Conventions.CHAIN_ANNOTATION)) {
          // the trust anchor comes from the trusted root, never from the signature: cosign's chain
          // annotation ends with the root, which the bundle format says to leave out
          if (!selfSigned(c)) {
            certs.addObject().put("rawBytes", Base64.getEncoder().encodeToString(encoded(c)));
          }
        }
      }
    } else {
      vm.putObject("publicKey").put("hint", key.map(Keys::hint).orElse(""));
    }
    String rekor = annotations.get(Conventions.REKOR_BUNDLE_ANNOTATION);
    if (rekor != null) {
      vm.putArray("tlogEntries").add(tlogEntry(rekor));
    }
    return root;
  }

  /** cosign's {@code {"SignedEntryTimestamp":…,"Payload":{"body":…,"integratedTime":…,"logIndex":…,"logID":…}}} as a bundle entry. */
  private static ObjectNode tlogEntry(String annotation) throws SigningException {
    String what = "reading " + Conventions.REKOR_BUNDLE_ANNOTATION;
    JsonNode rekor = Json.object(annotation.getBytes(StandardCharsets.UTF_8), what);
    JsonNode payload = Json.object(rekor, "Payload", what);
    String body = Json.string(payload, "body", what);
    JsonNode decoded = Json.object(Json.decodeBase64(body, "body", what), what + " body");
    String logId = Json.string(payload, "logID", what);
    byte[] logIdBytes;
    try {
      logIdBytes = HexFormat.of().parseHex(logId);
    } catch (IllegalArgumentException e) {
      throw SigningException.badInput(what, "\"logID\" is not hex");
    }
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.put("logIndex", Long.toString(Json.int64(payload, "logIndex", what)));
    e.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(logIdBytes));
    ObjectNode kv = e.putObject("kindVersion");
    kv.put("kind", Json.string(decoded, "kind", what + " body"));
    kv.put("version", Json.string(decoded, "apiVersion", what + " body"));
    e.put("integratedTime", Long.toString(Json.int64(payload, "integratedTime", what)));
    e.putObject("inclusionPromise").put("signedEntryTimestamp", Json.string(rekor, "SignedEntryTimestamp", what));
    e.put("canonicalizedBody", body);
    return e;
  }

  private static List<X509Certificate> certificates(String pem, String annotation) throws SigningException {
    try {
      Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : all) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw SigningException.badInput("reading " + annotation, "no certificate in the PEM");
      }
      return out;
    } catch (CertificateException e) {
      throw SigningException.badInput("reading " + annotation, "malformed PEM certificate: " + e.getMessage());
    }
  }

  private static byte[] encoded(X509Certificate c) throws SigningException {
    try {
      return c.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw SigningException.badInput("reading certificate", e.getMessage());
    }
  }

  private static boolean selfSigned(X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static SigstoreBundle parse(ObjectNode root) throws SigningException {
    try {
      return SigstoreBundle.parse(Json.MAPPER.writeValueAsBytes(root), "(cosign signature annotations)");
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize an in-memory JSON tree", e);
    }
  }
}
