package io.jscan.dockerfile.instructions;

/** The {@code sharing=} of a cache mount: how concurrent builds use the same cache. */
public enum CacheSharing {
  SHARED,
  PRIVATE,
  LOCKED;

  /** The value as written in a Dockerfile. */
  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
