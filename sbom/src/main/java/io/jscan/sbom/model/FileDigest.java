package io.jscan.sbom.model;

import java.util.Locale;

/**
 * A file digest as a package database records it.
 *
 * @param algorithm one of {@code md5}, {@code sha1}, {@code sha256}, {@code sha384}, {@code sha512}
 * @param hex lowercase hex of the digest, of the algorithm's length
 */
public record FileDigest(String algorithm, String hex) {
  public FileDigest {
    int expected =
        switch (algorithm) {
          case "md5" -> 32;
          case "sha1" -> 40;
          case "sha256" -> 64;
          case "sha384" -> 96;
          case "sha512" -> 128;
          default -> throw new IllegalArgumentException("unsupported digest algorithm \"" + algorithm + "\"");
        };
    hex = hex == null ? null : hex.toLowerCase(Locale.ROOT);
    if (hex == null || hex.length() != expected || !isLowerHex(hex)) {
      throw new IllegalArgumentException("invalid " + algorithm + " digest \"" + hex + "\"");
    }
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The CycloneDX hash algorithm name ({@code MD5}, {@code SHA-256}, ...). */
  public String cycloneDxAlgorithm() {
    return switch (algorithm) {
      case "md5" -> "MD5";
      case "sha1" -> "SHA-1";
      case "sha256" -> "SHA-256";
      case "sha384" -> "SHA-384";
      default -> "SHA-512";
    };
  }

  /** The SPDX checksum algorithm name ({@code MD5}, {@code SHA256}, ...). */
  public String spdxAlgorithm() {
    return algorithm.toUpperCase(Locale.ROOT);
  }
}
