package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;

/**
 * What a reference names: an {@link Image} or an {@link ImageIndex}. Every source yields these and
 * every sink accepts them, whichever transport they came from (go-containerregistry's idea).
 *
 * <p>Implementations are lazy: nothing beyond what a call needs is fetched, and everything fetched
 * is verified against its descriptor.
 */
public sealed interface Artifact permits Image, ImageIndex {

  /** Media type, digest and size of the top manifest. */
  Descriptor descriptor() throws OciException;

  /** The exact manifest bytes, verified against {@link #descriptor()}. */
  byte[] manifestBytes() throws OciException;
}
