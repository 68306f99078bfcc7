package io.jscan.dockerfile.instructions;

/** {@code RUN --network}: the network a RUN step gets. */
public enum NetworkMode {
  DEFAULT("default"),
  NONE("none"),
  HOST("host");

  private final String value;

  NetworkMode(String value) {
    this.value = value;
  }

  /** The flag value as written in a Dockerfile. */
  public String value() {
    return value;
  }
}
