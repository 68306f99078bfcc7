package io.jscan.signing.oci;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryException;
import java.util.Objects;
import java.util.Optional;

/**
 * Signatures in a registry repository: {@code .sig}/{@code .att} tags beside the image, and
 * referrers through the referrers API or its tag schema fallback ({@link RegistryClient#referrers(ImageName)}).
 */
public final class RegistrySignatureStore implements SignatureStore {
  private final RegistryClient client;
  private final ImageName repository;

  /** @param repository the image's repository (its tag or digest is ignored) */
  public RegistrySignatureStore(RegistryClient client, ImageName repository) {
    this.client = Objects.requireNonNull(client, "client");
    this.repository = repository.withoutDigest().withTag(ImageName.DEFAULT_TAG);
  }

  @Override
  public String location() {
    return "docker://" + repository.repository();
  }

  @Override
  public String dockerReference() {
    return repository.repository();
  }

  @Override
  public Optional<Image> readTagged(String tag) throws OciException {
    try {
      return Optional.of(asImage(client.read(repository.withTag(tag)), tag));
    } catch (RegistryException e) {
      if (e.httpStatus().orElse(0) == 404) {
        return Optional.empty(); // no such tag (or repository): nothing stored
      }
      throw e;
    }
  }

  @Override
  public Optional<Digest> taggedDigest(String tag) throws OciException {
    return client.manifestDigest(repository, tag);
  }

  @Override
  public void writeTagged(String tag, Image manifest) throws OciException {
    client.push(manifest, repository.withTag(tag));
  }

  @Override
  public Referrers referrers() {
    return client.referrers(repository);
  }

  private Image asImage(Artifact a, String what) throws OciException {
    if (a instanceof Image image) {
      return image;
    }
    throw OciException.badInput(location() + ":" + what, "an image index where a signature manifest was expected");
  }

  @Override
  public String toString() {
    return location();
  }
}
