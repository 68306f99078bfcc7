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
import java.util.List;
import java.util.Optional;

/**
 * Referrers kept in an OCI layout (and so in the local store, which is one): each artifact is an
 * unnamed entry of {@code index.json} whose descriptor carries its {@code artifactType}, as ORAS
 * and go-containerregistry's layout keep them. The image-spec's layout has no referrers index, so
 * listing reads the candidate manifests (entries with an artifact type, or without a name) and
 * keeps those whose {@code subject} is the image.
 */
public final class LayoutReferrers implements Referrers {
  /** How an artifact is written: {@link OciLayout#write} for a layout, the store's locked write for the store. */
  @FunctionalInterface
  public interface Attacher {
    void attach(Image artifact) throws OciException;
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
    attacher.attach(artifact);
  }
}
