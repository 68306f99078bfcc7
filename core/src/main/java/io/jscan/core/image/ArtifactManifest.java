package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
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

/**
 * An OCI 1.1 artifact that refers to an image: an image manifest whose {@code artifactType} says
 * what it is, whose {@code subject} is the image's descriptor, whose config is the empty descriptor
 * and whose layers are the artifact's blobs (image-spec manifest.md "Guidelines for Artifact Usage",
 * "subject"). SBOMs and provenance are attached to images this way; registries list them through
 * the referrers API (distribution-spec "Listing Referrers").
 *
 * <p>The result is an {@link Image} only in that sinks can write it ({@link Image#openBlob}): it
 * has no image config or layers in the container sense. The manifest is written canonically, so
 * the same blobs always give the same artifact digest.
 */
public final class ArtifactManifest {
  private ArtifactManifest() {}

  /** image-spec manifest.md: the empty descriptor's content is the two bytes {@code {}}. */
  private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);

  /** One blob of the artifact, with the annotations its layer descriptor carries. */
  public record Blob(String mediaType, byte[] content, Map<String, String> annotations) {
    public Blob {
      Objects.requireNonNull(mediaType, "mediaType");
      content = content.clone();
      annotations = Map.copyOf(annotations);
    }

    @Override
    public byte[] content() {
      return content.clone();
    }

    Descriptor descriptor() {
      return Descriptor.of(mediaType, content).withAnnotations(annotations);
    }
  }

  /**
   * An artifact of type {@code artifactType} about {@code subject} (its descriptor as the subject's
   * source lists it: media type, digest, size).
   *
   * @param annotations the manifest's annotations (the referrers API shows them)
   */
  public static Image of(Descriptor subject, String artifactType, List<Blob> blobs, Map<String, String> annotations) {
    if (!MediaTypes.isManifestOrIndex(subject.mediaType())) {
      throw new IllegalArgumentException("an artifact's subject is a manifest or an index, not " + subject.mediaType());
    }
    if (blobs.isEmpty()) {
      throw new IllegalArgumentException("an artifact without blobs says nothing");
    }
    Descriptor config = Descriptor.of(MediaTypes.OCI_EMPTY, EMPTY_JSON);
    List<Descriptor> layers = new ArrayList<>();
    Map<Digest, byte[]> content = new LinkedHashMap<>();
    content.put(config.digest(), EMPTY_JSON);
    for (Blob b : blobs) {
      layers.add(b.descriptor());
      content.put(b.descriptor().digest(), b.content);
    }
    // the subject as a plain descriptor: its platform, annotations and urls are the source's business
    Descriptor subjectRef = new Descriptor(subject.mediaType(), subject.digest(), subject.size());
    Manifest manifest = new Manifest(MediaTypes.OCI_MANIFEST, Optional.of(artifactType), config, layers, Optional.of(subjectRef),
        annotations);
    byte[] bytes = OciJson.write(manifest);
    Descriptor descriptor = Descriptor.of(MediaTypes.OCI_MANIFEST, bytes).withArtifactType(artifactType).withAnnotations(annotations);
    return new InMemoryArtifact(descriptor, bytes, manifest, content);
  }

  /** An artifact held in memory (its blobs are small documents). */
  private static final class InMemoryArtifact implements Image {
    private final Descriptor descriptor;
    private final byte[] bytes;
    private final Manifest manifest;
    private final Map<Digest, byte[]> content;

    InMemoryArtifact(Descriptor descriptor, byte[] bytes, Manifest manifest, Map<Digest, byte[]> content) {
      this.descriptor = descriptor;
      this.bytes = bytes;
      this.manifest = manifest;
      this.content = content;
    }

    @Override
    public Descriptor descriptor() {
      return descriptor;
    }

    @Override
    public byte[] manifestBytes() {
      return bytes.clone();
    }

    @Override
    public Manifest manifest() {
      return manifest;
    }

    @Override
    public byte[] configBytes() {
      return EMPTY_JSON.clone();
    }

    @Override
    public ImageConfig config() throws OciException {
      throw OciException.badInput("artifact " + descriptor.digest(), "an artifact (" + manifest.artifactType().orElse("") + ") has no image config");
    }

    @Override
    public List<Layer> layers() throws OciException {
      throw OciException.badInput("artifact " + descriptor.digest(), "an artifact has blobs, not file system layers");
    }

    @Override
    public InputStream openBlob(Descriptor blob) throws OciException {
      byte[] b = content.get(blob.digest());
      if (b == null) {
        throw OciException.badInput("artifact " + descriptor.digest(), "the manifest does not reference blob " + blob.digest());
      }
      return new ByteArrayInputStream(b);
    }

    @Override
    public String toString() {
      return "artifact " + descriptor.digest();
    }
  }
}
