package io.jscan.signing.oci;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.DockerArchiveReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.RegistryReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.util.List;
import java.util.Optional;

/**
 * The {@link SignatureStore} for an image reference, following the same rules as {@link
 * Transports#resolve} ({@link Transports#readsStore}): an {@code oci:} layout keeps its image's signatures, a {@code docker://} name
 * its registry repository, a store name the local store when the store has the image (else the
 * registry the name points at). A docker-archive has no place for them.
 */
public final class SignatureStores {
  private SignatureStores() {}

  /** Finds the store for a reference; thread-safe when the transports are. */
  @FunctionalInterface
  public interface Locator {
    SignatureStore locate(ImageReference reference) throws OciException;
  }

  /** A locator over {@code transports} (its local store and registry client). */
  public static Locator locator(Transports transports) {
    return ref -> forReference(ref, transports);
  }

  /**
   * A locator that looks only in registries, for a server without a local store (the admission
   * webhook): a bare name ({@code nginx:1.25}) and {@code docker://NAME} both mean the registry the
   * name points at; layouts, archives and digests alone are refused.
   */
  public static Locator registryOnly(io.jscan.core.transport.registry.RegistryClient client) {
    return ref -> {
      if (ref instanceof RegistryReference remote) {
        return new RegistrySignatureStore(client, remote.name());
      }
      if (ref instanceof StoreReference stored && stored.name().isPresent()) {
        return new RegistrySignatureStore(client, stored.name().get());
      }
      throw OciException.badInput("image " + ref, "only registry images have signatures here; name the image's repository");
    };
  }

  /**
   * A locator for a command that opened no local store: {@code oci:} layouts and registry
   * references ({@code docker://NAME}); store references are refused.
   */
  public static Locator withoutStore(io.jscan.core.transport.registry.RegistryClient client) {
    return ref -> {
      if (ref instanceof OciLayoutReference || ref instanceof DockerArchiveReference) {
        return forReference(ref, null);
      }
      if (ref instanceof RegistryReference remote) {
        return new RegistrySignatureStore(client, remote.name());
      }
      throw OciException.badInput("image " + ref, "the local store is not open here");
    };
  }

  public static SignatureStore forReference(ImageReference ref, Transports transports) throws OciException {
    if (ref instanceof OciLayoutReference oci) {
      String dockerReference = oci.refName().filter(ImageName::isValid).map(n -> ImageName.parse(n).repository())
          .orElse("oci:" + oci.directory().toAbsolutePath().normalize().getFileName());
      return new LayoutSignatureStore(OciLayout.open(oci.directory()), dockerReference);
    }
    if (ref instanceof RegistryReference remote) {
      return new RegistrySignatureStore(transports.registry(), remote.name());
    }
    if (ref instanceof StoreReference stored) {
      if (stored.name().isPresent()) {
        // the same copy Transports.resolve reads
        ImageName name = stored.name().get();
        return transports.readsStore(stored)
            ? new StoreSignatureStore(transports.store(), name)
            : new RegistrySignatureStore(transports.registry(), name);
      }
      Optional<Descriptor> local = transports.store().resolve(stored);
      if (local.isEmpty()) {
        throw OciException.badInput("image " + ref, "not in the local store " + transports.store().home());
      }
      List<String> names = transports.store().namesOf(local.get().digest());
      for (String n : names) {
        if (ImageName.isValid(n)) {
          return new StoreSignatureStore(transports.store(), ImageName.parse(n));
        }
      }
      throw OciException.badInput("image " + ref, "it has no name in the local store, and signatures are stored under the image's repository; name it (jscan tag) first");
    }
    DockerArchiveReference archive = (DockerArchiveReference) ref;
    throw OciException.badInput("image " + archive, "a docker-archive has no place for signatures; use the local store, an oci: layout or a registry");
  }
}
