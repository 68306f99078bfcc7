package io.jscan.signing.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.payload.DsseEnvelope;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed Sigstore bundle (protobuf-specs sigstore_bundle.proto, JSON form): what was signed (a
 * message signature or a DSSE envelope), who signed it (a certificate, a chain, or a public-key
 * hint) and the evidence of when (transparency log entries, RFC 3161 timestamps).
 *
 * <p>Parsing only checks the document's shape and the version's rules; nothing here is trusted
 * until a verifier has checked it against a trusted root.
 */
public record SigstoreBundle(
    BundleVersion version,
    String mediaType,
    VerificationMaterial material,
    Content content,
    byte[] json) {

  public SigstoreBundle {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(material, "material");
    Objects.requireNonNull(content, "content");
    json = json.clone();
  }

  /** The original bytes (handed unchanged to Sigstore Java for keyless verification). */
  @Override
  public byte[] json() {
    return json.clone();
  }

  /** What was signed. */
  public sealed interface Content permits MessageSignature, Dsse {}

  /**
   * A signature over an artifact's bytes. {@code digest} is the bundle's unauthenticated hint of the
   * artifact's hash; verification compares it with the real artifact but never trusts it.
   */
  public record MessageSignature(Optional<DigestHint> digest, byte[] signature) implements Content {
    public MessageSignature {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(signature, "signature");
    }
  }

  /** A protobuf-specs HashOutput: algorithm ({@code sha256}, {@code sha384}, {@code sha512}) and value. */
  public record DigestHint(String algorithm, byte[] value) {
    public DigestHint {
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(value, "value");
    }

    /** The JCA name of the hash. */
    public String jcaName() {
      return switch (algorithm) {
        case "sha384" -> "SHA-384";
        case "sha512" -> "SHA-512";
        default -> "SHA-256";
      };
    }
  }

  /** A DSSE envelope (its payload usually an in-toto statement about the artifact). */
  public record Dsse(DsseEnvelope envelope) implements Content {
    public Dsse {
      Objects.requireNonNull(envelope, "envelope");
    }
  }

  /** Who signed and the evidence of when. Exactly one of publicKeyHint and certificates is set. */
  public record VerificationMaterial(
      Optional<String> publicKeyHint,
      List<X509Certificate> certificates,
      List<TlogEntry> tlogEntries,
      List<byte[]> rfc3161Timestamps) {
    public VerificationMaterial {
      Objects.requireNonNull(publicKeyHint, "publicKeyHint");
      certificates = List.copyOf(certificates);
      tlogEntries = List.copyOf(tlogEntries);
      rfc3161Timestamps = List.copyOf(rfc3161Timestamps);
      if (publicKeyHint.isPresent() == !certificates.isEmpty()) {
        throw new IllegalArgumentException("verification material needs either a public key or certificates");
      }
    }

    public boolean isPublicKey() {
      return publicKeyHint.isPresent();
    }
  }

  public static SigstoreBundle parse(byte[] json, String source) throws SigningException {
    String what = "parsing bundle " + source;
    JsonNode root = Json.object(json, what);
    String mediaType = Json.string(root, "mediaType", what);
    BundleVersion version = BundleVersion.parse(mediaType, what);
    VerificationMaterial material = material(Json.object(root, "verificationMaterial", what), version, what);

    boolean hasMessage = root.hasNonNull("messageSignature");
    boolean hasDsse = root.hasNonNull("dsseEnvelope");
    if (hasMessage == hasDsse) {
      throw SigningException.badInput(what, "a bundle needs exactly one of messageSignature and dsseEnvelope");
    }
    Content content;
    if (hasMessage) {
      JsonNode ms = Json.object(root, "messageSignature", what);
      Optional<DigestHint> digest = Optional.empty();
      if (ms.hasNonNull("messageDigest")) {
        JsonNode md = Json.object(ms, "messageDigest", what);
        String alg = Json.string(md, "algorithm", what);
        int size;
        String name;
        switch (alg) {
          case "SHA2_256" -> { name = "sha256"; size = 32; }
          case "SHA2_384" -> { name = "sha384"; size = 48; }
          case "SHA2_512" -> { name = "sha512"; size = 64; }
          // a hash we cannot compute cannot be compared with the artifact
          default -> throw SigningException.badInput(what, "unsupported messageDigest algorithm " + alg);
        }
        byte[] d = Json.base64(md, "digest", what);
        if (d.length != size) {
          throw SigningException.badInput(what, "messageDigest.digest has " + d.length + " bytes, expected " + size);
        }
        digest = Optional.of(new DigestHint(name, d));
      }
      content = new MessageSignature(digest, Json.base64(ms, "signature", what));
    } else {
      content = new Dsse(DsseEnvelope.fromJson(Json.object(root, "dsseEnvelope", what)));
    }
    return new SigstoreBundle(version, mediaType, material, content, json);
  }

  private static VerificationMaterial material(JsonNode vm, BundleVersion version, String what) throws SigningException {
    Optional<String> hint = Optional.empty();
    List<X509Certificate> certs = new ArrayList<>();
    int kinds = 0;
    if (vm.hasNonNull("publicKey")) {
      kinds++;
      JsonNode pk = Json.object(vm, "publicKey", what);
      hint = Optional.of(pk.hasNonNull("hint") ? Json.string(pk, "hint", what) : "");
    }
    if (vm.hasNonNull("x509CertificateChain")) {
      kinds++;
      JsonNode chain = Json.array(Json.object(vm, "x509CertificateChain", what), "certificates", what);
      for (JsonNode c : chain) {
        certs.add(certificate(Json.base64(c, "rawBytes", what), what));
      }
      if (certs.isEmpty()) {
        throw SigningException.badInput(what, "x509CertificateChain has no certificates");
      }
    }
    if (vm.hasNonNull("certificate")) {
      kinds++;
      if (version != BundleVersion.V0_3) {
        throw SigningException.badInput(what, "a single \"certificate\" is only allowed in v0.3 bundles");
      }
      certs.add(certificate(Json.base64(Json.object(vm, "certificate", what), "rawBytes", what), what));
    }
    if (kinds != 1) {
      throw SigningException.badInput(what, "verificationMaterial needs exactly one of publicKey, x509CertificateChain and certificate");
    }
    List<TlogEntry> entries = new ArrayList<>();
    if (vm.hasNonNull("tlogEntries")) {
      for (JsonNode e : Json.array(vm, "tlogEntries", what)) {
        entries.add(tlogEntry(e, version, what));
      }
    }
    List<byte[]> timestamps = new ArrayList<>();
    if (vm.hasNonNull("timestampVerificationData")) {
      JsonNode tvd = Json.object(vm, "timestampVerificationData", what);
      if (tvd.hasNonNull("rfc3161Timestamps")) {
        for (JsonNode t : Json.array(tvd, "rfc3161Timestamps", what)) {
          timestamps.add(Json.base64(t, "signedTimestamp", what));
        }
      }
    }
    return new VerificationMaterial(hint, certs, entries, timestamps);
  }

  private static TlogEntry tlogEntry(JsonNode e, BundleVersion version, String what) throws SigningException {
    long logIndex = Json.int64(e, "logIndex", what);
    byte[] logId = Json.base64(Json.object(e, "logId", what), "keyId", what);
    JsonNode kv = Json.object(e, "kindVersion", what);
    String kind = Json.string(kv, "kind", what);
    String kindVersion = Json.string(kv, "version", what);
    Optional<Long> integrated = Optional.empty();
    if (e.hasNonNull("integratedTime")) {
      long t = Json.int64(e, "integratedTime", what);
      // protobuf's default 0 means "absent" (Rekor v2 has no integrated time)
      integrated = t == 0 ? Optional.empty() : Optional.of(t);
    }
    Optional<byte[]> set = Optional.empty();
    if (e.hasNonNull("inclusionPromise")) {
      set = Optional.of(Json.base64(Json.object(e, "inclusionPromise", what), "signedEntryTimestamp", what));
    }
    Optional<TlogEntry.InclusionProof> proof = Optional.empty();
    if (e.hasNonNull("inclusionProof")) {
      JsonNode p = Json.object(e, "inclusionProof", what);
      List<byte[]> hashes = new ArrayList<>();
      if (p.hasNonNull("hashes")) {
        for (JsonNode h : Json.array(p, "hashes", what)) {
          if (!h.isTextual()) {
            throw SigningException.badInput(what, "inclusionProof.hashes holds a non-string");
          }
          hashes.add(Json.decodeBase64(h.asText(), "hashes", what));
        }
      }
      Optional<String> checkpoint = Optional.empty();
      if (p.hasNonNull("checkpoint")) {
        checkpoint = Optional.ofNullable(Json.optionalString(Json.object(p, "checkpoint", what), "envelope", what));
      }
      proof = Optional.of(new TlogEntry.InclusionProof(
          Json.int64(p, "logIndex", what), Json.base64(p, "rootHash", what), Json.int64(p, "treeSize", what), hashes, checkpoint));
    }
    // protobuf-specs: v0.1 bundles need the inclusion promise (SET); from v0.2 on the inclusion proof
    if (version == BundleVersion.V0_1 && set.isEmpty()) {
      throw SigningException.badInput(what, "a v0.1 bundle's log entry needs an inclusionPromise");
    }
    if (version != BundleVersion.V0_1 && proof.isEmpty()) {
      throw SigningException.badInput(what, "a " + version + " bundle's log entry needs an inclusionProof");
    }
    return new TlogEntry(logIndex, logId, kind, kindVersion, integrated, set, proof, Json.base64(e, "canonicalizedBody", what));
  }

  private static X509Certificate certificate(byte[] der, String what) throws SigningException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw SigningException.badInput(what, "invalid certificate: " + e.getMessage());
    }
  }
}
