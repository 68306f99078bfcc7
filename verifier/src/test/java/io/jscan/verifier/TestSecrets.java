package io.jscan.verifier;

/** Secret-shaped test values made here (not real credentials), for the scanner and the planted-key fixtures. */
public final class TestSecrets {
  private TestSecrets() {}

  /** A syntactically plausible PEM body; its first line is what tests look for in output that must not contain it. */
  public static final String PEM_BODY = "MIIEowIBAAKCAQEAzXcQ1t4Lr2Y8m3Qp9sVbU6kE7nJ2dH5gW0aZfR1yTqPvLxC\n"
      + "Qm8sD3fG6hJ9kL2zX5cV8bN1mM4qW7eR0tY3uI6oP9aS2dF5gH8jK1lZ4xC7vB0n\n";
  public static final String PEM = "-----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY + "-----END RSA PRIVATE KEY-----\n";
  /** Fragments of the key that must never appear in any report. */
  public static final String[] FRAGMENTS = {"MIIEowIBAAKCAQEA", "zXcQ1t4Lr2Y8m3Qp9sVbU6kE7nJ2dH5g", "Qm8sD3fG6hJ9kL2z"};
}
