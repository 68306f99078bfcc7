package io.jscan.core.transport;

import io.jscan.core.image.Artifact;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageReference.DockerArchiveReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.dockerarchive.DockerArchive;
import io.jscan.core.transport.dockerarchive.DockerArchiveWriter;
import io.jscan.core.transport.ocilayout.OciLayout;
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

  /** @param store the local store bare names refer to */
  public Transports(LocalStore store) {
    this.store = store;
  }

  public LocalStore store() {
    return store;
  }

  /** The artifact {@code ref} names (lazy: blobs are read when used, and verified then). */
  public Artifact read(ImageReference ref) throws OciException {
    // Java 17 has no pattern switch; a new transport must be added here (the interface is sealed)
    if (ref instanceof OciLayoutReference oci) {
      return OciLayout.open(oci.directory()).resolve(oci.refName(), oci.digest());
    }
    if (ref instanceof DockerArchiveReference archive) {
      return DockerArchive.read(archive.file(), archive.name());
    }
    if (ref instanceof StoreReference stored) {
      return store.read(stored);
    }
    throw new IllegalStateException("unhandled transport " + ref.transport());
  }

  /**
   * Writes {@code artifact} with every blob it references to {@code ref}: into an OCI layout
   * (created if needed) under the ref name, as a docker-archive file (replaced atomically), or
   * into the store under the name.
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
    } else {
      throw new IllegalStateException("unhandled transport " + ref.transport());
    }
  }
}
