package io.jscan.core.oci;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Collections;

/**
 * A content descriptor (OCI image-spec descriptor.md): what a blob is, its digest and its exact
 * size. Every read of the blob is checked against both.
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    Optional<Platform> platform,
    Optional<String> artifactType) {

  public Descriptor {
    if (mediaType == null || mediaType.isEmpty()) {
      throw new IllegalArgumentException("invalid descriptor: mediaType is empty");
    }
    if (digest == null) {
      throw new IllegalArgumentException("invalid descriptor: digest is missing");
    }
    if (size < 0) {
      throw new IllegalArgumentException("invalid descriptor: negative size " + size);
    }
    urls = List.copyOf(urls);
    // sorted so that serialisation is deterministic
    annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  public Descriptor(String mediaType, Digest digest, long size) {
    this(mediaType, digest, size, List.of(), Map.of(), Optional.empty(), Optional.empty());
  }

  /** A descriptor for {@code content}, digested with SHA-256. */
  public static Descriptor of(String mediaType, byte[] content) {
    return new Descriptor(mediaType, Digest.sha256(content), content.length);
  }

  public Descriptor withAnnotations(Map<String, String> newAnnotations) {
    return new Descriptor(mediaType, digest, size, urls, newAnnotations, platform, artifactType);
  }

  public Descriptor withPlatform(Platform newPlatform) {
    return new Descriptor(mediaType, digest, size, urls, annotations, Optional.of(newPlatform), artifactType);
  }

  public Descriptor withMediaType(String newMediaType) {
    return new Descriptor(newMediaType, digest, size, urls, annotations, platform, artifactType);
  }

  public Descriptor withArtifactType(String newArtifactType) {
    return new Descriptor(mediaType, digest, size, urls, annotations, platform, Optional.of(newArtifactType));
  }

  /** The {@code org.opencontainers.image.ref.name} annotation (image-layout.md). */
  public Optional<String> refName() {
    return Optional.ofNullable(annotations.get(Annotations.REF_NAME));
  }
}
