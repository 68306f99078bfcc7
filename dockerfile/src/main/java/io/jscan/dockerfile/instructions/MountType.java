package io.jscan.dockerfile.instructions;

/** The {@code type=} of a {@code RUN --mount}. */
public enum MountType {
  BIND,
  CACHE,
  TMPFS,
  SECRET,
  SSH;

  /** The value as written in a Dockerfile. */
  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
