package io.jscan.core.transport;

import io.jscan.core.image.Artifact;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageReference.DockerArchiveReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.RegistryReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.dockerarchive.DockerArchive;
import io.jscan.core.transport.dockerarchive.DockerArchiveWriter;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryException;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.store.LocalStore;
import java.util.List;

/**
 * Reads and writes artifacts by {@link ImageReference}, whatever the transport: the one place
 * that maps a reference to its source or sink. Sources yield an {@link Artifact}; sinks accept
 * any artifact, from any source.
 *
 * <pre>{@code
 * try (LocalStore store = LocalStore.openDefault()) {
 *   Transports transports = new Transports(store);
 *   Artifact a = transports.read(ImageReference.parse("docker-archive:app.tar"));
 *   transports.write(a, ImageReference.parse("oci:out:1.0"));
 * }
 * }</pre>
 */
public final class Transports {
  private final LocalStore store;
  private RegistryClient registry;

  /**
   * @param store the local store bare names refer to; registries are reached with
   *     {@link RegistryOptions#fromEnvironment} (Docker's credentials, {@code JSCAN_INSECURE_REGISTRIES})
   */
  public Transports(LocalStore store) {
    this.store = store;
  }

  /** @param registry the client for registry references and names the store does not have */
  public Transports(LocalStore store, RegistryClient registry) {
    this.store = store;
    this.registry = java.util.Objects.requireNonNull(registry, "registry");
  }

  public LocalStore store() {
    return store;
  }

  /** The registry client (created on first use when none was given). */
  public synchronized RegistryClient registry() {
    if (registry == null) {
      registry = new RegistryClient(RegistryOptions.fromEnvironment(System.getenv()));
    }
    return registry;
  }

  /**
   * The artifact {@code ref} names (lazy: blobs are read when used, and verified then).
   *
   * <p>A store reference by name that the store does not have is read from the registry the
   * name points at ({@code myapp:1.0} from Docker Hub, {@code localhost:5000/app:1} from
   * there); registry artifacts stream their blobs and store nothing. A bare digest only means
   * the store.
   */
  public Artifact read(ImageReference ref) throws OciException {
    // Java 17 has no pattern switch; a new transport must be added here (the interface is sealed)
    if (ref instanceof OciLayoutReference oci) {
      return OciLayout.open(oci.directory()).resolve(oci.refName(), oci.digest());
    }
    if (ref instanceof DockerArchiveReference archive) {
      return DockerArchive.read(archive.file(), archive.name());
    }
    if (ref instanceof StoreReference stored) {
      if (stored.name().isEmpty() || store.resolve(stored).isPresent()) {
        return store.read(stored);
      }
      ImageName name = stored.name().get();
      try {
        return registry().read(name);
      } catch (RegistryException e) {
        // the user named an image that is nowhere to be had: bad input, unless the registry sent
        // content that does not match its digest, which stays an integrity failure
        throw new OciException(
            e.kind() == io.jscan.core.FailureKind.INTEGRITY ? e.kind() : io.jscan.core.FailureKind.BAD_INPUT,
            "image " + name,
            "not in the local store " + store.home() + ", and from the registry: " + e.getMessage(),
            e);
      }
    }
    if (ref instanceof RegistryReference remote) {
      return registry().read(remote.name());
    }
    throw new IllegalStateException("unhandled transport " + ref.transport());
  }

  /**
   * Where the artifacts attached to what {@code ref} names are kept (OCI 1.1 referrers): the OCI
   * layout, the local store (or, for a name the store does not have, its registry repository), the
   * registry repository. A docker-archive holds none (empty).
   */
  public java.util.Optional<io.jscan.core.image.Referrers> referrers(ImageReference ref) throws OciException {
    if (ref instanceof OciLayoutReference oci) {
      return java.util.Optional.of(OciLayout.open(oci.directory()).referrers());
    }
    if (ref instanceof StoreReference stored) {
      if (stored.name().isEmpty() || store.resolve(stored).isPresent()) {
        return java.util.Optional.of(store.referrers());
      }
      return java.util.Optional.of(registry().referrers(stored.name().get()));
    }
    if (ref instanceof RegistryReference remote) {
      return java.util.Optional.of(registry().referrers(remote.name()));
    }
    return java.util.Optional.empty();
  }

  /**
   * Writes {@code artifact} with every blob it references to {@code ref}: into an OCI layout
   * (created if needed) under the ref name, as a docker-archive file (replaced atomically), into
   * the store under the name, or to a registry (pushed).
   */
  public void write(Artifact artifact, ImageReference ref) throws OciException {
    if (ref instanceof OciLayoutReference oci) {
      if (oci.digest().isPresent()) {
        throw OciException.badInput("destination " + ref, "cannot write to a digest; name the image (oci:DIR:REF)");
      }
      OciLayout.create(oci.directory()).write(artifact, oci.refName());
    } else if (ref instanceof DockerArchiveReference archive) {
      DockerArchiveWriter.write(
          archive.file(),
          List.of(new DockerArchiveWriter.Item(artifact, archive.name().map(List::of).orElse(List.of()))),
          Platform.host());
    } else if (ref instanceof StoreReference stored) {
      if (stored.name().isEmpty()) {
        throw OciException.badInput("destination " + ref, "cannot write to a digest; give a name");
      }
      store.write(artifact, List.of(stored.name().get()));
    } else if (ref instanceof RegistryReference remote) {
      registry().push(artifact, remote.name());
    } else {
      throw new IllegalStateException("unhandled transport " + ref.transport());
    }
  }
}
