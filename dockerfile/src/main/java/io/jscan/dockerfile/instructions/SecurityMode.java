package io.jscan.dockerfile.instructions;

/** {@code RUN --security}: {@code sandbox} (default) or {@code insecure} (needs an entitlement). */
public enum SecurityMode {
  SANDBOX("sandbox"),
  INSECURE("insecure");

  private final String value;

  SecurityMode(String value) {
    this.value = value;
  }

  /** The flag value as written in a Dockerfile. */
  public String value() {
    return value;
  }
}
