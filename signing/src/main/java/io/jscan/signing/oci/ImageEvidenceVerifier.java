package io.jscan.signing.oci;

import io.jscan.core.oci.Digest;
import io.jscan.signing.SigningException;
import io.jscan.signing.Verifiers;
import io.jscan.signing.bundle.Artifact;
import io.jscan.signing.bundle.BundleVerifier;
import io.jscan.signing.bundle.CertificateIdentity;
import io.jscan.signing.bundle.SigstoreBundle;
import io.jscan.signing.bundle.TrustedRoot;
import io.jscan.signing.bundle.VerificationPolicy;
import io.jscan.signing.bundle.VerifiedBundle;
import io.jscan.signing.payload.DsseEnvelope;
import io.jscan.signing.payload.InTotoStatement;
import io.jscan.signing.payload.SimpleSigningPayload;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges found signatures and attestations ({@link FoundEvidence}) against a {@link TrustPolicy}:
 * a pure computation over values, so it is thread-safe and can run per admission request.
 *
 * <p>A signature counts only if all of these hold (each failure names its reason):
 * <ol>
 *   <li>it can be read (base64, JSON, PEM; a malformed one fails, it is never skipped);
 *   <li>its signature verifies under a trusted key, or its certificate chains to the trusted
 *       root's Fulcio CA, matches a trusted identity and was valid when the transparency log
 *       recorded it;
 *   <li>the signed content names exactly the digest being verified: the simple-signing payload's
 *       {@code docker-manifest-digest}, or a subject of the in-toto statement. A signature copied
 *       from another image verifies cryptographically and fails here;
 *   <li>a transparency log entry verifies when one is required (always for keyless).
 * </ol>
 * The signature is checked before the payload is parsed: nothing unauthenticated is interpreted.
 */
public final class ImageEvidenceVerifier {
  /** {@link EvidenceCheck#format()} of a signature or attestation in a cosign {@code .sig}/{@code .att} tag. */
  public static final String COSIGN = "cosign";
  /** {@link EvidenceCheck#format()} of a Sigstore bundle stored as an OCI referrer. */
  public static final String BUNDLE = "sigstore-bundle";

  private ImageEvidenceVerifier() {}

  public static VerifiedEvidence verify(FoundEvidence found, TrustPolicy trust) {
    List<EvidenceCheck> checks = new ArrayList<>();
    for (FoundEvidence.Candidate c : found.candidates()) {
      checks.add(check(c, found.subject(), trust));
    }
    return new VerifiedEvidence(found.subject(), found.location(), checks);
  }

  static EvidenceCheck check(FoundEvidence.Candidate candidate, Digest subject, TrustPolicy trust) {
    if (candidate instanceof FoundEvidence.Unreadable u) {
      return EvidenceCheck.failed(u.kind(), u.source().contains("(referrer)") ? BUNDLE : COSIGN, u.source(), "unreadable: " + u.reason());
    }
    if (candidate instanceof FoundEvidence.CosignSignature s) {
      return cosignSignature(s, subject, trust);
    }
    if (candidate instanceof FoundEvidence.CosignAttestation a) {
      return cosignAttestation(a, subject, trust);
    }
    return bundle((FoundEvidence.BundleReferrer) candidate, subject, trust);
  }

  // ---------------------------------------------------------------- cosign .sig layers

  private static EvidenceCheck cosignSignature(FoundEvidence.CosignSignature s, Digest subject, TrustPolicy trust) {
    FoundEvidence.Kind kind = FoundEvidence.Kind.SIGNATURE;
    String b64 = s.annotations().get(Conventions.SIGNATURE_ANNOTATION);
    if (b64 == null) {
      return EvidenceCheck.failed(kind, COSIGN, s.source(), "the layer has no " + Conventions.SIGNATURE_ANNOTATION + " annotation");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException e) {
      return EvidenceCheck.failed(kind, COSIGN, s.source(), "malformed base64 in the " + Conventions.SIGNATURE_ANNOTATION + " annotation");
    }
    byte[] payload = s.payload();
    Result signed;
    if (s.annotations().containsKey(Conventions.CERTIFICATE_ANNOTATION)) {
      if (trust.identities().isEmpty()) {
        return EvidenceCheck.failed(kind, COSIGN, s.source(),
            "signed with a certificate (keyless), but no certificate identity is trusted (give --certificate-identity and --certificate-oidc-issuer)");
      }
      signed = keyless(s.annotations(), subject, trust, () -> LegacyBundles.messageSignature(payload, signature, s.annotations(), Optional.empty()),
          Artifact.ofDigest(Digest.sha256(payload)));
      if (signed.failure().isPresent()) {
        return EvidenceCheck.failed(kind, COSIGN, s.source(), signed.failure().get());
      }
    } else {
      if (trust.keys().isEmpty()) {
        return EvidenceCheck.failed(kind, COSIGN, s.source(), "signed with a key, but no public key is trusted (give --key)");
      }
      signed = underKeys(trust, key -> {
        Verifiers.of(key.key()).verify(payload, signature);
        return trust.requireTlog()
            ? requireLogged(s.annotations(), trust, key,
                () -> LegacyBundles.messageSignature(payload, signature, s.annotations(), Optional.of(key.key())), Artifact.ofDigest(Digest.sha256(payload)))
            : Optional.empty();
      });
      if (signed.failure().isPresent()) {
        return EvidenceCheck.failed(kind, COSIGN, s.source(), signed.failure().get());
      }
    }
    // authenticated: now the payload may be read, and it must be about this very manifest
    SimpleSigningPayload parsed;
    try {
      parsed = SimpleSigningPayload.parse(payload);
    } catch (SigningException e) {
      return EvidenceCheck.failed(kind, COSIGN, s.source(), "malformed payload: " + e.getMessage());
    }
    if (!parsed.manifestDigest().toString().equals(subject.toString())) {
      return EvidenceCheck.failed(kind, COSIGN, s.source(),
          "the payload signs manifest " + parsed.manifestDigest() + ", not " + subject + " (a signature copied from another image)");
    }
    return new EvidenceCheck(kind, COSIGN, s.source(), true, signed.signer(),
        "verified: simple-signing payload for " + subject + " (" + parsed.dockerReference() + ")", Optional.empty(), signed.logIndex());
  }

  // ---------------------------------------------------------------- cosign .att layers

  private static EvidenceCheck cosignAttestation(FoundEvidence.CosignAttestation a, Digest subject, TrustPolicy trust) {
    FoundEvidence.Kind kind = FoundEvidence.Kind.ATTESTATION;
    DsseEnvelope envelope;
    try {
      envelope = DsseEnvelope.parse(a.envelope());
    } catch (SigningException e) {
      return EvidenceCheck.failed(kind, COSIGN, a.source(), "malformed DSSE envelope: " + e.getMessage());
    }
    Result signed;
    if (a.annotations().containsKey(Conventions.CERTIFICATE_ANNOTATION)) {
      if (trust.identities().isEmpty()) {
        return EvidenceCheck.failed(kind, COSIGN, a.source(),
            "signed with a certificate (keyless), but no certificate identity is trusted (give --certificate-identity and --certificate-oidc-issuer)");
      }
      signed = keyless(a.annotations(), subject, trust, () -> LegacyBundles.dsse(a.envelope(), a.annotations(), Optional.empty()), Artifact.ofDigest(subject));
      if (signed.failure().isPresent()) {
        return EvidenceCheck.failed(kind, COSIGN, a.source(), withSubjects(signed.failure().get(), envelope, subject));
      }
    } else {
      if (trust.keys().isEmpty()) {
        return EvidenceCheck.failed(kind, COSIGN, a.source(), "signed with a key, but no public key is trusted (give --key)");
      }
      signed = underKeys(trust, key -> {
        envelope.verify(Verifiers.of(key.key()));
        return trust.requireTlog()
            ? requireLogged(a.annotations(), trust, key, () -> LegacyBundles.dsse(a.envelope(), a.annotations(), Optional.of(key.key())), Artifact.ofDigest(subject))
            : Optional.empty();
      });
      if (signed.failure().isPresent()) {
        return EvidenceCheck.failed(kind, COSIGN, a.source(), signed.failure().get());
      }
    }
    InTotoStatement statement;
    try {
      statement = envelope.statement();
    } catch (SigningException e) {
      return EvidenceCheck.failed(kind, COSIGN, a.source(), "malformed statement: " + e.getMessage());
    }
    if (!statement.hasSubject(subject)) {
      return EvidenceCheck.failed(kind, COSIGN, a.source(), aboutAnotherImage(statement, subject));
    }
    return new EvidenceCheck(kind, COSIGN, a.source(), true, signed.signer(),
        "verified: " + statement.predicateType() + " attestation about " + subject, Optional.of(statement), signed.logIndex());
  }

  // ---------------------------------------------------------------- Sigstore bundle referrers

  private static EvidenceCheck bundle(FoundEvidence.BundleReferrer b, Digest subject, TrustPolicy trust) {
    FoundEvidence.Kind kind = b.kind();
    SigstoreBundle bundle;
    try {
      bundle = SigstoreBundle.parse(b.bundle(), b.source());
    } catch (SigningException e) {
      return EvidenceCheck.failed(kind, BUNDLE, b.source(), "malformed bundle: " + e.getMessage());
    }
    // classify by the content itself (the referrer's annotation is not signed)
    Optional<InTotoStatement> unverified = Optional.empty();
    if (bundle.content() instanceof SigstoreBundle.Dsse d) {
      try {
        unverified = Optional.of(d.envelope().statement());
        kind = Conventions.COSIGN_SIGN_PREDICATE_TYPE.equals(unverified.get().predicateType()) ? FoundEvidence.Kind.SIGNATURE : FoundEvidence.Kind.ATTESTATION;
      } catch (SigningException e) {
        return EvidenceCheck.failed(kind, BUNDLE, b.source(), "malformed statement: " + e.getMessage());
      }
    } else {
      kind = FoundEvidence.Kind.SIGNATURE;
    }
    Artifact artifact = Artifact.ofDigest(subject);
    List<String> failures = new ArrayList<>();
    Optional<VerifiedBundle> ok = Optional.empty();
    String signer = null;
    if (bundle.material().isPublicKey()) {
      if (trust.keys().isEmpty()) {
        return EvidenceCheck.failed(kind, BUNDLE, b.source(), "signed with a key, but no public key is trusted (give --key)");
      }
      for (TrustPolicy.TrustedKey key : trust.keys()) {
        try {
          ok = Optional.of(BundleVerifier.verify(bundle, artifact, new VerificationPolicy.Key(key.key(), trust.requireTlog()), root(trust)));
          signer = key.describe();
          break;
        } catch (SigningException e) {
          failures.add(label(trust.keys().size() > 1, key.describe(), e.getMessage()));
        }
      }
    } else {
      if (trust.identities().isEmpty()) {
        return EvidenceCheck.failed(kind, BUNDLE, b.source(),
            "signed with a certificate (keyless), but no certificate identity is trusted (give --certificate-identity and --certificate-oidc-issuer)");
      }
      for (CertificateIdentity identity : trust.identities()) {
        try {
          ok = Optional.of(BundleVerifier.verify(bundle, artifact, new VerificationPolicy.Identity(identity), trust.trustedRoot().orElseThrow()));
          signer = ok.get().signer();
          break;
        } catch (SigningException e) {
          failures.add(label(trust.identities().size() > 1, identity.toString(), e.getMessage()));
        }
      }
    }
    if (ok.isEmpty()) {
      String reason = String.join("; ", new LinkedHashSet<>(failures));
      if (unverified.isPresent() && !unverified.get().hasSubject(subject)) {
        reason = aboutAnotherImage(unverified.get(), subject) + ": " + reason;
      }
      return EvidenceCheck.failed(kind, BUNDLE, b.source(), reason);
    }
    Optional<InTotoStatement> statement = ok.get().statement();
    boolean isSignature = kind == FoundEvidence.Kind.SIGNATURE;
    String what = statement.map(s -> isSignature ? "signature statement" : s.predicateType() + " attestation").orElse("message signature");
    String logged = ok.get().logIndex().map(i -> ", log index " + i).orElse(", no transparency log entry");
    return new EvidenceCheck(kind, BUNDLE, b.source(), true, Optional.of(signer), "verified: " + what + " about " + subject + logged,
        isSignature ? Optional.empty() : statement, ok.get().logIndex());
  }

  // ---------------------------------------------------------------- helpers

  /** The outcome of trying each trusted key or identity: who verified and the log entry verified with it, or why none did. */
  private record Result(Optional<String> signer, Optional<Long> logIndex, Optional<String> failure) {
    static Result failure(String why) {
      return new Result(Optional.empty(), Optional.empty(), Optional.of(why));
    }

    static Result verified(String signer, Optional<Long> logIndex) {
      return new Result(Optional.of(signer), logIndex, Optional.empty());
    }
  }

  /** Verifies under one key; returns the index of the log entry it checked, if it checked one. */
  @FunctionalInterface
  private interface KeyCheck {
    Optional<Long> verify(TrustPolicy.TrustedKey key) throws SigningException;
  }

  @FunctionalInterface
  private interface BundleMaker {
    SigstoreBundle make() throws SigningException;
  }

  private static Result underKeys(TrustPolicy trust, KeyCheck check) {
    Set<String> failures = new LinkedHashSet<>();
    for (TrustPolicy.TrustedKey key : trust.keys()) {
      try {
        Optional<Long> logged = check.verify(key);
        return Result.verified(key.describe(), logged);
      } catch (SigningException e) {
        failures.add(label(trust.keys().size() > 1, key.describe(), e.getMessage()));
      }
    }
    return Result.failure(String.join("; ", failures));
  }

  /** A legacy keyless signature: its annotations read as a v0.1 bundle, verified for each trusted identity. */
  private static Result keyless(Map<String, String> annotations, Digest subject, TrustPolicy trust, BundleMaker maker, Artifact artifact) {
    SigstoreBundle bundle;
    try {
      bundle = maker.make();
    } catch (SigningException e) {
      return Result.failure("malformed keyless evidence: " + e.getMessage());
    }
    Set<String> failures = new LinkedHashSet<>();
    for (CertificateIdentity identity : trust.identities()) {
      try {
        VerifiedBundle v = BundleVerifier.verify(bundle, artifact, new VerificationPolicy.Identity(identity), trust.trustedRoot().orElseThrow());
        return Result.verified(v.signer(), v.logIndex());
      } catch (SigningException e) {
        failures.add(label(trust.identities().size() > 1, identity.toString(), e.getMessage()));
      }
    }
    return Result.failure(String.join("; ", failures));
  }

  /** With a log required, the layer's Rekor entry must be there and verify for this signature and key; returns its index. */
  private static Optional<Long> requireLogged(Map<String, String> annotations, TrustPolicy trust, TrustPolicy.TrustedKey key, BundleMaker maker,
      Artifact artifact) throws SigningException {
    if (!LegacyBundles.hasLogEntry(annotations)) {
      // fail closed: the policy asked for proof that the signature was published
      throw SigningException.integrity("checking transparency log", "no transparency log entry (" + Conventions.REKOR_BUNDLE_ANNOTATION
          + " annotation), which the policy requires");
    }
    return BundleVerifier.verify(maker.make(), artifact, new VerificationPolicy.Key(key.key(), true), root(trust)).logIndex();
  }

  private static TrustedRoot root(TrustPolicy trust) {
    return trust.trustedRoot().orElseGet(TrustedRoot::none);
  }

  private static String label(boolean several, String who, String message) {
    return several ? "under " + who + ": " + message : message;
  }

  private static String aboutAnotherImage(InTotoStatement statement, Digest subject) {
    List<String> subjects = new ArrayList<>();
    for (InTotoStatement.Subject s : statement.subjects()) {
      s.digest().forEach((alg, hex) -> subjects.add(alg + ":" + hex));
    }
    return "the attestation is about " + String.join(", ", subjects) + ", not " + subject + " (made for another image)";
  }

  private static String withSubjects(String failure, DsseEnvelope envelope, Digest subject) {
    try {
      InTotoStatement st = envelope.statement();
      return st.hasSubject(subject) ? failure : aboutAnotherImage(st, subject) + ": " + failure;
    } catch (SigningException e) {
      return failure;
    }
  }
}
