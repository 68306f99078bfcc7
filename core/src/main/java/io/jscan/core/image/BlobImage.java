package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link Image} over any {@link BlobSource}: the manifest is read when first needed, the config
 * when first needed, layers only when opened. The small documents are kept once read (as their
 * exact bytes); layers never are.
 */
final class BlobImage implements Image {
  private final BlobSource source;
  private final Descriptor descriptor;
  private final String what;
  private byte[] manifestBytes;
  private Manifest manifest;
  private byte[] configBytes;
  private ImageConfig config;

  BlobImage(BlobSource source, Descriptor descriptor) {
    this.source = Objects.requireNonNull(source);
    this.descriptor = Objects.requireNonNull(descriptor);
    this.what = "image " + descriptor.digest();
  }

  @Override
  public Descriptor descriptor() {
    return descriptor;
  }

  @Override
  public synchronized byte[] manifestBytes() throws OciException {
    if (manifestBytes == null) {
      manifestBytes = Documents.read(source, descriptor, "manifest", Documents.MAX_MANIFEST_BYTES);
    }
    return manifestBytes.clone();
  }

  @Override
  public synchronized Manifest manifest() throws OciException {
    if (manifest == null) {
      manifest = OciJson.parseManifest(manifestBytes(), "manifest " + descriptor.digest(), Optional.of(descriptor.mediaType()));
    }
    return manifest;
  }

  @Override
  public synchronized byte[] configBytes() throws OciException {
    if (configBytes == null) {
      configBytes = Documents.read(source, manifest().config(), "config", Documents.MAX_CONFIG_BYTES);
    }
    return configBytes.clone();
  }

  /** The config's bytes when they have been read, else null (nothing is read here). */
  private synchronized byte[] readConfigBytes() {
    return configBytes;
  }

  @Override
  public synchronized ImageConfig config() throws OciException {
    if (config == null) {
      config = OciJson.parseConfig(configBytes(), "config " + manifest().config().digest());
    }
    return config;
  }

  @Override
  public List<Layer> layers() throws OciException {
    List<Descriptor> blobs = manifest().layers();
    List<Digest> diffIds = config().rootfs().diffIds();
    if (blobs.size() != diffIds.size()) {
      // a layer without a diff_id (or the reverse) cannot be verified once uncompressed: fail closed
      throw OciException.integrity(
          what, "the manifest lists " + blobs.size() + " layers but the config has " + diffIds.size() + " diff_ids");
    }
    List<Layer> layers = new ArrayList<>(blobs.size());
    for (int i = 0; i < blobs.size(); i++) {
      layers.add(new BlobLayer(source, blobs.get(i), diffIds.get(i), "layer " + (i + 1)));
    }
    return List.copyOf(layers);
  }

  @Override
  public InputStream openBlob(Descriptor blob) throws OciException {
    Manifest m = manifest();
    if (m.config().digest().equals(blob.digest())) {
      byte[] known = readConfigBytes();
      if (known != null) {
        // verified against the same descriptor when it was read: copying an image whose config
        // was already looked at (its platform, by a pull) must not fetch it again
        return new ByteArrayInputStream(known);
      }
      return source.open(m.config(), "config");
    }
    for (int i = 0; i < m.layers().size(); i++) {
      if (m.layers().get(i).digest().equals(blob.digest())) {
        return source.open(m.layers().get(i), "layer " + (i + 1));
      }
    }
    throw OciException.badInput(what, "the manifest does not reference blob " + blob.digest());
  }

  @Override
  public String toString() {
    return what;
  }
}
