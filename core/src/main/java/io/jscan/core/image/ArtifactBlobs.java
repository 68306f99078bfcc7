package io.jscan.core.image;

import io.jscan.core.io.Compressions;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.io.DiffIdCheck;
import io.jscan.core.io.VerifyingInputStream;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Every blob an artifact references, in the order a sink should write them: children before the
 * documents that point at them (layers and config, then the manifest; images, then their index).
 * A sink that writes in this order never holds a manifest whose blobs are missing, whenever it is
 * interrupted. Each blob appears once.
 *
 * <p>A layer of an image (a tar layer media type, in a manifest whose config is an image config)
 * comes with what it must decompress to ({@link LayerContent}: the compression its media type
 * declares, the diff_id its config lists), and {@link Blob#open} checks that in the same read that
 * copies it ({@link DiffIdCheck}), so no sink stores or sends a layer {@code jscan verify} would
 * reject for its compression or diff_id. Blobs of other artifacts (signatures, SBOMs, anything
 * with a config that is not an image config) are copied as they are, against their digest only.
 */
public final class ArtifactBlobs {
  private ArtifactBlobs() {}

  /** Opens one blob's content, verified against its descriptor as it is read. */
  @FunctionalInterface
  public interface Opener {
    InputStream open() throws OciException;
  }

  /**
   * What a layer blob must be, from the image that lists it.
   *
   * @param compression the compression its media type declares
   * @param diffId the digest of its uncompressed content, from the config's {@code rootfs.diff_ids}
   * @param what names it in errors: {@code layer 2}
   */
  public record LayerContent(Compression compression, Digest diffId, String what) {
    public LayerContent {
      Objects.requireNonNull(compression, "compression");
      Objects.requireNonNull(diffId, "diffId");
      Objects.requireNonNull(what, "what");
    }

    DiffIdRecords.Known known() {
      return new DiffIdRecords.Known(compression, diffId);
    }
  }

  /**
   * One blob to copy.
   *
   * @param layer for a layer of an image, what it must decompress to
   */
  public record Blob(Descriptor descriptor, Opener opener, Optional<LayerContent> layer) {
    public Blob {
      Objects.requireNonNull(descriptor, "descriptor");
      Objects.requireNonNull(opener, "opener");
      Objects.requireNonNull(layer, "layer");
    }

    /** A blob that is not a layer of an image: a config, a manifest, an artifact's blob. */
    public Blob(Descriptor descriptor, Opener opener) {
      this(descriptor, opener, Optional.empty());
    }

    /**
     * The blob's content to copy. A layer whose compression and diff_id {@code records} prove is
     * opened as it is; any other layer is checked as it is read (a {@link VerifyingInputStream}
     * with a {@link DiffIdCheck}, which records the fact once proven): the stream fails before
     * handing out the blob's last bytes when the layer is not what its image says.
     */
    public InputStream open(DiffIdRecords records) throws OciException {
      return open(records, opener);
    }

    /**
     * For a blob the destination has already (nothing to copy): proves a layer by its record, or
     * else by reading {@code sameContent} (the destination's copy when it is at hand, else the
     * source's) through the check once. Anything else needs no check.
     *
     * @throws OciException an integrity failure naming the layer when it is not what the image says
     */
    public void checkPresent(DiffIdRecords records, Opener sameContent) throws OciException {
      if (layer.isEmpty() || proven(records)) {
        return;
      }
      String what = layer.get().what() + " " + descriptor.digest();
      try (InputStream in = open(records, sameContent)) {
        byte[] buffer = new byte[1 << 16];
        while (in.read(buffer, 0, buffer.length) >= 0) {
          // the check is the point
        }
      } catch (IOException e) {
        throw OciException.reading(what, e);
      }
    }

    private InputStream open(DiffIdRecords records, Opener content) throws OciException {
      if (layer.isEmpty() || proven(records)) {
        return content.open();
      }
      LayerContent expected = layer.get();
      String what = expected.what() + " " + descriptor.digest();
      InputStream raw = content.open();
      try {
        // a source stream that already verifies this very descriptor (every BlobSource's) is not hashed twice
        VerifyingInputStream verified = raw instanceof VerifyingInputStream v && v.checks(descriptor.digest(), descriptor.size())
            ? v
            : VerifyingInputStream.of(raw, what, descriptor.digest(), descriptor.size());
        Digest digest = descriptor.digest();
        return verified.alsoChecking(new DiffIdCheck(digest, expected.compression(), expected.diffId(), what,
            () -> records.remember(digest, expected.known())));
      } catch (ContentMismatchException e) {
        closeQuietly(raw);
        throw OciException.integrity(e.what(), e.detail());
      }
    }

    /**
     * Whether {@code records} prove this layer: they know the blob, and as this image says. A record
     * that says otherwise is not taken for the answer either way: the layer is then read, and its
     * content decides (and rewrites the record if the record was what was wrong).
     */
    private boolean proven(DiffIdRecords records) {
      return records.lookup(descriptor.digest()).equals(Optional.of(layer.orElseThrow().known()));
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // already failing
    }
  }

  public static List<Blob> of(Artifact artifact) throws OciException {
    List<Blob> result = new ArrayList<>();
    collect(artifact, result, new HashSet<>(), new HashMap<>());
    return result;
  }

  private static void collect(Artifact artifact, List<Blob> out, Set<Digest> seen, Map<Digest, LayerContent> layers)
      throws OciException {
    Descriptor top = artifact.descriptor();
    if (seen.contains(top.digest())) {
      return;
    }
    if (artifact instanceof Image image) {
      Manifest m = image.manifest();
      List<Optional<LayerContent>> contents = layerContents(image, m);
      for (int i = 0; i < m.layers().size(); i++) {
        Descriptor layer = m.layers().get(i);
        Optional<LayerContent> content = contents.get(i);
        if (content.isPresent()) {
          LayerContent earlier = layers.putIfAbsent(layer.digest(), content.get());
          if (earlier != null && !earlier.known().equals(content.get().known())) {
            // one blob has one uncompressed form: two images (or two places of one) that disagree cannot both be right
            throw OciException.integrity(
                content.get().what() + " " + layer.digest() + " of image " + top.digest(),
                "listed elsewhere as " + Compressions.name(earlier.compression()) + " with diff_id " + earlier.diffId()
                    + ", here as " + Compressions.name(content.get().compression()) + " with diff_id " + content.get().diffId()
                    + ": the same bytes have one uncompressed form");
          }
        }
        if (seen.add(layer.digest())) {
          out.add(new Blob(layer, () -> image.openBlob(layer), content));
        }
      }
      Descriptor config = m.config();
      if (seen.add(config.digest())) {
        out.add(new Blob(config, () -> image.openBlob(config)));
      }
    } else {
      ImageIndex index = (ImageIndex) artifact;
      for (Descriptor child : index.index().manifests()) {
        if (!MediaTypes.isManifestOrIndex(child.mediaType())) {
          throw OciException.badInput(
              "index " + top.digest(), "cannot copy child " + child.digest() + " of unknown media type " + child.mediaType());
        }
        collect(index.child(child), out, seen, layers);
      }
    }
    if (seen.add(top.digest())) {
      byte[] bytes = artifact.manifestBytes();
      out.add(new Blob(top, () -> new ByteArrayInputStream(bytes)));
    }
  }

  /**
   * What each layer of {@code image} must decompress to: for a manifest whose config is an image
   * config, every layer of a tar media type, paired with its diff_id ({@link Image#layers}, which
   * fails as an integrity error when the config's diff_ids do not pair up with the layers). Other
   * manifests (cosign signatures, SBOMs, ORAS artifacts, whose blobs are not filesystem layers or
   * whose config lists no diff_ids) get none.
   */
  private static List<Optional<LayerContent>> layerContents(Image image, Manifest m) throws OciException {
    List<Optional<LayerContent>> result = new ArrayList<>();
    boolean imageConfig = MediaTypes.OCI_CONFIG.equals(m.config().mediaType()) || MediaTypes.DOCKER_CONFIG.equals(m.config().mediaType());
    boolean tarLayers = m.layers().stream().anyMatch(d -> MediaTypes.layerCompression(d.mediaType()).isPresent());
    if (!imageConfig || !tarLayers) {
      m.layers().forEach(d -> result.add(Optional.empty()));
      return result;
    }
    List<Layer> paired = image.layers();
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor d = m.layers().get(i);
      Digest diffId = paired.get(i).diffId();
      String what = "layer " + (i + 1);
      result.add(MediaTypes.layerCompression(d.mediaType()).map(c -> new LayerContent(c, diffId, what)));
    }
    return result;
  }
}
