package io.jscan.builder;

import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Platform;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a build made and what went into it: everything provenance (SLSA), SBOM and signing need
 * after the build, without re-reading the Dockerfile or the context.
 *
 * @param image the final image (lazy; its blobs are in the store or the output)
 * @param manifestDigest the image's manifest digest ({@code containerimage.digest})
 * @param configDigest its config digest ({@code containerimage.config.digest})
 * @param base the final image's immediate base (the image its chain of stages starts from); empty for scratch
 * @param baseImages every image the build read (FROM and COPY --from), pinned by digest, in build order
 * @param buildArgs the {@code --build-arg} values
 * @param target the target stage's name ({@code stage-N} when it has none)
 * @param platform the platform the image is for
 * @param dockerfileDigest sha256 of the Dockerfile's bytes
 * @param contextDigest the digest of the build context as the build saw it (after .dockerignore)
 * @param sourceDateEpoch the build's reference time
 * @param layersBuilt layers made by this build
 * @param layersReused layers taken from the layer cache
 * @param downloads the URLs ADD fetched (or would have, when its layer came from the cache), each
 *     with the checksum that pinned it, in build order, each once
 */
public record BuildResult(
    Image image,
    Digest manifestDigest,
    Digest configDigest,
    Optional<ResolvedImage> base,
    List<ResolvedImage> baseImages,
    Map<String, String> buildArgs,
    String target,
    Platform platform,
    Digest dockerfileDigest,
    Digest contextDigest,
    SourceDateEpoch sourceDateEpoch,
    int layersBuilt,
    int layersReused,
    List<Download> downloads) {

  public BuildResult {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(base, "base");
    baseImages = List.copyOf(baseImages);
    buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    downloads = List.copyOf(downloads);
  }

  /**
   * An image the build read.
   *
   * @param reference the reference as the Dockerfile wrote it, fully qualified ({@code
   *     docker.io/library/busybox:1.36}), or the {@code oci:}/{@code docker-archive:} reference as written
   * @param digest the digest of what the reference names (an index or an image manifest): with
   *     {@code reference} it pins the input
   * @param imageDigest the manifest digest of the image used for the build's platform
   * @param stage the stage that read it
   * @param use {@code FROM} or {@code COPY --from}
   */
  public record ResolvedImage(String reference, Digest digest, Digest imageDigest, String stage, String use) {}

  /**
   * A remote file the build depends on: {@code ADD --checksum=sha256:… URL}. jscan refuses an ADD
   * of a URL without a checksum, so every download is pinned by its content digest.
   *
   * @param url the URL as the instruction wrote it (after ARG expansion)
   * @param checksum the {@code --checksum} the content was checked against
   * @param stage the stage whose instruction added it
   */
  public record Download(String url, Digest checksum, String stage) {
    public Download {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(checksum, "checksum");
      Objects.requireNonNull(stage, "stage");
    }
  }
}
