package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An OCI image manifest whose config and blobs are all small and held in memory: cosign signature
 * and attestation manifests, OCI 1.1 artifacts with an {@code artifactType} and a {@code subject}
 * (image-spec manifest.md, "Guidelines for Artifact Usage"), referrers. Unlike {@link ImageBuilder}
 * its blobs need not be tars and its config need not be an image config: the default config is the
 * empty descriptor {@code application/vnd.oci.empty.v1+json} over the two bytes {@code {}}.
 *
 * <p>The manifest is written by {@link OciJson}'s canonical writer, so the same parts always give
 * the same bytes and digest. Any sink accepts it (blobs are served by {@link #openBlob}).
 *
 * <pre>{@code
 * Image sig = StaticImage.builder()
 *     .artifactType("application/vnd.dev.sigstore.bundle.v0.3+json")
 *     .blob("application/vnd.dev.sigstore.bundle.v0.3+json", bundleJson, Map.of())
 *     .subject(image.descriptor().bare())
 *     .build();
 * }</pre>
 */
public final class StaticImage implements Image {
  /** The empty JSON object {@code {}}: the content of the empty descriptor (image-spec manifest.md). */
  public static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.US_ASCII);

  private final Descriptor descriptor;
  private final byte[] manifestBytes;
  private final Manifest manifest;
  private final byte[] configBytes;
  private final Map<String, byte[]> blobs;

  private StaticImage(Manifest manifest, byte[] configBytes, Map<String, byte[]> blobs) {
    this.manifest = manifest;
    this.manifestBytes = OciJson.write(manifest);
    this.descriptor = Descriptor.of(manifest.mediaType(), manifestBytes);
    this.configBytes = configBytes;
    this.blobs = blobs;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the parts; {@link #build} makes the manifest. */
  public static final class Builder {
    private String configMediaType = MediaTypes.OCI_EMPTY;
    private byte[] config = EMPTY_JSON;
    private final List<Descriptor> layers = new ArrayList<>();
    private final Map<String, byte[]> blobs = new LinkedHashMap<>();
    private Optional<String> artifactType = Optional.empty();
    private Optional<Descriptor> subject = Optional.empty();
    private final Map<String, String> annotations = new TreeMap<>();

    private Builder() {}

    /** The config blob (default: the empty descriptor's {@code {}}). */
    public Builder config(String mediaType, byte[] content) {
      this.configMediaType = Objects.requireNonNull(mediaType, "mediaType");
      this.config = content.clone();
      return this;
    }

    /** Appends a blob to {@code layers}, described by its media type, digest, size and annotations. */
    public Builder blob(String mediaType, byte[] content, Map<String, String> blobAnnotations) {
      Descriptor d = Descriptor.of(mediaType, content).withAnnotations(blobAnnotations);
      layers.add(d);
      blobs.put(d.digest().toString(), content.clone());
      return this;
    }

    /** Appends a blob already described (e.g. a layer of an existing signature manifest, kept as it is). */
    public Builder blob(Descriptor described, byte[] content) {
      if (!Descriptor.of(described.mediaType(), content).digest().equals(described.digest()) || described.size() != content.length) {
        throw new IllegalArgumentException("the content does not match descriptor " + described.digest());
      }
      layers.add(described);
      blobs.put(described.digest().toString(), content.clone());
      return this;
    }

    public Builder artifactType(String type) {
      this.artifactType = Optional.of(type);
      return this;
    }

    /** The manifest this one refers to (image-spec manifest.md "subject"): what makes it a referrer. */
    public Builder subject(Descriptor subjectDescriptor) {
      this.subject = Optional.of(subjectDescriptor);
      return this;
    }

    public Builder annotation(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    public StaticImage build() {
      Descriptor configDescriptor = Descriptor.of(configMediaType, config);
      Map<String, byte[]> all = new LinkedHashMap<>(blobs);
      all.put(configDescriptor.digest().toString(), config.clone());
      Manifest m = new Manifest(MediaTypes.OCI_MANIFEST, artifactType, configDescriptor, layers, subject, annotations);
      return new StaticImage(m, config.clone(), all);
    }
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

  /** The config as an image config; bad input for an artifact's config (the empty one, say). */
  @Override
  public ImageConfig config() throws OciException {
    return OciJson.parseConfig(configBytes, "config of " + descriptor.digest());
  }

  /** An artifact's blobs are not filesystem layers: bad input, as for any manifest that is not a runnable image. */
  @Override
  public List<Layer> layers() throws OciException {
    throw OciException.badInput("manifest " + descriptor.digest(), "an artifact (" + manifest.artifactType().orElse(manifest.config().mediaType())
        + ") has no filesystem layers");
  }

  @Override
  public InputStream openBlob(Descriptor blob) throws OciException {
    byte[] content = blobs.get(blob.digest().toString());
    if (content == null) {
      throw OciException.badInput("manifest " + descriptor.digest(), "the manifest does not reference blob " + blob.digest());
    }
    return new ByteArrayInputStream(content);
  }

  @Override
  public String toString() {
    return "artifact " + descriptor.digest();
  }
}
