package io.jscan.verifier;

import io.jscan.core.oci.Digest;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The image an image was built on, as far as jscan can tell.
 *
 * @param reference the reference as written ({@code ubuntu}, {@code ubuntu:latest}, {@code
 *     ghcr.io/acme/base@sha256:…}); an untagged reference is kept untagged, so "untagged" and
 *     "latest" can be told apart
 * @param repository the normalised repository ({@code docker.io/library/ubuntu})
 * @param tag the tag as written, when there is one
 * @param digest the digest, from the reference or from the {@code base.digest} label
 * @param source where this came from: {@code label}, {@code dockerfile} or (later) {@code provenance}
 * @param line for {@code dockerfile}: the FROM line
 */
public record BaseImage(
    String reference, String repository, Optional<String> tag, Optional<Digest> digest, String source, OptionalInt line) {
  public BaseImage {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(line, "line");
  }

  /** Whether the reference pins content by digest. */
  public boolean pinned() {
    return digest.isPresent();
  }

  /**
   * Whether the reference floats on {@code latest}: tagged {@code latest}, or not tagged at all
   * (which means {@code latest}), in either case without a digest (a digest pins it whatever the tag).
   */
  public boolean floatsOnLatest() {
    return digest.isEmpty() && tag.map("latest"::equals).orElse(true);
  }

  /** Parses a reference as written; {@code IllegalArgumentException} for a malformed one. */
  public static BaseImage parse(String reference, Optional<Digest> extraDigest, String source, OptionalInt line) {
    String rest = reference.trim();
    Optional<Digest> digest = extraDigest;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Optional.of(Digest.parse(rest.substring(at + 1)));
      rest = rest.substring(0, at);
    }
    Optional<String> tag = Optional.empty();
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = Optional.of(rest.substring(colon + 1));
      rest = rest.substring(0, colon);
    }
    String repository = io.jscan.core.transport.ImageName.parse(rest).repository();
    return new BaseImage(reference.trim(), repository, tag, digest, source, line);
  }
}
