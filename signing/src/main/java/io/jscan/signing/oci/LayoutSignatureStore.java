package io.jscan.signing.oci;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Signatures in an OCI image layout: entries named {@code sha256-<hex>.sig} / {@code .att} in its
 * index.json ({@code org.opencontainers.image.ref.name}, so {@code skopeo} and {@code oras} can
 * address them as {@code oci:DIR:sha256-<hex>.sig}), and referrers as {@link LayoutReferrers} keeps
 * them. Reading also understands {@code cosign save}'s layout, where the one image's signatures are
 * the entry annotated {@code kind: dev.cosignproject.cosign/sigs} (and {@code .../atts}).
 *
 * <p>Like a plain layout, it is meant for one writer at a time.
 */
public final class LayoutSignatureStore implements SignatureStore {
  static final String COSIGN_KIND = "kind";
  static final String COSIGN_IMAGE = "dev.cosignproject.cosign/image";
  static final String COSIGN_SIGS = "dev.cosignproject.cosign/sigs";
  static final String COSIGN_ATTS = "dev.cosignproject.cosign/atts";

  private final OciLayout layout;
  private final String dockerReference;

  /** @param dockerReference what signatures made here name as the image's repository */
  public LayoutSignatureStore(OciLayout layout, String dockerReference) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.dockerReference = Objects.requireNonNull(dockerReference, "dockerReference");
  }

  @Override
  public String location() {
    return "oci:" + layout.root();
  }

  @Override
  public String dockerReference() {
    return dockerReference;
  }

  @Override
  public Optional<Image> readTagged(String tag) throws OciException {
    List<Descriptor> entries = layout.index().manifests();
    Optional<Descriptor> named = entries.stream().filter(d -> d.refName().equals(Optional.of(tag))).findFirst();
    if (named.isEmpty()) {
      named = cosignSaved(entries, tag);
    }
    if (named.isEmpty()) {
      return Optional.empty();
    }
    Artifact a = layout.artifact(named.get());
    if (a instanceof Image image) {
      return Optional.of(image);
    }
    throw OciException.badInput(location() + ":" + tag, "an image index where a signature manifest was expected");
  }

  /**
   * {@code cosign save} names nothing: its layout holds one image (kind {@code .../image}) and that
   * image's signatures and attestations (kinds {@code .../sigs}, {@code .../atts}). They count for
   * a tag of that image's digest only.
   */
  private static Optional<Descriptor> cosignSaved(List<Descriptor> entries, String tag) {
    String kind = tag.endsWith(".sig") ? COSIGN_SIGS : tag.endsWith(".att") ? COSIGN_ATTS : null;
    if (kind == null) {
      return Optional.empty();
    }
    List<Descriptor> images = entries.stream().filter(d -> COSIGN_IMAGE.equals(d.annotations().get(COSIGN_KIND))).toList();
    if (images.size() != 1 || !tag.startsWith(images.get(0).digest().toTagForm() + ".")) {
      return Optional.empty();
    }
    return entries.stream().filter(d -> kind.equals(d.annotations().get(COSIGN_KIND))).findFirst();
  }

  @Override
  public void writeTagged(String tag, Image manifest) throws OciException {
    layout.write(manifest, Optional.of(tag));
  }

  @Override
  public List<Descriptor> referrers(Digest subject) throws OciException {
    return LayoutReferrers.find(layout, fallbackIndex(subject), subject);
  }

  private Optional<Descriptor> fallbackIndex(Digest subject) throws OciException {
    String tag = LayoutReferrers.tag(subject);
    return layout.index().manifests().stream().filter(d -> d.refName().equals(Optional.of(tag))).findFirst();
  }

  @Override
  public Image read(Descriptor manifest) throws OciException {
    Artifact a = layout.artifact(new Descriptor(manifest.mediaType(), manifest.digest(), manifest.size()));
    if (a instanceof Image image) {
      return image;
    }
    throw OciException.badInput(location() + "@" + manifest.digest(), "an image index where a referrer manifest was expected");
  }

  @Override
  public Descriptor attach(Image referrer) throws OciException {
    Digest subject = referrer.manifest().subject().orElseThrow(() -> new IllegalArgumentException("a referrer needs a subject")).digest();
    layout.write(LayoutReferrers.withReferrer(layout, fallbackIndex(subject), referrer), Optional.of(LayoutReferrers.tag(subject)));
    return LayoutReferrers.listed(referrer.descriptor(), referrer.manifest());
  }

  @Override
  public String toString() {
    return location();
  }
}
