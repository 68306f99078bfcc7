package io.jscan.core.oci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest {@code algorithm:encoded}, validated as the OCI image-spec (descriptor.md,
 * "Digests") requires.
 *
 * <p>The grammar accepts any registered-looking algorithm, as go-digest does; the encoded part of
 * the algorithms we know (sha256, sha384, sha512) must be lowercase hex of the right length. Only
 * known algorithms can be {@linkplain #newMessageDigest() verified}: content claimed under an
 * unknown algorithm cannot be checked and is refused by the verifying stream (fail closed).
 */
public record Digest(String algorithm, String encoded) implements Comparable<Digest> {
  // image-spec descriptor.md: algorithm ::= algorithm-component (algorithm-separator algorithm-component)*
  private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*");
  private static final Pattern ENCODED = Pattern.compile("[a-zA-Z0-9=_-]+");

  public static final String SHA256 = "sha256";

  /** Whether every character is 0-9 or a-f (a loop: digests are parsed by the thousand, e.g. the context's hash cache). */
  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  public Digest {
    if (SHA256.equals(algorithm) && encoded != null) {
      // the common case, checked without regular expressions: digests are made by the thousand
      // (a context's hash cache, a layer listing)
      if (encoded.length() != 64 || !isLowerHex(encoded)) {
        throw new IllegalArgumentException("invalid digest: " + algorithm + ":" + encoded + " (expected 64 lowercase hex digits)");
      }
    } else {
      if (algorithm == null || !ALGORITHM.matcher(algorithm).matches()) {
        throw new IllegalArgumentException("invalid digest algorithm: " + algorithm);
      }
      if (encoded == null || !ENCODED.matcher(encoded).matches()) {
        throw new IllegalArgumentException("invalid digest: " + algorithm + ":" + encoded);
      }
      int expected = hexLength(algorithm);
      if (expected > 0 && (encoded.length() != expected || !isLowerHex(encoded))) {
        throw new IllegalArgumentException(
            "invalid digest: " + algorithm + ":" + encoded + " (expected " + expected + " lowercase hex digits)");
      }
    }
  }

  /** Parses {@code sha256:<64 hex>}; throws {@link IllegalArgumentException} naming the bad value. */
  public static Digest parse(String value) {
    if (value == null) {
      throw new IllegalArgumentException("invalid digest: null");
    }
    int colon = value.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest: \"" + value + "\" (expected algorithm:encoded)");
    }
    return new Digest(value.substring(0, colon), value.substring(colon + 1));
  }

  /** True when {@code value} parses as a digest. */
  public static boolean isValid(String value) {
    try {
      parse(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static Digest sha256(byte[] content) {
    return new Digest(SHA256, HexFormat.of().formatHex(sha256Digest().digest(content)));
  }

  public static Digest sha256(String content) {
    return sha256(content.getBytes(StandardCharsets.UTF_8));
  }

  /** Wraps the result of a finished SHA-256 {@link MessageDigest}. */
  public static Digest ofSha256(byte[] rawDigest) {
    return new Digest(SHA256, HexFormat.of().formatHex(rawDigest));
  }

  /** Whether jscan can compute this algorithm and therefore verify content against it. */
  public boolean isVerifiable() {
    return hexLength(algorithm) > 0;
  }

  /** A fresh hasher for this digest's algorithm; throws if the algorithm is not verifiable. */
  public MessageDigest newMessageDigest() {
    String jca =
        switch (algorithm) {
          case "sha256" -> "SHA-256";
          case "sha384" -> "SHA-384";
          case "sha512" -> "SHA-512";
          default -> throw new IllegalStateException("cannot verify digest algorithm " + algorithm);
        };
    try {
      return MessageDigest.getInstance(jca);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JCA lacks " + jca, e);
    }
  }

  /** The digest of what {@code hasher} has consumed, in this digest's algorithm. */
  public static Digest of(String algorithm, MessageDigest hasher) {
    return new Digest(algorithm, HexFormat.of().formatHex(hasher.digest()));
  }

  public static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JCA lacks SHA-256", e);
    }
  }

  /** The first 12 encoded characters, as docker prints image ids. */
  public String shortHex() {
    return encoded.substring(0, Math.min(12, encoded.length()));
  }

  /** {@code sha256-<hex>}: the form cosign uses in tags ({@code sha256-<hex>.sig}). */
  public String toTagForm() {
    return algorithm + "-" + encoded;
  }

  @Override
  public String toString() {
    return algorithm + ":" + encoded;
  }

  @Override
  public int compareTo(Digest other) {
    return toString().compareTo(other.toString());
  }

  private static int hexLength(String algorithm) {
    // the grammar above admits lowercase algorithm names only
    return switch (algorithm) {
      case "sha256" -> 64;
      case "sha384" -> 96;
      case "sha512" -> 128;
      default -> 0;
    };
  }
}
