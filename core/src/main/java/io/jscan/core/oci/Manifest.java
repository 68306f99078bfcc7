package io.jscan.core.oci;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An image manifest: OCI (manifest.md) or Docker image manifest v2 schema 2, which share this shape.
 * {@code mediaType} is the type the document declares (Docker requires it, OCI recommends it); the
 * type a descriptor claims for it is checked against it when the manifest is read.
 */
public record Manifest(
    String mediaType,
    Optional<String> artifactType,
    Descriptor config,
    List<Descriptor> layers,
    Optional<Descriptor> subject,
    Map<String, String> annotations) {

  public Manifest {
    if (!MediaTypes.isImageManifest(mediaType)) {
      throw new IllegalArgumentException("invalid manifest: unsupported mediaType \"" + mediaType + "\"");
    }
    if (config == null) {
      throw new IllegalArgumentException("invalid manifest: config descriptor is missing");
    }
    layers = List.copyOf(layers);
    annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  public Manifest(String mediaType, Descriptor config, List<Descriptor> layers) {
    this(mediaType, Optional.empty(), config, layers, Optional.empty(), Map.of());
  }

  public boolean isDocker() {
    return MediaTypes.DOCKER_MANIFEST.equals(mediaType);
  }
}
