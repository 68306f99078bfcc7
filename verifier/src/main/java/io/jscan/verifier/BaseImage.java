package io.jscan.verifier;

import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The image an image was built on, as far as jscan can tell, <em>as it was written</em> (the
 * Dockerfile's FROM, the {@code org.opencontainers.image.base.name} label, provenance's name of a
 * dependency), kept apart from the digest the build resolved it to.
 *
 * <p>The two are kept apart because {@code base-not-latest} and {@code base-pinned} judge what the
 * Dockerfile names, not what one build happened to fetch: {@code FROM debian:latest} resolved to
 * {@code sha256:…} at build time still floats (the next build may read other bytes), and a
 * {@code base.digest} label only records that one resolution. A digest counts as a pin only when
 * it is part of the reference as written ({@code debian@sha256:…}, {@code debian:12@sha256:…}),
 * as for OpenSSF Scorecard's Pinned-Dependencies and Kyverno's require-image-digest; a tag
 * {@code latest} is {@code latest} whatever digest follows it, as for hadolint's DL3007.
 *
 * @param reference the reference as written ({@code ubuntu}, {@code ubuntu:latest}, {@code
 *     ghcr.io/acme/base@sha256:…}); an untagged reference is kept untagged, so "untagged" and
 *     "latest" can be told apart
 * @param repository the normalised repository ({@code docker.io/library/ubuntu}); for jscan's local
 *     transports the reference without its digest ({@code oci:/images/base})
 * @param tag the tag as written, when there is one
 * @param digest the digest written in the reference, when there is one: the only pin
 * @param resolvedDigest the digest the build resolved the reference to, when a builder recorded it
 *     (the {@code base.digest} label, provenance's {@code digest}); informational, never a pin
 * @param source where this came from: {@code label}, {@code dockerfile} or {@code provenance}
 * @param line for {@code dockerfile}: the FROM line
 */
public record BaseImage(
    String reference, String repository, Optional<String> tag, Optional<Digest> digest, Optional<Digest> resolvedDigest, String source,
    OptionalInt line) {
  public static final String LABEL = "label";
  public static final String DOCKERFILE = "dockerfile";
  public static final String PROVENANCE = "provenance";

  public BaseImage {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(resolvedDigest, "resolvedDigest");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(line, "line");
    if (!source.equals(LABEL) && !source.equals(DOCKERFILE) && !source.equals(PROVENANCE)) {
      throw new IllegalArgumentException("unknown base image source \"" + source + "\"");
    }
  }

  /** Whether the reference as written pins content by digest (a resolved digest does not count). */
  public boolean pinned() {
    return digest.isPresent();
  }

  /**
   * Whether the reference as written floats on {@code latest}: tagged {@code latest} (with or
   * without a digest after it: hadolint's DL3007 looks at the tag only), or neither tagged nor
   * written with a digest (an untagged name means {@code latest}; DL3006). An untagged reference
   * with a digest ({@code debian@sha256:…}) names fixed bytes and does not float. jscan's local
   * transports ({@code oci:DIR}, {@code docker-archive:FILE}) name a file on the builder's disk,
   * not a registry tag, so they never float on {@code latest} (whether they are pinned is
   * {@link #pinned()}'s question).
   */
  public boolean floatsOnLatest() {
    if (localTransport()) {
      return false;
    }
    return tag.map(ImageName.DEFAULT_TAG::equals).orElse(digest.isEmpty());
  }

  /** Whether the reference names an image through jscan's {@code oci:} or {@code docker-archive:} transports. */
  public boolean localTransport() {
    return isLocalTransport(reference);
  }

  /**
   * Whether {@code other} names the same image as written: same repository, same tag (an untagged
   * name without digest is {@code latest}), same written digest. The resolved digests are not
   * compared: two sources that name {@code debian:12} agree even when one recorded a resolution.
   */
  public boolean sameAsWritten(BaseImage other) {
    return repository.equals(other.repository) && effectiveTag().equals(other.effectiveTag()) && digest.equals(other.digest);
  }

  private Optional<String> effectiveTag() {
    return tag.isPresent() || digest.isPresent() || localTransport() ? tag : Optional.of(ImageName.DEFAULT_TAG);
  }

  /** The same image with what a builder resolved it to. */
  public BaseImage withResolvedDigest(Optional<Digest> resolved) {
    return new BaseImage(reference, repository, tag, digest, resolved, source, line);
  }

  /**
   * Parses a reference as written; {@code IllegalArgumentException} for a malformed one. The
   * digest written in the reference becomes {@link #digest()}; {@code resolved} is what a builder
   * recorded beside it.
   */
  public static BaseImage parse(String reference, Optional<Digest> resolved, String source, OptionalInt line) {
    String written = reference.trim();
    if (isLocalTransport(written)) {
      return parseLocal(written, resolved, source, line);
    }
    String rest = written;
    Optional<Digest> digest = Optional.empty();
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
    String repository = ImageName.parse(rest).repository();
    return new BaseImage(written, repository, tag, digest, resolved, source, line);
  }

  private static BaseImage parseLocal(String written, Optional<Digest> resolved, String source, OptionalInt line) {
    ImageReference parsed;
    try {
      parsed = ImageReference.parse(written);
    } catch (OciException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (parsed instanceof ImageReference.OciLayoutReference oci) {
      return new BaseImage(written, ImageReference.OCI_PREFIX + oci.directory(), Optional.empty(), oci.digest(), resolved, source, line);
    }
    ImageReference.DockerArchiveReference archive = (ImageReference.DockerArchiveReference) parsed;
    return new BaseImage(written, ImageReference.DOCKER_ARCHIVE_PREFIX + archive.file(), Optional.empty(), Optional.empty(), resolved,
        source, line);
  }

  private static boolean isLocalTransport(String reference) {
    return reference.startsWith(ImageReference.OCI_PREFIX) || reference.startsWith(ImageReference.DOCKER_ARCHIVE_PREFIX);
  }
}
