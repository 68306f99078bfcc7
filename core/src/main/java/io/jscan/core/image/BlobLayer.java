package io.jscan.core.image;

import io.jscan.core.io.Compressions;
import io.jscan.core.io.ReadAheadInputStream;
import io.jscan.core.io.VerifyingInputStream;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** A layer whose blob lives in a {@link BlobSource}. */
final class BlobLayer implements Layer {
  private final BlobSource source;
  private final Descriptor descriptor;
  private final Digest diffId;
  private final String what;

  BlobLayer(BlobSource source, Descriptor descriptor, Digest diffId, String what) {
    this.source = Objects.requireNonNull(source);
    this.descriptor = Objects.requireNonNull(descriptor);
    this.diffId = Objects.requireNonNull(diffId);
    this.what = what;
  }

  @Override
  public Descriptor descriptor() {
    return descriptor;
  }

  @Override
  public Digest diffId() {
    return diffId;
  }

  @Override
  public InputStream openCompressed() throws OciException {
    return source.open(descriptor, what);
  }

  @Override
  public InputStream openUncompressed() throws OciException {
    return uncompress(this, what);
  }

  /** The shared definition of {@link Layer#openUncompressed()} over {@link Layer#openCompressed()}. */
  static InputStream uncompress(Layer layer, String what) throws OciException {
    Descriptor d = layer.descriptor();
    Compression compression =
        MediaTypes.layerCompression(d.mediaType())
            .orElseThrow(
                () ->
                    OciException.integrity(
                        what + " " + d.digest(), "unknown layer media type " + d.mediaType() + ": cannot tell how to decompress it"));
    InputStream compressed = layer.openCompressed();
    try {
      InputStream plain = Compressions.decompress(compressed, compression, what + " " + d.digest());
      if (compression == Compression.NONE) {
        return VerifyingInputStream.ofUnknownSize(plain, io.jscan.core.io.DiffIdCheck.uncompressedWhat(what + " " + d.digest()), layer.diffId());
      }
      // Reading, the blob digest check and decompression run on one core; the diff_id check and
      // the consumer (a tar reader, which reads even what it skips) on another. Inflate is most
      // of the work, so the uncompressed hash goes with the lighter side.
      InputStream ahead = new ReadAheadInputStream(plain, "jscan-layer-read");
      try {
        return VerifyingInputStream.ofUnknownSize(ahead, io.jscan.core.io.DiffIdCheck.uncompressedWhat(what + " " + d.digest()), layer.diffId());
      } catch (IOException e) {
        ahead.close();
        throw e;
      }
    } catch (IOException e) {
      abandon(compressed);
      throw OciException.reading(what + " " + d.digest(), e);
    }
  }

  private static void abandon(InputStream in) {
    try {
      if (in instanceof VerifyingInputStream v) {
        v.abandon();
      } else {
        in.close();
      }
    } catch (IOException | RuntimeException ignored) {
      // already failing with a better message
    }
  }

  @Override
  public String toString() {
    return what + " " + descriptor.digest();
  }

}
