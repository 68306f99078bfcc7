package io.jscan.core.oci;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

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

  /**
   * RFC 6838 section 4.2 restricted-name grammar for type and subtype, as the image-spec schema
   * (defs-descriptor.json "mediaType") states it.
   */
  private static final Pattern WELL_FORMED =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

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

  /** Whether {@code mediaType} follows the RFC 6838 {@code type/subtype} grammar the spec requires. */
  public static boolean isWellFormed(String mediaType) {
    return mediaType != null && WELL_FORMED.matcher(mediaType).matches();
  }

  /** Whether jscan knows how to read a layer of this media type (it is a tar, possibly compressed). */
  public static boolean isLayer(String mediaType) {
    return layerCompression(mediaType).isPresent();
  }

  /**
   * The OCI name of a Docker schema 2 type with the same meaning and bytes (manifest, list, config,
   * layers); other types unchanged. Used when an image is written in OCI form, as BuildKit does.
   */
  public static String toOci(String mediaType) {
    return switch (mediaType) {
      case DOCKER_MANIFEST -> OCI_MANIFEST;
      case DOCKER_MANIFEST_LIST -> OCI_INDEX;
      case DOCKER_CONFIG -> OCI_CONFIG;
      case DOCKER_LAYER -> OCI_LAYER;
      case DOCKER_LAYER_GZIP -> OCI_LAYER_GZIP;
      case DOCKER_LAYER_ZSTD -> OCI_LAYER_ZSTD;
      case DOCKER_FOREIGN_LAYER_GZIP -> OCI_LAYER_NONDISTRIBUTABLE_GZIP;
      default -> mediaType;
    };
  }

  /** The Docker schema 2 name of an OCI type with the same meaning and bytes; other types unchanged. */
  public static String toDocker(String mediaType) {
    return switch (mediaType) {
      case OCI_MANIFEST -> DOCKER_MANIFEST;
      case OCI_INDEX -> DOCKER_MANIFEST_LIST;
      case OCI_CONFIG -> DOCKER_CONFIG;
      case OCI_LAYER -> DOCKER_LAYER;
      case OCI_LAYER_GZIP -> DOCKER_LAYER_GZIP;
      case OCI_LAYER_ZSTD -> DOCKER_LAYER_ZSTD;
      case OCI_LAYER_NONDISTRIBUTABLE_GZIP -> DOCKER_FOREIGN_LAYER_GZIP;
      default -> mediaType;
    };
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
