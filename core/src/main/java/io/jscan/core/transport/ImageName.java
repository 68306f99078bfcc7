package io.jscan.core.transport;

import io.jscan.core.oci.Digest;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image name as Docker normalises it (distribution/reference, {@code ParseNormalizedNamed}):
 * {@code ubuntu} is {@code docker.io/library/ubuntu:latest}, {@code index.docker.io} is
 * {@code docker.io}, a first component with a dot, a colon or equal to {@code localhost} is a
 * registry host ({@code host:port/repo}), the repository path is lowercase, a tag is
 * {@code [\w][\w.-]{0,127}}, and a name without tag or digest gets {@code latest}.
 *
 * <p>Always held in the normalised form; {@link #toString()} prints it in full (what the local
 * store keeps as {@code org.opencontainers.image.ref.name}), {@link #familiar()} in the short form
 * docker prints ({@code ubuntu:22.04}). The registry client reuses this type.
 *
 * @param domain the registry host, with port if any ({@code docker.io}, {@code localhost:5000})
 * @param path the repository path inside the registry ({@code library/ubuntu})
 */
public record ImageName(String domain, String path, Optional<String> tag, Optional<Digest> digest) {
  public static final String DOCKER_HUB = "docker.io";
  public static final String DEFAULT_TAG = "latest";
  private static final String LEGACY_DOCKER_HUB = "index.docker.io";
  private static final String OFFICIAL_PREFIX = "library/";
  /** distribution/reference: NameTotalLengthMax. */
  public static final int MAX_NAME_LENGTH = 255;

  // domain-component ("." domain-component)* [":" port], or a bracketed IPv6 address with optional port
  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
              + "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
  // path-component ("/" path-component)*, path-component := [a-z0-9]+ (separator [a-z0-9]+)*
  private static final Pattern PATH =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");

  public ImageName {
    if (domain == null || !DOMAIN.matcher(domain).matches()) {
      throw new IllegalArgumentException("invalid registry host \"" + domain + "\"");
    }
    if (path == null || !PATH.matcher(path).matches()) {
      throw new IllegalArgumentException(
          "invalid repository path \"" + path + "\" (lowercase letters, digits and . _ - separators)");
    }
    if (tag.isPresent() && !TAG.matcher(tag.get()).matches()) {
      throw new IllegalArgumentException(
          "invalid tag \"" + tag.get() + "\" (up to 128 of letters, digits, _ . -, not starting with . or -)");
    }
    if (tag.isEmpty() && digest.isEmpty()) {
      tag = Optional.of(DEFAULT_TAG);
    }
    if (domain.length() + 1 + path.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("repository name longer than " + MAX_NAME_LENGTH + " characters");
    }
  }

  /**
   * Parses and normalises a name; throws {@link IllegalArgumentException} with a one-line reason.
   * A bare 64-hex string is refused, as docker does, because it would be confused with an image id.
   */
  public static ImageName parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty image name");
    }
    if (IMAGE_ID.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "invalid image name \"" + text + "\": a 64-hex string is an image id, not a repository name");
    }
    String rest = text;
    Optional<Digest> digest = Optional.empty();
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Optional.of(Digest.parse(rest.substring(at + 1)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid image name \"" + text + "\": " + e.getMessage());
      }
      rest = rest.substring(0, at);
    }
    Optional<String> tag = Optional.empty();
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = Optional.of(rest.substring(colon + 1));
      rest = rest.substring(0, colon);
    }
    String domain;
    String path;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? rest : rest.substring(0, slash);
    if (slash >= 0 && isHost(first)) {
      domain = first;
      path = rest.substring(slash + 1);
    } else {
      domain = DOCKER_HUB;
      path = rest;
    }
    if (domain.equals(LEGACY_DOCKER_HUB)) {
      domain = DOCKER_HUB;
    }
    if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
      path = OFFICIAL_PREFIX + path;
    }
    if (!path.toLowerCase(Locale.ROOT).equals(path)) {
      throw new IllegalArgumentException("invalid image name \"" + text + "\": repository name must be lowercase");
    }
    try {
      return new ImageName(domain, path, tag, digest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid image name \"" + text + "\": " + e.getMessage());
    }
  }

  /**
   * Whether the first component of a name's repository part is a registry host rather than a path
   * component: it holds a dot or a colon, is {@code localhost}, or has an upper-case letter
   * (distribution/reference's {@code splitDockerDomain}).
   */
  private static boolean isHost(String first) {
    return first.contains(".") || first.contains(":") || first.equals("localhost")
        || !first.toLowerCase(Locale.ROOT).equals(first);
  }

  /**
   * Whether {@code text}, as written, names its registry host ({@code registry.example/app:1},
   * {@code docker.io/team/app:1}, {@code localhost:5000/app}) rather than leaving it to the Docker
   * Hub default ({@code app:1}, {@code team/app:1}). Docker and podman take such short names for
   * local images first; jscan too (see {@code Transports#compare}).
   */
  public static boolean namesRegistryHost(String text) {
    int at = text.indexOf('@');
    String rest = at >= 0 ? text.substring(0, at) : text;
    int slash = rest.indexOf('/');
    return slash >= 0 && isHost(rest.substring(0, slash));
  }

  /** Whether {@code text} parses as an image name. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** {@code domain/path}, without tag or digest. */
  public String repository() {
    return domain + "/" + path;
  }

  /** The short form docker prints: {@code docker.io/library/} and {@code docker.io/} left out. */
  public String familiar() {
    String repo;
    if (domain.equals(DOCKER_HUB)) {
      repo = path.startsWith(OFFICIAL_PREFIX) && path.indexOf('/', OFFICIAL_PREFIX.length()) < 0
          ? path.substring(OFFICIAL_PREFIX.length())
          : path;
    } else {
      repo = repository();
    }
    return repo + suffix();
  }

  public ImageName withTag(String newTag) {
    return new ImageName(domain, path, Optional.of(newTag), digest);
  }

  public ImageName withDigest(Digest newDigest) {
    return new ImageName(domain, path, tag, Optional.of(newDigest));
  }

  /** The same repository and tag without the digest (tag {@code latest} if it had none). */
  public ImageName withoutDigest() {
    return new ImageName(domain, path, tag, Optional.empty());
  }

  private String suffix() {
    return tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
  }

  /** The fully normalised name: {@code docker.io/library/ubuntu:22.04}. */
  @Override
  public String toString() {
    return repository() + suffix();
  }
}
