package io.jscan.sbom.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A file digest as a package database records it.
 *
 * @param algorithm one of {@code md5}, {@code sha1}, {@code sha256}, {@code sha384}, {@code sha512}
 * @param hex lowercase hex of the digest, of the algorithm's length
 */
public record FileDigest(String algorithm, String hex) {
  /** Every algorithm a package database records: dpkg md5, apk sha1, rpm any of them (FILEDIGESTALGO). */
  public static final List<String> ALGORITHMS = List.of("md5", "sha1", "sha256", "sha384", "sha512");

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

  /**
   * The digests of {@code length} bytes of {@code content} in each of {@code algorithms} (a subset
   * of {@link #ALGORITHMS}), to compare with whichever database owns the file.
   */
  public static List<FileDigest> of(List<String> algorithms, byte[] content, int offset, int length) {
    List<FileDigest> out = new ArrayList<>(algorithms.size());
    for (String algorithm : algorithms) {
      if (!ALGORITHMS.contains(algorithm)) {
        throw new IllegalArgumentException("unsupported digest algorithm \"" + algorithm + "\"");
      }
      MessageDigest md = messageDigest(algorithm);
      md.update(content, offset, length);
      out.add(new FileDigest(algorithm, HexFormat.of().formatHex(md.digest())));
    }
    return List.copyOf(out);
  }

  private static MessageDigest messageDigest(String algorithm) {
    String jca = switch (algorithm) {
      case "md5" -> "MD5";
      case "sha1" -> "SHA-1";
      case "sha256" -> "SHA-256";
      case "sha384" -> "SHA-384";
      default -> "SHA-512";
    };
    try {
      return MessageDigest.getInstance(jca);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + jca, e);
    }
  }
}
