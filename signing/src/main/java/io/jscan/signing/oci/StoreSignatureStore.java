package io.jscan.signing.oci;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
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
 * docker.io/library/app:sha256-<hex>.sig} (and {@code .att}), exactly the names a registry would
 * have. Referrers (Sigstore bundles) are the store's ({@link LocalStore#referrers()}): unnamed index
 * entries, found by the image's digest whatever its name, and removed with the image. Writes take
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
  public Optional<Digest> taggedDigest(String tag) throws OciException {
    return store.resolve(StoreReference.byName(named(tag))).map(Descriptor::digest);
  }

  @Override
  public void writeTagged(String tag, Image manifest) throws OciException {
    store.write(manifest, List.of(named(tag)));
  }

  @Override
  public Referrers referrers() {
    return store.referrers();
  }

  @Override
  public String toString() {
    return location();
  }
}
