package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.OciException;
import java.util.List;
import java.util.Optional;

/**
 * The OCI 1.1 artifacts that refer to images in one place (a registry repository, an OCI layout,
 * the local store): manifests whose {@code subject} is an image (image-spec manifest.md "subject";
 * distribution-spec "Listing Referrers"). Attaching writes the artifact beside its subject;
 * listing finds what was attached. This is the one abstraction for referrers in jscan: unsigned
 * SBOM and provenance attachments, Sigstore bundle signatures and attestations all go through it.
 *
 * <ul>
 *   <li>registry: the referrers API, else the referrers tag schema's index {@link #fallbackTag};
 *   <li>OCI layout and local store: unnamed {@code index.json} entries carrying their
 *       {@code artifactType}, as ORAS keeps referrers in a layout (the image-spec's layout has no
 *       referrers index); an index under the fallback tag, as the distribution-spec's schema and
 *       earlier jscan versions keep them, is read too.
 * </ul>
 *
 * <p>A referrer says nothing about who made it: anyone who can write to the place can attach one.
 * Content found this way is unverified until a signature over it is checked.
 */
public interface Referrers {

  /**
   * The descriptors of the artifacts whose subject is {@code subject}, each with its
   * {@code artifactType} and the manifest's annotations (as the referrers API lists them), in a
   * stable order.
   */
  List<Descriptor> list(Digest subject) throws OciException;

  /** One artifact {@link #list} returned (its blobs are read lazily and verified). */
  Artifact read(Descriptor referrer) throws OciException;

  /**
   * Writes {@code artifact} (a manifest with a {@code subject}, e.g. a {@link StaticImage}) beside
   * its subject, which must already be there. What was attached before stays: several parties may
   * sign or attest one image.
   *
   * @return the artifact's descriptor as {@link #list} shows it
   */
  Descriptor attach(Image artifact) throws OciException;

  /**
   * As {@link #attach}, and an OCI layout or the local store then drops the earlier artifacts of
   * the same kind for the subject: the same {@code artifactType} and the same non-empty manifest
   * annotations (for jscan's unsigned statements: per predicate type, so a rebuild's provenance
   * replaces the last one). A registry keeps every artifact pushed.
   */
  Descriptor attachReplacing(Image artifact) throws OciException;

  /** The artifacts of {@link #list} with {@code artifactType}. */
  default List<Descriptor> list(Digest subject, String artifactType) throws OciException {
    return list(subject).stream().filter(d -> d.artifactType().map(artifactType::equals).orElse(false)).toList();
  }

  /**
   * The referrers tag schema's tag for a digest (distribution-spec 1.1 "Referrers Tag Schema"):
   * {@code <alg>-<ref>}, the algorithm truncated to 32 characters and the encoded part to 64
   * ({@code sha256-<hex>}).
   */
  static String fallbackTag(Digest subject) {
    String alg = subject.algorithm().length() > 32 ? subject.algorithm().substring(0, 32) : subject.algorithm();
    String enc = subject.encoded().length() > 64 ? subject.encoded().substring(0, 64) : subject.encoded();
    return alg + "-" + enc;
  }

  /**
   * How a referrer is listed (distribution-spec "Listing Referrers"): its manifest's descriptor
   * with the {@code artifactType} (else the config's media type) and the manifest's annotations.
   */
  static Descriptor listed(Descriptor manifest, Manifest m) {
    return new Descriptor(manifest.mediaType(), manifest.digest(), manifest.size(), List.of(), m.annotations(), Optional.empty(),
        Optional.of(m.artifactType().orElse(m.config().mediaType())));
  }
}
