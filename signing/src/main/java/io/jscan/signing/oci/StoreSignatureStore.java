package io.jscan.signing.oci;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.store.LocalStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Signatures in the local store, which is an OCI layout whose entries are named by full image
 * names: the image {@code docker.io/library/app:1} has its signatures under {@code
 * docker.io/library/app:sha256-<hex>.sig} (and {@code .att}), and its referrers in the index
 * {@code docker.io/library/app:sha256-<hex>}, exactly the names a registry would have. Writes take
 * the store's locks, so a concurrent garbage collection never removes them half-written.
 */
public final class StoreSignatureStore implements SignatureStore {
  private final LocalStore store;
  private final ImageName repository;

  /** @param repository the image's repository in the store (its tag or digest is ignored) */
  public StoreSignatureStore(LocalStore store, ImageName repository) {
    this.store = Objects.requireNonNull(store, "store");
    this.repository = repository.withoutDigest().withTag(ImageName.DEFAULT_TAG);
  }

  @Override
  public String location() {
    return "store " + repository.repository();
  }

  @Override
  public String dockerReference() {
    return repository.repository();
  }

  private ImageName named(String tag) {
    return repository.withTag(tag);
  }

  @Override
  public Optional<Image> readTagged(String tag) throws OciException {
    Optional<Descriptor> d = store.resolve(StoreReference.byName(named(tag)));
    if (d.isEmpty()) {
      return Optional.empty();
    }
    Artifact a = store.layout().artifact(d.get());
    if (a instanceof Image image) {
      return Optional.of(image);
    }
    throw OciException.badInput(location() + ":" + tag, "an image index where a signature manifest was expected");
  }

  @Override
  public void writeTagged(String tag, Image manifest) throws OciException {
    store.write(manifest, List.of(named(tag)));
  }

  @Override
  public List<Descriptor> referrers(Digest subject) throws OciException {
    return LayoutReferrers.find(store.layout(), fallbackIndex(subject), subject);
  }

  private Optional<Descriptor> fallbackIndex(Digest subject) throws OciException {
    return store.resolve(StoreReference.byName(named(LayoutReferrers.tag(subject))));
  }

  @Override
  public Image read(Descriptor manifest) throws OciException {
    Artifact a = store.layout().artifact(new Descriptor(manifest.mediaType(), manifest.digest(), manifest.size()));
    if (a instanceof Image image) {
      return image;
    }
    throw OciException.badInput(location() + "@" + manifest.digest(), "an image index where a referrer manifest was expected");
  }

  @Override
  public Descriptor attach(Image referrer) throws OciException {
    Digest subject = referrer.manifest().subject().orElseThrow(() -> new IllegalArgumentException("a referrer needs a subject")).digest();
    store.write(LayoutReferrers.withReferrer(store.layout(), fallbackIndex(subject), referrer), List.of(named(LayoutReferrers.tag(subject))));
    return LayoutReferrers.listed(referrer.descriptor(), referrer.manifest());
  }

  @Override
  public String toString() {
    return location();
  }
}
