package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import java.util.List;

/**
 * The OCI 1.1 artifacts that refer to images in one place (a registry repository, an OCI layout,
 * the local store): manifests whose {@code subject} is an image (image-spec manifest.md "subject";
 * distribution-spec "Listing Referrers"). Attaching writes the artifact beside its subject;
 * listing finds what was attached.
 *
 * <p>A referrer says nothing about who made it: anyone who can write to the place can attach one.
 * Content found this way is unverified until a signature over it is checked.
 */
public interface Referrers {

  /**
   * The descriptors of the artifacts whose subject is {@code subject}, each with its
   * {@code artifactType} and annotations when the place records them, in a stable order.
   */
  List<Descriptor> list(Digest subject) throws OciException;

  /** One artifact {@link #list} returned (its blobs are read lazily and verified). */
  Artifact read(Descriptor referrer) throws OciException;

  /**
   * Writes {@code artifact} (an {@link ArtifactManifest}) beside its subject, which must already be
   * there. An OCI layout or the local store keeps one artifact per subject, artifact type and
   * non-empty annotations (the new one replaces the old); a registry keeps them all.
   */
  void attach(Image artifact) throws OciException;

  /** The artifacts of {@link #list} with {@code artifactType}. */
  default List<Descriptor> list(Digest subject, String artifactType) throws OciException {
    return list(subject).stream().filter(d -> d.artifactType().map(artifactType::equals).orElse(false)).toList();
  }
}
