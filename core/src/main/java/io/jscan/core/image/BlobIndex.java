package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import java.util.Objects;
import java.util.Optional;

/** An {@link ImageIndex} over any {@link BlobSource}; children are opened on demand. */
final class BlobIndex implements ImageIndex {
  private final BlobSource source;
  private final Descriptor descriptor;
  private byte[] bytes;
  private IndexManifest index;

  BlobIndex(BlobSource source, Descriptor descriptor) {
    this.source = Objects.requireNonNull(source);
    this.descriptor = Objects.requireNonNull(descriptor);
  }

  @Override
  public Descriptor descriptor() {
    return descriptor;
  }

  @Override
  public synchronized byte[] manifestBytes() throws OciException {
    if (bytes == null) {
      bytes = Documents.read(source, descriptor, "index", Documents.MAX_MANIFEST_BYTES);
    }
    return bytes.clone();
  }

  @Override
  public synchronized IndexManifest index() throws OciException {
    if (index == null) {
      index = OciJson.parseIndex(manifestBytes(), "index " + descriptor.digest(), Optional.of(descriptor.mediaType()));
    }
    return index;
  }

  @Override
  public Artifact child(Descriptor child) throws OciException {
    boolean listed = index().manifests().stream().anyMatch(d -> d.digest().equals(child.digest()));
    if (!listed) {
      throw OciException.badInput("index " + descriptor.digest(), "it does not list " + child.digest());
    }
    return Images.artifact(source, child);
  }

  @Override
  public String toString() {
    return "index " + descriptor.digest();
  }
}
