package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import java.io.InputStream;

/**
 * One layer: a (usually compressed) tar blob and the digest of its uncompressed form (diff_id).
 *
 * <p>Both streams verify as they are read (see {@link io.jscan.core.io.VerifyingInputStream}): the
 * compressed stream against the descriptor's size and digest, the uncompressed stream against the
 * diff_id, so reading either to the end proves the content. Each call opens a new stream.
 */
public interface Layer {

  /** The blob's descriptor as the manifest lists it. */
  Descriptor descriptor();

  /** The uncompressed digest the image config claims for this layer. */
  Digest diffId();

  /** The blob as stored, verified against {@link #descriptor()}. */
  InputStream openCompressed() throws OciException;

  /**
   * The uncompressed tar, decompressed as the media type says and verified against
   * {@link #diffId()}. A media type jscan does not know, or content whose compression does not
   * match its media type, is an integrity failure.
   */
  InputStream openUncompressed() throws OciException;
}
