package io.jscan.verifier;

import io.jscan.signing.oci.FoundEvidence;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Signatures and attestations found for an image, as an {@link EvidenceProvider} reports them
 * ({@link io.jscan.verifier.signatures.SignatureEvidence} is jscan's: cosign tags and Sigstore
 * bundle referrers). A signature or attestation that is present but does not verify under a trust
 * the caller requires ({@link Signature#enforced}: {@code jscan verify --key}) is a signature
 * failure (exit code 4) whatever the policies say, unless another one verified (see {@link
 * Verifier}); under a trust that only says whom the rules without keys of their own trust ({@code
 * jscan serve --key}) the rules alone judge it. Without a provider there is no evidence and the
 * {@code signature-required} and {@code sbom-required} rules report "no signature found" and "no
 * SBOM found".
 *
 * @param signatures each signature found, judged against the provider's trusted keys/identities
 * @param attestations each attestation found, judged likewise
 * @param attachments in-toto statements attached without a signature (informational only)
 * @param failures requirements the provider was asked to enforce and that failed (e.g. {@code
 *     --key} given but no signature found): each a signature failure (exit 4)
 * @param found the raw signatures and attestations, per digest, for rules that judge them against
 *     their own keys or identities ({@code signature-required} with {@code keys})
 */
public record Evidence(
    List<Signature> signatures, List<Attestation> attestations, List<Attachment> attachments, List<String> failures, List<FoundEvidence> found) {
  public Evidence {
    signatures = List.copyOf(signatures);
    attestations = List.copyOf(attestations);
    attachments = List.copyOf(attachments);
    failures = List.copyOf(failures);
    found = List.copyOf(found);
  }

  /** Judged signatures and attestations only (no unsigned attachments, requirement failures or raw material). */
  public Evidence(List<Signature> signatures, List<Attestation> attestations) {
    this(signatures, attestations, List.of(), List.of(), List.of());
  }

  /** Judged evidence and unsigned attachments. */
  public Evidence(List<Signature> signatures, List<Attestation> attestations, List<Attachment> attachments) {
    this(signatures, attestations, attachments, List.of(), List.of());
  }

  /** Judged evidence, requirement failures and the raw material (no unsigned attachments). */
  public Evidence(List<Signature> signatures, List<Attestation> attestations, List<String> failures, List<FoundEvidence> found) {
    this(signatures, attestations, List.of(), failures, found);
  }

  public static Evidence none() {
    return new Evidence(List.of(), List.of());
  }

  /** This evidence without the raw material ({@link #found()}), which reports do not need to keep. */
  public Evidence judged() {
    return new Evidence(signatures, attestations, attachments, failures, List.of());
  }

  /** This evidence and {@code other}'s, together (several providers look in different places). */
  public Evidence and(Evidence other) {
    List<Signature> s = new java.util.ArrayList<>(signatures);
    s.addAll(other.signatures);
    List<Attestation> a = new java.util.ArrayList<>(attestations);
    a.addAll(other.attestations);
    List<Attachment> t = new java.util.ArrayList<>(attachments);
    t.addAll(other.attachments);
    List<String> f = new java.util.ArrayList<>(failures);
    f.addAll(other.failures);
    List<FoundEvidence> r = new java.util.ArrayList<>(found);
    r.addAll(other.found);
    return new Evidence(s, a, t, f, r);
  }

  /**
   * An in-toto statement about the image that was found attached to it <b>without a signature</b>
   * (an OCI 1.1 referrer artifact, as {@code jscan build --sbom --provenance} writes without
   * {@code --sign}). Anyone who can write to the repository, layout or store can attach one, so it
   * is informational: it appears in the policy input with {@code verified: false}, and no built-in
   * rule lets it decide anything (fail closed). It is not a signature failure either: it makes no
   * claim to be signed.
   *
   * @param predicateType the statement's predicate type
   * @param artifact the digest of the artifact manifest that carried it
   * @param predicate the predicate as plain JSON values (maps, lists, strings, numbers, booleans)
   */
  public record Attachment(String predicateType, io.jscan.core.oci.Digest artifact, java.util.Map<String, Object> predicate) {
    public Attachment {
      Objects.requireNonNull(predicateType, "predicateType");
      Objects.requireNonNull(artifact, "artifact");
      predicate = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(predicate));
    }
  }

  /**
   * The {@link Attestation#kind()} of an attestation whose provider does not say where it was
   * stored; jscan's own say {@link io.jscan.signing.oci.ImageEvidenceVerifier#COSIGN} or {@link
   * io.jscan.signing.oci.ImageEvidenceVerifier#BUNDLE}.
   */
  public static final String IN_TOTO = "in-toto";

  /**
   * A signature over the image's manifest digest.
   *
   * @param kind how it is stored: {@code cosign} (a {@code sha256-<hex>.sig} tag), {@code
   *     sigstore-bundle} (an OCI referrer), ...
   * @param verified whether it verified against the trusted keys or identities
   * @param identity who signed, when it verified: the key ({@code key cosign.pub (fingerprint…)})
   *     or the certificate identity and issuer
   * @param detail one line: where it is stored, and what was checked or why it failed
   * @param logIndex the transparency log entry verified with it, when one was
   * @param enforced whether it was judged against a trust the caller requires of the image ({@code
   *     jscan verify --key} or the certificate options, as {@code cosign verify --key}): then, not
   *     verifying, it is a signature failure whatever the policies say (unless another signature
   *     verified). False when that trust only says whom the rules without keys of their own trust
   *     ({@code jscan serve --key}): a signature meant for a rule with its own keys is then judged
   *     by that rule alone, and the server's key does not veto it
   */
  public record Signature(String kind, boolean verified, Optional<String> identity, String detail, Optional<Long> logIndex, boolean enforced) {
    public Signature {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(logIndex, "logIndex");
    }

    /** Judged against a required trust (fail closed: one that does not verify is a failure). */
    public Signature(String kind, boolean verified, Optional<String> identity, String detail, Optional<Long> logIndex) {
      this(kind, verified, identity, detail, logIndex, true);
    }

    /** A signature whose log entry, if any, was not checked, judged against a required trust. */
    public Signature(String kind, boolean verified, Optional<String> identity, String detail) {
      this(kind, verified, identity, detail, Optional.empty(), true);
    }

    /** The same signature judged as {@code enforced} says. */
    public Signature enforced(boolean enforced) {
      return new Signature(kind, verified, identity, detail, logIndex, enforced);
    }
  }

  /**
   * An in-toto attestation about the image.
   *
   * @param predicateType e.g. {@code https://cyclonedx.org/bom}, {@code https://spdx.dev/Document},
   *     {@code https://slsa.dev/provenance/v1}
   * @param verified whether its envelope's signature verified
   * @param detail one line: where it is stored, and what was checked or why it failed
   * @param predicate the predicate as plain JSON values (maps, lists, strings, numbers), for CEL
   * @param kind how it is stored: {@code cosign} (the {@code sha256-<hex>.att} tag), {@code
   *     sigstore-bundle} (an OCI referrer), or {@code in-toto} when the provider does not say
   * @param identity who signed it, when it verified (as for {@link Signature#identity()})
   * @param logIndex the transparency log entry verified with it, when one was
   * @param enforced as for {@link Signature#enforced}: whether, not verifying, it is a signature
   *     failure whatever the policies say (unless another of its predicate type verified)
   */
  public record Attestation(
      String predicateType, boolean verified, String detail, java.util.Map<String, Object> predicate, String kind,
      Optional<String> identity, Optional<Long> logIndex, boolean enforced) {
    public Attestation {
      Objects.requireNonNull(predicateType, "predicateType");
      Objects.requireNonNull(detail, "detail");
      predicate = java.util.Map.copyOf(predicate);
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(logIndex, "logIndex");
    }

    /** Judged against a required trust (fail closed: one that does not verify is a failure). */
    public Attestation(
        String predicateType, boolean verified, String detail, java.util.Map<String, Object> predicate, String kind,
        Optional<String> identity, Optional<Long> logIndex) {
      this(predicateType, verified, detail, predicate, kind, identity, logIndex, true);
    }

    /** An attestation judged against a required trust by a provider that does not say where it was stored or who signed it. */
    public Attestation(String predicateType, boolean verified, String detail, java.util.Map<String, Object> predicate) {
      this(predicateType, verified, detail, predicate, IN_TOTO, Optional.empty(), Optional.empty(), true);
    }

    /** The same attestation judged as {@code enforced} says. */
    public Attestation enforced(boolean enforced) {
      return new Attestation(predicateType, verified, detail, predicate, kind, identity, logIndex, enforced);
    }

    /** Whether the predicate is a software bill of materials (CycloneDX or SPDX). */
    public boolean isSbom() {
      return predicateType.startsWith("https://cyclonedx.org/bom") || predicateType.startsWith("https://spdx.dev/Document");
    }
  }
}
