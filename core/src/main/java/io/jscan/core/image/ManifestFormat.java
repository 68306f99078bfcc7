package io.jscan.core.image;

import io.jscan.core.oci.MediaTypes;

/**
 * Which media types an image jscan writes uses. OCI is the default; Docker schema 2 is for
 * consumers that insist on it (old registries, old {@code docker load}). Both describe the same
 * bytes, so only the manifest and config media types differ.
 */
public enum ManifestFormat {
  OCI(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_CONFIG),
  DOCKER(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_CONFIG);

  private final String manifestMediaType;
  private final String configMediaType;

  ManifestFormat(String manifestMediaType, String configMediaType) {
    this.manifestMediaType = manifestMediaType;
    this.configMediaType = configMediaType;
  }

  public String manifestMediaType() {
    return manifestMediaType;
  }

  public String configMediaType() {
    return configMediaType;
  }

  /** A layer media type in this format (known layer types are renamed; others kept). */
  public String layerMediaType(String mediaType) {
    return this == OCI ? MediaTypes.toOci(mediaType) : MediaTypes.toDocker(mediaType);
  }
}
