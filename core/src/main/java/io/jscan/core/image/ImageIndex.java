package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.OciException;

/** An image index or Docker manifest list whose children are read on demand. */
public non-sealed interface ImageIndex extends Artifact {

  IndexManifest index() throws OciException;

  /** The child described by {@code child} (one of {@link IndexManifest#manifests()}), verified. */
  Artifact child(Descriptor child) throws OciException;

  default Digest digest() throws OciException {
    return descriptor().digest();
  }
}
