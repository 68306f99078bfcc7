package io.jscan.signing.oci;

import io.jscan.core.image.AttachedTags;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;

/**
 * Where and how cosign and Sigstore clients store signatures and attestations next to an image
 * (cosign specs/SIGNATURE_SPEC.md and specs/ATTESTATION_SPEC.md; cosign 3's bundle referrers;
 * distribution-spec 1.1 referrers). The names here are what other tools look for, so they are
 * fixed strings, not choices.
 */
public final class Conventions {
  private Conventions() {}

  /** Layer media type of a simple-signing payload in a {@code .sig} manifest. */
  public static final String SIMPLE_SIGNING = MediaTypes.COSIGN_SIMPLE_SIGNING;
  /** Layer media type of a DSSE envelope in a {@code .att} manifest. */
  public static final String DSSE_ENVELOPE = MediaTypes.DSSE_ENVELOPE;
  /** The layer annotation holding the base64 signature over the layer (empty for DSSE layers). */
  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
  /** Keyless signatures: the Fulcio certificate (PEM) and its chain (PEM) as layer annotations. */
  public static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
  public static final String CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
  /** The Rekor "bundle" annotation: the signed entry timestamp and the entry's coordinates (JSON). */
  public static final String REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";
  /** The predicate type of a {@code .att} layer. */
  public static final String PREDICATE_TYPE_ANNOTATION = "predicateType";

  /** The artifactType (and layer media type) of a Sigstore bundle referrer, as cosign 3 writes it. */
  public static final String BUNDLE_ARTIFACT_TYPE = MediaTypes.SIGSTORE_BUNDLE_V03;
  /** The same bundle version in the other media-type spelling the bundle spec allows. */
  public static final String BUNDLE_ARTIFACT_TYPE_ALT = "application/vnd.dev.sigstore.bundle+json;version=0.3";
  /** Manifest annotations of a bundle referrer: {@code message-signature} or {@code dsse-envelope}. */
  public static final String BUNDLE_CONTENT_ANNOTATION = "dev.sigstore.bundle.content";
  /** Manifest annotation of a bundle referrer: the in-toto predicate type of its DSSE statement. */
  public static final String BUNDLE_PREDICATE_TYPE_ANNOTATION = "dev.sigstore.bundle.predicateType";
  /**
   * The predicate type of the in-toto statement cosign 3 signs for an image signature in bundle
   * form (an empty predicate; the statement's subject is the image digest).
   */
  public static final String COSIGN_SIGN_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1";

  /** {@code sha256-<hex>.sig}: the tag of an image's signature manifest. */
  public static String signatureTag(Digest subject) {
    return AttachedTags.signature(subject);
  }

  /** {@code sha256-<hex>.att}: the tag of an image's attestation manifest. */
  public static String attestationTag(Digest subject) {
    return AttachedTags.attestation(subject);
  }

  /** {@code sha256-<hex>.sbom}: the tag {@code cosign attach sbom} puts an image's SBOM under (unsigned). */
  public static String sbomTag(Digest subject) {
    return AttachedTags.sbom(subject);
  }

  /** Whether a referrer's artifactType is a Sigstore bundle this code reads. */
  public static boolean isBundleArtifactType(String artifactType) {
    return BUNDLE_ARTIFACT_TYPE.equals(artifactType) || BUNDLE_ARTIFACT_TYPE_ALT.equals(artifactType);
  }

  /**
   * What a referrer (as listed: artifactType and manifest annotations) holds: a Sigstore bundle
   * signing the image (cosign 3's {@code sign/v1} statement, or a message signature), a bundle
   * attesting something else about it, or neither (empty: an SBOM, provenance or other artifact
   * attached unsigned).
   */
  public static java.util.Optional<FoundEvidence.Kind> bundleKind(io.jscan.core.oci.Descriptor referrer) {
    if (!isBundleArtifactType(referrer.artifactType().orElse(""))) {
      return java.util.Optional.empty();
    }
    boolean signature = COSIGN_SIGN_PREDICATE_TYPE.equals(referrer.annotations().get(BUNDLE_PREDICATE_TYPE_ANNOTATION))
        || "message-signature".equals(referrer.annotations().get(BUNDLE_CONTENT_ANNOTATION));
    return java.util.Optional.of(signature ? FoundEvidence.Kind.SIGNATURE : FoundEvidence.Kind.ATTESTATION);
  }
}
