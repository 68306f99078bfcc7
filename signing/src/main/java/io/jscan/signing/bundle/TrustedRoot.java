package io.jscan.signing.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.io.InputLimit;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Sigstore trusted root ({@code application/vnd.dev.sigstore.trustedroot+json;version=0.1},
 * protobuf-specs sigstore_trustroot.proto): the keys of the transparency logs and CT logs, and the
 * certificate chains of the Fulcio CAs and timestamp authorities, each with the time range in which
 * it may be trusted. This is the only trust input of offline bundle verification.
 */
public record TrustedRoot(
    Path source,
    List<TransparencyLog> tlogs,
    List<TransparencyLog> ctlogs,
    List<CertificateAuthority> certificateAuthorities,
    List<CertificateAuthority> timestampAuthorities,
    byte[] json) {
  public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

  public TrustedRoot {
    Objects.requireNonNull(source, "source");
    tlogs = List.copyOf(tlogs);
    ctlogs = List.copyOf(ctlogs);
    certificateAuthorities = List.copyOf(certificateAuthorities);
    timestampAuthorities = List.copyOf(timestampAuthorities);
    json = json.clone();
  }

  /** The document's bytes, as read (handed to Sigstore Java for keyless verification). */
  @Override
  public byte[] json() {
    return json.clone();
  }

  /**
   * A trusted root that trusts nothing: for verifying key-signed bundles that carry no log entry
   * or timestamp (nothing else in them needs a root). Any log entry, timestamp or certificate
   * checked against it fails, as it should without a root to check it against.
   */
  public static TrustedRoot none() {
    return new TrustedRoot(Path.of("(no trusted root)"), List.of(), List.of(), List.of(), List.of(),
        ("{\"mediaType\":\"" + MEDIA_TYPE + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Reads and parses a trusted root file. */
  public static TrustedRoot read(Path file) throws SigningException {
    return parse(KeyFiles.read(file, InputLimit.TRUSTED_ROOT, "the trusted root"), file);
  }

  /** A closed time range [start, end]; an absent end means "still valid" (protobuf-specs TimeRange). */
  public record ValidFor(Instant start, Optional<Instant> end) {
    public ValidFor {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
    }

    public boolean contains(Instant t) {
      return !t.isBefore(start) && end.map(e -> !t.isAfter(e)).orElse(true);
    }
  }

  /** A log (Rekor or CT) identified by the SHA-256 of its public key. */
  public record TransparencyLog(URI baseUrl, PublicKey publicKey, String keyDetails, byte[] logId, ValidFor validFor) {
    public TransparencyLog {
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(publicKey, "publicKey");
      Objects.requireNonNull(keyDetails, "keyDetails");
      Objects.requireNonNull(logId, "logId");
      Objects.requireNonNull(validFor, "validFor");
    }
  }

  /** A CA or TSA: its chain from leaf-most to root, and when it may be trusted. */
  public record CertificateAuthority(URI uri, List<X509Certificate> chain, ValidFor validFor) {
    public CertificateAuthority {
      chain = List.copyOf(chain);
      Objects.requireNonNull(validFor, "validFor");
    }
  }

  /** The transparency log with this log id, if the root trusts one. */
  public Optional<TransparencyLog> tlog(byte[] logId) {
    return tlogs.stream().filter(l -> MessageDigest.isEqual(l.logId(), logId)).findFirst();
  }

  public static TrustedRoot parse(byte[] json, Path source) throws SigningException {
    String what = "parsing trusted root " + source;
    JsonNode root = Json.object(json, what);
    String mediaType = Json.string(root, "mediaType", what);
    if (!MEDIA_TYPE.equals(mediaType)) {
      throw SigningException.badInput(what, "unsupported media type \"" + mediaType + "\" (expected " + MEDIA_TYPE + ")");
    }
    return new TrustedRoot(
        source,
        logs(root, "tlogs", what),
        logs(root, "ctlogs", what),
        authorities(root, "certificateAuthorities", what),
        authorities(root, "timestampAuthorities", what),
        json);
  }

  private static List<TransparencyLog> logs(JsonNode root, String field, String what) throws SigningException {
    List<TransparencyLog> out = new ArrayList<>();
    if (!root.hasNonNull(field)) {
      return out;
    }
    for (JsonNode l : Json.array(root, field, what)) {
      JsonNode pk = Json.object(l, "publicKey", what);
      if (!pk.hasNonNull("rawBytes")) {
        continue; // a log entry without key material cannot verify anything; skip it rather than trust it
      }
      String details = pk.hasNonNull("keyDetails") ? Json.string(pk, "keyDetails", what) : "";
      byte[] raw = Json.base64(pk, "rawBytes", what);
      // protobuf-specs PublicKeyDetails: PKCS1_* keys are a bare PKCS#1 RSAPublicKey, the rest PKIX
      PublicKey key = details.startsWith("PKCS1_RSA") ? Keys.publicFromPkcs1Rsa(raw, what) : Keys.fromPkix(raw, what);
      out.add(new TransparencyLog(
          uri(Json.string(l, "baseUrl", what), what),
          key,
          details,
          Json.base64(Json.object(l, "logId", what), "keyId", what),
          validFor(pk.get("validFor"), what)));
    }
    return out;
  }

  private static List<CertificateAuthority> authorities(JsonNode root, String field, String what) throws SigningException {
    List<CertificateAuthority> out = new ArrayList<>();
    if (!root.hasNonNull(field)) {
      return out;
    }
    for (JsonNode a : Json.array(root, field, what)) {
      List<X509Certificate> chain = new ArrayList<>();
      for (JsonNode c : Json.array(Json.object(a, "certChain", what), "certificates", what)) {
        try {
          chain.add((X509Certificate) CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(Json.base64(c, "rawBytes", what))));
        } catch (CertificateException e) {
          throw SigningException.badInput(what, "invalid certificate in " + field + ": " + e.getMessage());
        }
      }
      out.add(new CertificateAuthority(uri(a.hasNonNull("uri") ? Json.string(a, "uri", what) : "", what), chain, validFor(a.get("validFor"), what)));
    }
    return out;
  }

  private static ValidFor validFor(JsonNode v, String what) throws SigningException {
    if (v == null || v.isNull() || !v.hasNonNull("start")) {
      // protobuf-specs: start is required; without it we cannot bound trust in time
      throw SigningException.badInput(what, "a key or authority has no validFor.start");
    }
    Instant start = instant(Json.string(v, "start", what), what);
    Optional<Instant> end = v.hasNonNull("end") ? Optional.of(instant(Json.string(v, "end", what), what)) : Optional.empty();
    return new ValidFor(start, end);
  }

  private static Instant instant(String s, String what) throws SigningException {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw SigningException.badInput(what, "invalid timestamp \"" + s + "\"");
    }
  }

  private static URI uri(String s, String what) throws SigningException {
    try {
      return URI.create(s);
    } catch (IllegalArgumentException e) {
      throw SigningException.badInput(what, "invalid URL \"" + s + "\"");
    }
  }
}
