package io.jscan.core.transport.ocilayout;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.image.ImageIndex;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Referrers kept in an OCI layout (and so in the local store, which is one): each artifact is an
 * unnamed entry of {@code index.json} whose descriptor carries its {@code artifactType}, as ORAS
 * and go-containerregistry's layout keep them. The image-spec's layout has no referrers index, so
 * listing reads the candidate manifests (entries with an artifact type, or without a name) and
 * keeps those whose {@code subject} is the image. An image index named with the referrers tag
 * schema ({@code sha256-<hex>}, or {@code NAME:sha256-<hex>} in the store), as the
 * distribution-spec's fallback, regclient's layouts and earlier jscan versions keep referrers, is
 * read too.
 *
 * <p>{@link #attach} adds; {@link #attachReplacing} keeps one artifact per subject, artifact type
 * and (non-empty) annotations (for jscan's statements: per predicate type): the new one replaces
 * the entry of the old, whose blobs garbage collection may then remove. A registry keeps every
 * artifact pushed.
 */
public final class LayoutReferrers implements Referrers {
  /**
   * How an artifact is written: blobs, then its index entry ({@code listed}), dropping the entries
   * of the artifacts it replaces ({@link OciLayout#writeReferrer} for a layout, the store's locked
   * version for the store).
   */
  @FunctionalInterface
  public interface Attacher {
    void attach(Image artifact, Descriptor listed, Set<Digest> replaced) throws OciException;
  }

  private final OciLayout layout;
  private final Attacher attacher;

  public LayoutReferrers(OciLayout layout, Attacher attacher) {
    this.layout = layout;
    this.attacher = attacher;
  }

  @Override
  public List<Descriptor> list(Digest subject) throws OciException {
    Map<Digest, Descriptor> out = new LinkedHashMap<>();
    List<Descriptor> entries = layout.index().manifests();
    for (Descriptor d : entries) {
      boolean candidate = d.artifactType().isPresent() || d.refName().isEmpty();
      if (candidate && MediaTypes.isImageManifest(d.mediaType()) && layout.hasBlob(d.digest())) {
        refersTo(d, subject).ifPresent(listed -> out.putIfAbsent(listed.digest(), listed));
      }
    }
    String tag = Referrers.fallbackTag(subject);
    for (Descriptor d : entries) {
      Optional<String> name = d.refName();
      if (name.isEmpty() || !(name.get().equals(tag) || name.get().endsWith(":" + tag)) || !MediaTypes.isIndex(d.mediaType())
          || !layout.hasBlob(d.digest())) {
        continue;
      }
      for (Descriptor listed : ((ImageIndex) layout.artifact(d)).index().manifests()) {
        // an index's name proves nothing: each entry counts only if its manifest's subject is the image
        if (!out.containsKey(listed.digest()) && MediaTypes.isImageManifest(listed.mediaType()) && layout.hasBlob(listed.digest())) {
          refersTo(listed, subject).ifPresent(r -> out.put(r.digest(), r));
        }
      }
    }
    return List.copyOf(out.values());
  }

  /** {@code d} as listed, when its manifest's subject is {@code subject}. */
  private Optional<Descriptor> refersTo(Descriptor d, Digest subject) throws OciException {
    Manifest m = ((Image) layout.artifact(d.bare())).manifest();
    if (m.subject().isPresent() && m.subject().get().digest().equals(subject)) {
      return Optional.of(Referrers.listed(d.bare(), m));
    }
    return Optional.empty();
  }

  @Override
  public Artifact read(Descriptor referrer) throws OciException {
    return layout.artifact(referrer.bare());
  }

  @Override
  public Descriptor attach(Image artifact) throws OciException {
    return write(artifact, false);
  }

  @Override
  public Descriptor attachReplacing(Image artifact) throws OciException {
    return write(artifact, true);
  }

  private Descriptor write(Image artifact, boolean replacing) throws OciException {
    Optional<Descriptor> subject = artifact.manifest().subject();
    if (subject.isEmpty()) {
      throw OciException.badInput("artifact " + artifact.digest(), "has no subject to attach to");
    }
    if (!layout.hasBlob(subject.get().digest())) {
      throw OciException.badInput("OCI layout " + layout.root(), "has no manifest " + subject.get().digest() + " to attach to");
    }
    Manifest m = artifact.manifest();
    Descriptor listed = Referrers.listed(artifact.descriptor(), m);
    Set<Digest> replaced = new HashSet<>();
    // without annotations nothing says what kind of artifact it is, so nothing is replaced
    if (replacing && !m.annotations().isEmpty()) {
      for (Descriptor d : list(subject.get().digest())) {
        if (!d.digest().equals(artifact.digest()) && d.artifactType().equals(listed.artifactType()) && d.annotations().equals(m.annotations())) {
          replaced.add(d.digest());
        }
      }
    }
    attacher.attach(artifact, listed, replaced);
    return listed;
  }
}
