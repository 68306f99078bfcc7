package io.jscan.core.oci;

/** Pre-defined annotation and label keys (OCI image-spec annotations.md) that jscan reads or writes. */
public final class Annotations {
  private Annotations() {}

  public static final String REF_NAME = "org.opencontainers.image.ref.name";
  public static final String CREATED = "org.opencontainers.image.created";
  public static final String AUTHORS = "org.opencontainers.image.authors";
  public static final String BASE_NAME = "org.opencontainers.image.base.name";
  public static final String BASE_DIGEST = "org.opencontainers.image.base.digest";
  public static final String TITLE = "org.opencontainers.image.title";
  public static final String SOURCE = "org.opencontainers.image.source";
  public static final String REVISION = "org.opencontainers.image.revision";
  /** The legacy label Docker's MAINTAINER instruction was replaced by. */
  public static final String LEGACY_MAINTAINER = "maintainer";
}
