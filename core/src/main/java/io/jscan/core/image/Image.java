package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.OciException;
import java.io.InputStream;
import java.util.List;

/** A single-platform image: a manifest, its config and its layers, all read lazily and verified. */
public non-sealed interface Image extends Artifact {

  Manifest manifest() throws OciException;

  /** The exact config bytes, verified against the manifest's config descriptor. */
  byte[] configBytes() throws OciException;

  ImageConfig config() throws OciException;

  /**
   * The layers in manifest order, each paired with its diff_id from the config. Fails with an
   * integrity error when the config's diff_ids do not pair up with the manifest's layers.
   */
  List<Layer> layers() throws OciException;

  /**
   * Opens a blob the manifest references (its config or an entry of {@code layers}) as stored,
   * verified against {@code descriptor} as it is read. Unlike {@link #layers()} this needs no image
   * config, so sinks can copy any manifest (signatures, SBOM attachments, other artifacts).
   *
   * @throws OciException bad input when the manifest does not reference {@code descriptor}
   */
  InputStream openBlob(Descriptor descriptor) throws OciException;

  default Digest digest() throws OciException {
    return descriptor().digest();
  }
}
