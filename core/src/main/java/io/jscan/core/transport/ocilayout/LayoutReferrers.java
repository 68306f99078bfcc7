package io.jscan.core.transport.ocilayout;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;

/**
 * Referrers kept in an OCI layout (and so in the local store, which is one): each artifact is an
 * unnamed entry of {@code index.json} whose descriptor carries its {@code artifactType}, as ORAS
 * and go-containerregistry's layout keep them. The image-spec's layout has no referrers index, so
 * listing reads the candidate manifests (entries with an artifact type, or without a name) and
 * keeps those whose {@code subject} is the image.
 *
 * <p>A layout keeps one artifact per subject, artifact type and (non-empty) annotations (for jscan's
 * statements: per predicate type): attaching a new one replaces the entry of the old, whose blobs
 * garbage collection may then remove. A registry keeps every artifact pushed.
 */
public final class LayoutReferrers implements Referrers {
  /**
   * How an artifact is written: blobs, then its index entry, dropping the entries of the artifacts
   * it replaces ({@link OciLayout#writeReferrer} for a layout, the store's locked version for the store).
   */
  @FunctionalInterface
  public interface Attacher {
    void attach(Image artifact, Set<Digest> replaced) throws OciException;
  }

  private final OciLayout layout;
  private final Attacher attacher;

  public LayoutReferrers(OciLayout layout, Attacher attacher) {
    this.layout = layout;
    this.attacher = attacher;
  }

  @Override
  public List<Descriptor> list(Digest subject) throws OciException {
    List<Descriptor> out = new ArrayList<>();
    for (Descriptor d : layout.index().manifests()) {
      boolean candidate = d.artifactType().isPresent() || d.refName().isEmpty();
      if (!candidate || !MediaTypes.isImageManifest(d.mediaType()) || !layout.hasBlob(d.digest())) {
        continue;
      }
      Manifest m = ((Image) layout.artifact(d)).manifest();
      if (m.subject().isPresent() && m.subject().get().digest().equals(subject)) {
        // as the referrers API reports it: artifactType (else the config's media type) and the manifest's annotations
        String type = m.artifactType().orElse(m.config().mediaType());
        out.add(new Descriptor(d.mediaType(), d.digest(), d.size(), List.of(), m.annotations(), Optional.empty(), Optional.of(type)));
      }
    }
    return out;
  }

  @Override
  public Artifact read(Descriptor referrer) throws OciException {
    return layout.artifact(new Descriptor(referrer.mediaType(), referrer.digest(), referrer.size()));
  }

  @Override
  public void attach(Image artifact) throws OciException {
    Optional<Descriptor> subject = artifact.manifest().subject();
    if (subject.isEmpty()) {
      throw OciException.badInput("artifact " + artifact.digest(), "has no subject to attach to");
    }
    if (!layout.hasBlob(subject.get().digest())) {
      throw OciException.badInput("OCI layout " + layout.root(), "has no manifest " + subject.get().digest() + " to attach to");
    }
    // one artifact of a kind per image: a rebuild's provenance replaces the last one instead of piling up
    Manifest m = artifact.manifest();
    Set<Digest> replaced = new HashSet<>();
    // without annotations nothing says what kind of artifact it is, so nothing is replaced
    for (Descriptor d : m.annotations().isEmpty() ? List.<Descriptor>of() : list(subject.get().digest())) {
      if (!d.digest().equals(artifact.digest()) && d.artifactType().equals(m.artifactType()) && d.annotations().equals(m.annotations())) {
        replaced.add(d.digest());
      }
    }
    attacher.attach(artifact, replaced);
  }
}
