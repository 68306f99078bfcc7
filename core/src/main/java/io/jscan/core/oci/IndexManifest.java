package io.jscan.core.oci;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An image index (OCI image-index.md) or Docker manifest list: a list of manifests, typically one
 * per platform. Named as go-containerregistry names it, to keep it apart from the lazy
 * {@link io.jscan.core.image.ImageIndex}.
 */
public record IndexManifest(
    String mediaType,
    Optional<String> artifactType,
    List<Descriptor> manifests,
    Optional<Descriptor> subject,
    Map<String, String> annotations) {

  public IndexManifest {
    if (!MediaTypes.isIndex(mediaType)) {
      throw new IllegalArgumentException("invalid index: unsupported mediaType \"" + mediaType + "\"");
    }
    manifests = List.copyOf(manifests);
    annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  public IndexManifest(List<Descriptor> manifests) {
    this(MediaTypes.OCI_INDEX, Optional.empty(), manifests, Optional.empty(), Map.of());
  }

  public boolean isDocker() {
    return MediaTypes.DOCKER_MANIFEST_LIST.equals(mediaType);
  }
}
