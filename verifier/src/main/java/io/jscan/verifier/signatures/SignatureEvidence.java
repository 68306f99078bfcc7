package io.jscan.verifier.signatures;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageReference;
import io.jscan.signing.Json;
import io.jscan.signing.oci.EvidenceCheck;
import io.jscan.signing.oci.EvidenceFinder;
import io.jscan.signing.oci.FoundEvidence;
import io.jscan.signing.oci.ImageEvidenceVerifier;
import io.jscan.signing.oci.SignatureStore;
import io.jscan.signing.oci.SignatureStores;
import io.jscan.signing.oci.TrustPolicy;
import io.jscan.signing.oci.VerifiedEvidence;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.EvidenceProvider;
import io.jscan.verifier.VerifierException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * jscan's {@link EvidenceProvider}: finds an image's signatures and attestations where cosign and
 * Sigstore clients store them (OCI referrers first, then the {@code .sig}/{@code .att} tags), for
 * the digest the user named and, for an index, the platform image's digest too, and judges each
 * against a {@link TrustPolicy}.
 *
 * <p>Immutable and thread-safe (the admission webhook shares one between requests): the trust
 * policy is a value, and each {@link #collect} only reads. For a server:
 *
 * <pre>{@code
 * TrustPolicy trust = new TrustPolicy(List.of(new TrustPolicy.TrustedKey("release", KeyFiles.readPublicKey(pub))),
 *     List.of(), Optional.empty(), false);
 * EvidenceProvider evidence = new SignatureEvidence(SignatureStores.registryOnly(registryClient), trust, true);
 * Verifier verifier = new Verifier(VerifierOptions.defaults().withEvidence(evidence));
 * }</pre>
 *
 * <p>With {@code signatureRequired} (the command line's {@code --key} or identity options, which
 * {@code jscan verify} requires of the image as {@code cosign verify --key} does) an image without
 * any verified signature gets a requirement failure (exit 4): "no signature found" when there is
 * none at all, and each signature or attestation that does not verify under the trust is one
 * ({@link Evidence.Signature#enforced}) unless another verified. Without it the trust only says
 * whom the policy rules without keys of their own trust. Policy rules with their own keys judge
 * {@link Evidence#found()} with those alone.
 */
public final class SignatureEvidence implements EvidenceProvider {
  private final SignatureStores.Locator locator;
  private final TrustPolicy trust;
  private final boolean signatureRequired;

  public SignatureEvidence(SignatureStores.Locator locator, TrustPolicy trust, boolean signatureRequired) {
    this.locator = Objects.requireNonNull(locator, "locator");
    this.trust = Objects.requireNonNull(trust, "trust");
    this.signatureRequired = signatureRequired;
    if (signatureRequired && trust.isEmpty()) {
      throw new IllegalArgumentException("a required signature needs trusted keys or identities");
    }
  }

  public TrustPolicy trust() {
    return trust;
  }

  @Override
  public Evidence collect(Artifact subject, Image image, String reference) throws VerifierException {
    ImageReference ref;
    try {
      ref = ImageReference.parse(reference);
    } catch (OciException e) {
      throw new VerifierException(FailureKind.BAD_INPUT, "image reference", e.getMessage(), e);
    }
    if (ref instanceof ImageReference.DockerArchiveReference) {
      // a docker save tarball has no place for signatures: there is nothing to find
      return new Evidence(List.of(), List.of(),
          signatureRequired ? List.of("no signature found: a docker-archive cannot hold signatures (verify the image in a registry, an oci: layout or the store)") : List.of(),
          List.of());
    }
    List<FoundEvidence> found = new ArrayList<>();
    String location;
    try {
      SignatureStore store = locator.locate(ref);
      location = store.location();
      Set<Digest> digests = new LinkedHashSet<>();
      digests.add(subject.descriptor().digest());
      digests.add(image.descriptor().digest());
      for (Digest d : digests) {
        found.add(EvidenceFinder.find(store, d));
      }
    } catch (OciException e) {
      throw new VerifierException(e.kind(), "finding signatures of " + reference, e.getMessage(), e);
    }
    List<String> failures = new ArrayList<>();
    boolean anyFound = found.stream().anyMatch(f -> f.candidates().stream().anyMatch(c -> c.kind() == FoundEvidence.Kind.SIGNATURE));
    if (signatureRequired && !anyFound) {
      failures.add("no signature found for " + String.join(" or ", found.stream().map(f -> f.subject().toString()).toList()) + " in " + location
          + " (looked for Sigstore bundle referrers and the sha256-<hex>.sig tag)");
    }
    return judged(new Evidence(List.of(), List.of(), failures, found), trust, signatureRequired);
  }

  /**
   * {@code collected} with its stored signatures and attestations ({@link Evidence#found}) judged
   * against {@code trust}, added to those it has: what {@link #collect} gives with that trust and
   * {@code required} as {@code signatureRequired}, from evidence collected with {@link
   * TrustPolicy#none()} (which has none judged). A server keeps what it found in a repository,
   * which depends only on where it looked, and judges it when it reaches a verdict, with the trust
   * then in force (which a reload can replace).
   *
   * @param required whether {@code trust} is required of the image ({@code jscan verify --key}):
   *     then what does not verify under it is a signature failure whatever the policies say. A
   *     server's {@code --key} is not: it only says whom the rules without keys of their own trust,
   *     so a signature by a key that a rule trusts on its own is judged by that rule alone
   */
  public static Evidence judged(Evidence collected, TrustPolicy trust, boolean required) {
    if (trust.isEmpty()) {
      return collected;
    }
    List<Evidence.Signature> signatures = new ArrayList<>(collected.signatures());
    List<Evidence.Attestation> attestations = new ArrayList<>(collected.attestations());
    for (FoundEvidence f : collected.found()) {
      VerifiedEvidence v = ImageEvidenceVerifier.verify(f, trust);
      for (EvidenceCheck c : v.signatures()) {
        signatures.add(new Evidence.Signature(c.format(), c.verified(), c.signer(), c.source() + ": " + c.detail(), c.logIndex(), required));
      }
      for (EvidenceCheck c : v.attestations()) {
        attestations.add(attestationOf(c, required));
      }
    }
    return new Evidence(signatures, attestations, collected.attachments(), collected.failures(), collected.found());
  }

  /**
   * A judged attestation as the policy input shows it: its predicate as plain JSON values for CEL.
   *
   * @param enforced see {@link Evidence.Attestation#enforced}
   */
  public static Evidence.Attestation attestationOf(EvidenceCheck c, boolean enforced) {
    Map<String, Object> predicate = Map.of();
    String type = c.predicateType().orElse("unknown");
    if (c.statement().isPresent()) {
      JsonNode p = c.statement().get().predicate();
      if (p.isObject()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = Json.MAPPER.convertValue(p, Map.class);
        predicate = m;
      }
    }
    return new Evidence.Attestation(type, c.verified(), c.source() + ": " + c.detail(), predicate, c.format(), c.signer(), c.logIndex(), enforced);
  }
}
