package io.jscan.dockerfile.build;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image reference checked with the grammar of distribution/reference's {@code
 * ParseNormalizedNamed}, which BuildKit applies to FROM images and to {@code --from} values that
 * are not stages.
 *
 * <p>jscan also accepts its local transports where an image is named: {@code oci:DIR[:REF|@DIGEST]}
 * and {@code docker-archive:FILE[:NAME[:TAG]]} (see core's {@code transport.ImageReference}). Such
 * a reference has no registry form: both fields hold it as written and {@link #isTransport()} is true.
 *
 * @param original the reference as written (after expansion)
 * @param normalized the full form with registry, repository and tag ({@code
 *     docker.io/library/alpine:latest}); a digest reference keeps its digest and gets no tag; a
 *     transport reference as written
 */
public record ImageReference(String original, String normalized) {
  private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String DOMAIN =
      "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
  private static final String TAG = "[\\w][\\w.-]{0,127}";
  private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
  private static final Pattern REFERENCE = Pattern.compile(
      "((?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*)(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
  private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

  public ImageReference {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(normalized, "normalized");
  }

  /** The prefixes of jscan's local transports, which are not registry references. */
  public static final List<String> TRANSPORT_PREFIXES = List.of("oci:", "docker-archive:");

  /** Whether {@code reference} names an image through one of jscan's local transports. */
  public static boolean isTransportReference(String reference) {
    return TRANSPORT_PREFIXES.stream().anyMatch(p -> reference.startsWith(p) && reference.length() > p.length());
  }

  /** A transport reference ({@code oci:...}, {@code docker-archive:...}), kept as written. */
  public static ImageReference transport(String reference) {
    if (!isTransportReference(reference)) {
      throw new IllegalArgumentException("not an oci: or docker-archive: reference: " + reference);
    }
    return new ImageReference(reference, reference);
  }

  /** Whether this names an image through a local transport rather than a registry name. */
  public boolean isTransport() {
    return isTransportReference(original);
  }

  /** Checks and normalizes a reference; the exception message is distribution/reference's. */
  public static ImageReference parse(String reference) {
    if (HEX64.matcher(reference).matches()) {
      throw new IllegalArgumentException(
          "invalid repository name (" + reference + "), cannot specify 64-byte hexadecimal strings");
    }
    String domain;
    String remainder;
    int slash = reference.indexOf('/');
    String first = slash < 0 ? "" : reference.substring(0, slash);
    if (slash < 0
        || (!first.contains(".") && !first.contains(":") && !first.equals("localhost")
            && first.toLowerCase(Locale.ROOT).equals(first))) {
      domain = "docker.io";
      remainder = reference;
    } else {
      domain = first;
      remainder = reference.substring(slash + 1);
    }
    if (domain.equals("index.docker.io")) {
      domain = "docker.io";
    }
    if (domain.equals("docker.io") && !remainder.contains("/")) {
      remainder = "library/" + remainder;
    }
    int colon = remainder.indexOf(':');
    String remote = colon < 0 ? remainder : remainder.substring(0, colon);
    if (!remote.toLowerCase(Locale.ROOT).equals(remote)) {
      throw new IllegalArgumentException(
          "invalid reference format: repository name (" + remote + ") must be lowercase");
    }
    String full = domain + "/" + remainder;
    Matcher m = REFERENCE.matcher(full);
    if (reference.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException("invalid reference format");
    }
    if (m.group(1).length() > 255) {
      throw new IllegalArgumentException("repository name must not be more than 255 characters");
    }
    String digest = m.group(3);
    if (digest != null) {
      checkDigest(digest);
    }
    String normalized = full;
    if (m.group(2) == null && digest == null) {
      normalized = full + ":latest";
    }
    return new ImageReference(reference, normalized);
  }

  private static void checkDigest(String digest) {
    int colon = digest.indexOf(':');
    String algorithm = digest.substring(0, colon);
    String hex = digest.substring(colon + 1);
    int length = switch (algorithm) {
      case "sha256" -> 64;
      case "sha384" -> 96;
      case "sha512" -> 128;
      default -> throw new IllegalArgumentException("unsupported digest algorithm");
    };
    if (hex.length() != length || !hex.equals(hex.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("invalid checksum digest format");
    }
  }
}
