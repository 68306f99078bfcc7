package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.ImageConfig.RootFs;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.oci.json.OciJson;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Builds an image in memory from a config and layers (the builder's output, or a base image with
 * layers added). The manifest and config are documents jscan makes, so they are written with
 * {@link OciJson}'s canonical writer: the same parts always give the same bytes and digests.
 *
 * <p>The config's {@code rootfs.diff_ids} always come from the layers, so they cannot disagree.
 * Every layer added comes with the history entry that made it. A base image's history is kept as
 * it is, even when it does not pair up with its layers (many published images do not).
 *
 * <pre>{@code
 * Image image = ImageBuilder.from(base)
 *     .addLayer(Layers.compress(tar, Compression.GZIP, workDir), history)
 *     .containerConfig(c -> withCmd(c, List.of("/app")))
 *     .created(sourceDateEpoch)
 *     .build();
 * }</pre>
 */
public final class ImageBuilder {
  private ImageConfig config;
  private final List<Layer> layers = new ArrayList<>();
  private final List<History> history = new ArrayList<>();
  private ManifestFormat format = ManifestFormat.OCI;
  private final Map<String, String> annotations = new TreeMap<>();
  private Optional<String> artifactType = Optional.empty();

  private ImageBuilder(ImageConfig config) {
    this.config = config;
    this.history.addAll(config.history());
  }

  /** An image with no layers for {@code platform} (Dockerfile {@code FROM scratch}). */
  public static ImageBuilder fromScratch(Platform platform) {
    return new ImageBuilder(
        new ImageConfig(
            Optional.empty(),
            Optional.empty(),
            platform.architecture(),
            platform.os(),
            platform.osVersion(),
            platform.osFeatures(),
            platform.variant(),
            ContainerConfig.empty(),
            new RootFs(List.of()),
            List.of()));
  }

  /** Starts from {@code base}: its config, history and layers (reused as they are, not copied). */
  public static ImageBuilder from(Image base) throws OciException {
    ImageBuilder b = new ImageBuilder(base.config());
    b.layers.addAll(base.layers());
    return b;
  }

  /** Replaces the whole config except rootfs (always derived from the layers) and history. */
  public ImageBuilder config(UnaryOperator<ImageConfig> change) {
    config = change.apply(config);
    return this;
  }

  public ImageBuilder containerConfig(UnaryOperator<ContainerConfig> change) {
    config = config.withConfig(change.apply(config.config()));
    return this;
  }

  public ImageBuilder created(Instant created) {
    config = config.withCreated(Optional.of(created));
    return this;
  }

  public ImageBuilder author(String author) {
    config = config.withAuthor(Optional.of(author));
    return this;
  }

  /** Appends a layer and the history entry that made it ({@code emptyLayer} must be false). */
  public ImageBuilder addLayer(Layer layer, History createdBy) {
    if (createdBy.emptyLayer()) {
      throw new IllegalArgumentException("the history entry of a layer cannot be an empty_layer entry");
    }
    layers.add(layer);
    history.add(createdBy);
    return this;
  }

  /** Appends a history entry that made no layer (ENV, CMD...); it is marked {@code empty_layer}. */
  public ImageBuilder addHistory(History entry) {
    history.add(new History(entry.created(), entry.createdBy(), entry.author(), entry.comment(), true));
    return this;
  }

  public ImageBuilder format(ManifestFormat newFormat) {
    format = newFormat;
    return this;
  }

  public ImageBuilder annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  public ImageBuilder artifactType(String type) {
    artifactType = Optional.of(type);
    return this;
  }

  /** The image: manifest and config bytes are made now; layers stay as the given {@link Layer}s. */
  public Image build() throws OciException {
    List<Digest> diffIds = layers.stream().map(Layer::diffId).toList();
    ImageConfig finalConfig = config.withRootFs(new RootFs(diffIds)).withHistory(history);
    byte[] configBytes = OciJson.write(finalConfig);
    Descriptor configDescriptor = Descriptor.of(format.configMediaType(), configBytes);
    List<Descriptor> layerDescriptors = new ArrayList<>(layers.size());
    for (Layer layer : layers) {
      Descriptor d = layer.descriptor();
      layerDescriptors.add(
          new Descriptor(format.layerMediaType(d.mediaType()), d.digest(), d.size(), d.urls(), d.annotations(), Optional.empty(), Optional.empty()));
    }
    Manifest manifest =
        new Manifest(format.manifestMediaType(), artifactType, configDescriptor, layerDescriptors, Optional.empty(), annotations);
    byte[] manifestBytes = OciJson.write(manifest);
    return new BuiltImage(
        Descriptor.of(format.manifestMediaType(), manifestBytes), manifestBytes, manifest, configBytes, finalConfig, List.copyOf(layers));
  }

  /** An image held in memory; layers are whatever {@link Layer}s it was built from. */
  private static final class BuiltImage implements Image {
    private final Descriptor descriptor;
    private final byte[] manifestBytes;
    private final Manifest manifest;
    private final byte[] configBytes;
    private final ImageConfig config;
    private final List<Layer> layers;

    BuiltImage(
        Descriptor descriptor, byte[] manifestBytes, Manifest manifest, byte[] configBytes, ImageConfig config, List<Layer> layers) {
      this.descriptor = descriptor;
      this.manifestBytes = manifestBytes;
      this.manifest = manifest;
      this.configBytes = configBytes;
      this.config = config;
      this.layers = layers;
    }

    @Override
    public Descriptor descriptor() {
      return descriptor;
    }

    @Override
    public byte[] manifestBytes() {
      return manifestBytes.clone();
    }

    @Override
    public Manifest manifest() {
      return manifest;
    }

    @Override
    public byte[] configBytes() {
      return configBytes.clone();
    }

    @Override
    public ImageConfig config() {
      return config;
    }

    @Override
    public List<Layer> layers() {
      return layers;
    }

    @Override
    public InputStream openBlob(Descriptor blob) throws OciException {
      if (blob.digest().equals(manifest.config().digest())) {
        return new ByteArrayInputStream(configBytes);
      }
      for (Layer layer : layers) {
        if (layer.descriptor().digest().equals(blob.digest())) {
          return layer.openCompressed();
        }
      }
      throw OciException.badInput("image " + descriptor.digest(), "the manifest does not reference blob " + blob.digest());
    }

    @Override
    public String toString() {
      return "image " + descriptor.digest();
    }
  }
}
