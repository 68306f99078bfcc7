package io.jscan.signing.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.oci.Digest;
import io.jscan.signing.Json;
import io.jscan.signing.SignatureAlgorithm;
import io.jscan.signing.SigningException;
import io.jscan.signing.Verifier;
import io.jscan.signing.Verifiers;
import io.jscan.signing.payload.DsseEnvelope;
import io.jscan.signing.payload.InTotoStatement;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * jscan's own checks of what a bundle signs and of its log and timestamp evidence, for a signer
 * already established (a trusted key, or a Fulcio certificate whose chain was verified):
 *
 * <ol>
 *   <li>the signature (over the artifact, or over the DSSE PAE) under the signer's key;
 *   <li>for DSSE, that the artifact is a subject of the in-toto statement;
 *   <li>each transparency log entry: its log evidence ({@link RekorEntries}) and that its body
 *       records this very signature, signer and artifact (else a valid entry for something else
 *       could be attached);
 *   <li>each RFC 3161 timestamp ({@link Rfc3161}).
 * </ol>
 */
final class EvidenceVerifier {
  private EvidenceVerifier() {}

  /** What the evidence established. {@code times} are the verified signing times (log and TSA). */
  record Evidence(byte[] signature, Optional<InTotoStatement> statement, List<Instant> times, Optional<Long> logIndex) {}

  static Evidence verify(SigstoreBundle bundle, Artifact artifact, SignerMaterial signer, TrustedRoot root, boolean requireTlog)
      throws SigningException {
    String what = "verifying bundle";
    Verifier verifier = Verifiers.of(signer.publicKey());

    byte[] signature;
    Optional<InTotoStatement> statement = Optional.empty();
    if (bundle.content() instanceof SigstoreBundle.MessageSignature ms) {
      if (ms.digest().isPresent()) {
        SigstoreBundle.DigestHint hint = ms.digest().get();
        if (!MessageDigest.isEqual(hint.value(), artifact.digest(hint.jcaName()))) {
          throw SigningException.integrity(what, "the bundle's message digest does not match digest of the artifact " + artifact.sha256());
        }
      }
      signature = ms.signature();
      verifyMessage(verifier, artifact, signature);
    } else {
      DsseEnvelope env = ((SigstoreBundle.Dsse) bundle.content()).envelope();
      if (env.signatures().size() != 1) {
        // a bundle's log entry records one signature; extra unlogged ones must not ride along
        throw SigningException.integrity(what, "a bundle's DSSE envelope must have exactly one signature, found " + env.signatures().size());
      }
      env.verify(verifier);
      InTotoStatement st = env.statement();
      if (!st.hasSubject(artifact.sha256())) {
        throw SigningException.integrity(what, "the artifact digest " + artifact.sha256() + " does not match any subject of the attestation");
      }
      statement = Optional.of(st);
      signature = env.signatures().get(0).sig();
    }

    List<Instant> times = new ArrayList<>();
    Optional<Long> logIndex = Optional.empty();
    if (bundle.material().tlogEntries().isEmpty() && requireTlog) {
      // fail closed: without a log entry nothing shows the signature was public when made, and a
      // stolen key could sign in secret; the caller must opt out explicitly
      throw SigningException.integrity(what, "the bundle has no transparency log entry (pass --insecure-ignore-tlog to accept that)");
    }
    for (TlogEntry entry : bundle.material().tlogEntries()) {
      RekorEntries.verify(entry, root).ifPresent(times::add);
      checkBody(entry, bundle, artifact, signer, signature);
      if (logIndex.isEmpty()) {
        logIndex = Optional.of(entry.logIndex());
      }
    }
    for (byte[] ts : bundle.material().rfc3161Timestamps()) {
      times.add(Rfc3161.verify(ts, signature, root));
    }
    if (requireTlog && times.isEmpty()) {
      // a Rekor v2 entry has no integrated time; then a verified timestamp must date the signature
      throw SigningException.integrity(what, "nothing in the bundle proves when it was signed (no integrated time, no timestamp)");
    }
    return new Evidence(signature, statement, times, logIndex);
  }

  private static void verifyMessage(Verifier verifier, Artifact artifact, byte[] signature) throws SigningException {
    SignatureAlgorithm alg = verifier.algorithm();
    boolean sha256Scheme = alg.hashJcaName().map("SHA-256"::equals).orElse(false) && alg != SignatureAlgorithm.RSA_PSS_SHA256;
    if (sha256Scheme) {
      // the digest is already known: no need to hold the artifact in memory
      verifier.verifyDigest(artifact.digestBytes(), signature);
    } else {
      verifier.verify(artifact.content(), signature);
    }
  }

  /** The log entry must be about this signature by this signer over this artifact. */
  private static void checkBody(TlogEntry entry, SigstoreBundle bundle, Artifact artifact, SignerMaterial signer, byte[] signature)
      throws SigningException {
    String what = "checking transparency log entry " + entry.logIndex();
    JsonNode body;
    try {
      body = Json.object(entry.canonicalizedBody(), what);
    } catch (SigningException e) {
      throw SigningException.integrity(what, "the entry body is not JSON");
    }
    String kind = text(body, what, "kind");
    String apiVersion = text(body, what, "apiVersion");
    if (!kind.equals(entry.kind()) || !apiVersion.equals(entry.version())) {
      throw SigningException.integrity(what, "the entry body is " + kind + " " + apiVersion + " but the bundle says " + entry.kind() + " " + entry.version());
    }
    JsonNode spec = body.path("spec");
    String kv = kind + " " + apiVersion;
    switch (kv) {
      case "hashedrekord 0.0.1" -> {
        if (!(bundle.content() instanceof SigstoreBundle.MessageSignature)) {
          throw SigningException.integrity(what, "a hashedrekord entry for a DSSE bundle");
        }
        String alg = text(spec, what, "data", "hash", "algorithm");
        String value = text(spec, what, "data", "hash", "value");
        String jca = switch (alg) {
          case "sha256" -> "SHA-256";
          case "sha384" -> "SHA-384";
          case "sha512" -> "SHA-512";
          default -> throw SigningException.integrity(what, "unsupported hash " + alg + " in the entry");
        };
        if (!value.equals(HexFormat.of().formatHex(artifact.digest(jca)))) {
          throw SigningException.integrity(what, "the entry records artifact " + alg + ":" + value + ", which is not this artifact; provided verification materials are inconsistent with log entry");
        }
        requireSignature(decode(text(spec, what, "signature", "content"), what), signature, what);
        requireSigner(decode(text(spec, what, "signature", "publicKey", "content"), what), signer, what);
      }
      case "dsse 0.0.1" -> {
        DsseEnvelope env = dsse(bundle, what);
        requirePayloadHash(spec.path("payloadHash"), env, what);
        boolean found = false;
        for (JsonNode s : spec.path("signatures")) {
          if (MessageDigest.isEqual(decode(text(s, what, "signature"), what), signature)) {
            requireSigner(decode(text(s, what, "verifier"), what), signer, what);
            found = true;
          }
        }
        if (!found) {
          throw SigningException.integrity(what, "the entry does not record the envelope's signature");
        }
      }
      case "intoto 0.0.2" -> {
        DsseEnvelope env = dsse(bundle, what);
        requirePayloadHash(spec.path("content").path("payloadHash"), env, what);
        boolean found = false;
        for (JsonNode s : spec.path("content").path("envelope").path("signatures")) {
          // intoto 0.0.2 stores the signature base64-encoded twice
          byte[] sig = decode(new String(decode(text(s, what, "sig"), what), StandardCharsets.US_ASCII), what);
          if (MessageDigest.isEqual(sig, signature)) {
            requireSigner(decode(text(s, what, "publicKey"), what), signer, what);
            found = true;
          }
        }
        if (!found) {
          throw SigningException.integrity(what, "the entry does not record the envelope's signature");
        }
      }
      // an entry type we cannot read could record anything; accepting it would accept an unchecked claim
      default -> throw SigningException.integrity(what, "unsupported entry type " + kv);
    }
  }

  private static DsseEnvelope dsse(SigstoreBundle bundle, String what) throws SigningException {
    if (bundle.content() instanceof SigstoreBundle.Dsse d) {
      return d.envelope();
    }
    throw SigningException.integrity(what, "a DSSE entry for a message-signature bundle");
  }

  private static void requirePayloadHash(JsonNode payloadHash, DsseEnvelope env, String what) throws SigningException {
    String alg = text(payloadHash, what, "algorithm");
    String value = text(payloadHash, what, "value");
    String actual = HexFormat.of().formatHex(Digest.sha256Digest().digest(env.payload()));
    if (!alg.equals("sha256") || !value.equals(actual)) {
      throw SigningException.integrity(what, "the entry records another DSSE payload");
    }
  }

  private static void requireSigner(byte[] pem, SignerMaterial signer, String what) throws SigningException {
    if (!signer.isLogged(pem)) {
      throw SigningException.integrity(what, "the entry was logged for another public key or certificate");
    }
  }

  private static void requireSignature(byte[] logged, byte[] actual, String what) throws SigningException {
    if (!MessageDigest.isEqual(logged, actual)) {
      throw SigningException.integrity(what, "the entry records another signature");
    }
  }

  private static byte[] decode(String b64, String what) throws SigningException {
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw SigningException.integrity(what, "the entry holds invalid base64");
    }
  }

  private static String text(JsonNode node, String what, String... path) throws SigningException {
    JsonNode n = node;
    for (String p : path) {
      n = n.path(p);
    }
    if (!n.isTextual()) {
      throw SigningException.integrity(what, "the entry body lacks " + String.join(".", path));
    }
    return n.asText();
  }
}
