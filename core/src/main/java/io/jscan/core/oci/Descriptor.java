package io.jscan.core.oci;

import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A content descriptor (OCI image-spec descriptor.md): what a blob is, its digest and its exact
 * size. Every read of the blob is checked against both.
 *
 * <p>{@code data} is the optional embedded content (base64, descriptor.md "data"); it is kept as the
 * text the document carried so that a descriptor survives a round trip, and it is validated as
 * padded RFC 4648 base64 here. Whoever uses it must still check it against digest and size, as the
 * spec requires.
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    Optional<Platform> platform,
    Optional<String> artifactType,
    Optional<String> data) {

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
    if (data.isPresent() && !isPaddedBase64(data.get())) {
      throw new IllegalArgumentException("invalid descriptor: data is not padded base64");
    }
  }

  public Descriptor(
      String mediaType,
      Digest digest,
      long size,
      List<String> urls,
      Map<String, String> annotations,
      Optional<Platform> platform,
      Optional<String> artifactType) {
    this(mediaType, digest, size, urls, annotations, platform, artifactType, Optional.empty());
  }

  public Descriptor(String mediaType, Digest digest, long size) {
    this(mediaType, digest, size, List.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** A descriptor for {@code content}, digested with SHA-256. */
  public static Descriptor of(String mediaType, byte[] content) {
    return new Descriptor(mediaType, Digest.sha256(content), content.length);
  }

  public Descriptor withAnnotations(Map<String, String> newAnnotations) {
    return new Descriptor(mediaType, digest, size, urls, newAnnotations, platform, artifactType, data);
  }

  /** This descriptor with one annotation added or replaced. */
  public Descriptor withAnnotation(String key, String value) {
    Map<String, String> merged = new TreeMap<>(annotations);
    merged.put(key, value);
    return withAnnotations(merged);
  }

  public Descriptor withPlatform(Platform newPlatform) {
    return new Descriptor(mediaType, digest, size, urls, annotations, Optional.of(newPlatform), artifactType, data);
  }

  public Descriptor withMediaType(String newMediaType) {
    return new Descriptor(newMediaType, digest, size, urls, annotations, platform, artifactType, data);
  }

  public Descriptor withArtifactType(String newArtifactType) {
    return new Descriptor(mediaType, digest, size, urls, annotations, platform, Optional.of(newArtifactType), data);
  }

  /** The same blob without annotations, platform or urls: what a manifest needs to point at it. */
  public Descriptor bare() {
    return new Descriptor(mediaType, digest, size);
  }

  /** The {@code org.opencontainers.image.ref.name} annotation (image-layout.md). */
  public Optional<String> refName() {
    return Optional.ofNullable(annotations.get(Annotations.REF_NAME));
  }

  /**
   * RFC 4648 section 4 with padding: Java's basic decoder also accepts unpadded input, which the
   * spec's schema tests reject (image-spec descriptor-30), so the length is checked first.
   */
  private static boolean isPaddedBase64(String text) {
    if (text.length() % 4 != 0) {
      return false;
    }
    try {
      Base64.getDecoder().decode(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
