package io.jscan.core.oci;

import java.util.Optional;
import java.util.Set;

/**
 * The media types jscan reads and writes (OCI image-spec media-types.md, Docker image manifest v2
 * schema 2, cosign's SIGNATURE_SPEC and the Sigstore bundle spec).
 */
public final class MediaTypes {
  private MediaTypes() {}

  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYOUT_HEADER = "application/vnd.oci.layout.header.v1+json";
  public static final String OCI_DESCRIPTOR = "application/vnd.oci.descriptor.v1+json";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  public static final String OCI_LAYER_NONDISTRIBUTABLE = "application/vnd.oci.image.layer.nondistributable.v1.tar";
  public static final String OCI_LAYER_NONDISTRIBUTABLE_GZIP =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
  public static final String OCI_LAYER_NONDISTRIBUTABLE_ZSTD =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
  public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  public static final String DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd";
  public static final String DOCKER_FOREIGN_LAYER_GZIP =
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
  /** Schema 1 is deprecated and unsigned-manifest unsafe; jscan recognises it only to refuse it. */
  public static final String DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";
  public static final String DOCKER_MANIFEST_V1_SIGNED =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";

  // cosign SIGNATURE_SPEC.md
  public static final String COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  public static final String DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json";
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  public static final String SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

  // SBOM formats (as attached by syft/cosign)
  public static final String CYCLONEDX_JSON = "application/vnd.cyclonedx+json";
  public static final String SPDX_JSON = "application/spdx+json";

  /** Some third-party layer types that are known to be gzip-compressed tars (seen in the wild). */
  public static final String NONSTANDARD_TAR_GZIP = "application/tar+gzip";

  private static final Set<String> IMAGE_MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
  private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);

  public static boolean isImageManifest(String mediaType) {
    return IMAGE_MANIFESTS.contains(mediaType);
  }

  public static boolean isIndex(String mediaType) {
    return INDEXES.contains(mediaType);
  }

  public static boolean isManifestOrIndex(String mediaType) {
    return isImageManifest(mediaType) || isIndex(mediaType);
  }

  /** The compression a layer media type declares, or empty when the type is not a layer type jscan knows. */
  public static Optional<Compression> layerCompression(String mediaType) {
    return switch (mediaType) {
      case OCI_LAYER, OCI_LAYER_NONDISTRIBUTABLE, DOCKER_LAYER -> Optional.of(Compression.NONE);
      case OCI_LAYER_GZIP,
          OCI_LAYER_NONDISTRIBUTABLE_GZIP,
          DOCKER_LAYER_GZIP,
          DOCKER_FOREIGN_LAYER_GZIP,
          NONSTANDARD_TAR_GZIP -> Optional.of(Compression.GZIP);
      case OCI_LAYER_ZSTD, OCI_LAYER_NONDISTRIBUTABLE_ZSTD, DOCKER_LAYER_ZSTD -> Optional.of(Compression.ZSTD);
      default -> Optional.empty();
    };
  }

  /** The OCI layer media type for a compression. */
  public static String ociLayer(Compression compression) {
    return switch (compression) {
      case NONE -> OCI_LAYER;
      case GZIP -> OCI_LAYER_GZIP;
      case ZSTD -> OCI_LAYER_ZSTD;
    };
  }

  /** The Docker schema 2 layer media type for a compression. */
  public static String dockerLayer(Compression compression) {
    return switch (compression) {
      case NONE -> DOCKER_LAYER;
      case GZIP -> DOCKER_LAYER_GZIP;
      case ZSTD -> DOCKER_LAYER_ZSTD;
    };
  }

  /** How a layer blob is compressed. */
  public enum Compression {
    NONE,
    GZIP,
    ZSTD
  }
}
