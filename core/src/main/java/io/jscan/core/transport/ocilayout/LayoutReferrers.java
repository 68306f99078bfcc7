package io.jscan.core.transport.ocilayout;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.AttachedTags;
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
    return bySubject().getOrDefault(subject, List.of());
  }

  /**
   * Every referrer in the layout, by the digest of its subject, each list as {@link #list} gives
   * it: one pass over index.json (a listing reads every candidate manifest anyway, the layout having
   * no referrers index), for a caller that wants the referrers of many images ({@code jscan images}).
   */
  public Map<Digest, List<Descriptor>> bySubject() throws OciException {
    Map<Digest, Map<Digest, Descriptor>> out = new LinkedHashMap<>();
    List<Descriptor> entries = layout.index().manifests();
    for (Descriptor d : entries) {
      boolean candidate = d.artifactType().isPresent() || d.refName().isEmpty();
      if (candidate && MediaTypes.isImageManifest(d.mediaType()) && layout.hasBlob(d.digest())) {
        Manifest m = ((Image) layout.artifact(d.bare())).manifest();
        if (m.subject().isPresent()) {
          out.computeIfAbsent(m.subject().get().digest(), k -> new LinkedHashMap<>())
              .putIfAbsent(d.digest(), Referrers.listed(d.bare(), m));
        }
      }
    }
    for (Descriptor d : entries) {
      Optional<Digest> tagged = d.refName().flatMap(LayoutReferrers::fallbackSubject);
      if (tagged.isEmpty() || !MediaTypes.isIndex(d.mediaType()) || !layout.hasBlob(d.digest())) {
        continue;
      }
      Map<Digest, Descriptor> listed = out.computeIfAbsent(tagged.get(), k -> new LinkedHashMap<>());
      for (Descriptor l : ((ImageIndex) layout.artifact(d)).index().manifests()) {
        // an index's name proves nothing: each entry counts only if its manifest's subject is the image
        if (!listed.containsKey(l.digest()) && MediaTypes.isImageManifest(l.mediaType()) && layout.hasBlob(l.digest())) {
          refersTo(l, tagged.get()).ifPresent(r -> listed.put(r.digest(), r));
        }
      }
    }
    Map<Digest, List<Descriptor>> result = new LinkedHashMap<>();
    out.forEach((subject, listed) -> {
      if (!listed.isEmpty()) {
        result.put(subject, List.copyOf(listed.values()));
      }
    });
    return result;
  }

  /**
   * The subject a referrers tag schema index is named after: {@code sha256-<hex>} in a layout,
   * {@code NAME:sha256-<hex>} in the store.
   */
  private static Optional<Digest> fallbackSubject(String refName) {
    String tag = refName.substring(refName.lastIndexOf(':') + 1);
    if (tag.contains(".")) {
      return Optional.empty(); // cosign's .sig/.att/.sbom tags are not referrers indexes
    }
    return AttachedTags.subjectOf(tag).filter(d -> Referrers.fallbackTag(d).equals(tag));
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
