package io.jscan.core.image;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Entry points to the generic lazy implementations: every transport resolves a reference to a
 * descriptor and a {@link BlobSource}, and gets its {@link Image}s and {@link ImageIndex}es here.
 */
public final class Images {
  private Images() {}

  /** The artifact {@code descriptor} names in {@code source}: an image or an index, by media type. */
  public static Artifact artifact(BlobSource source, Descriptor descriptor) throws OciException {
    if (MediaTypes.isImageManifest(descriptor.mediaType())) {
      return new BlobImage(source, descriptor);
    }
    if (MediaTypes.isIndex(descriptor.mediaType())) {
      return new BlobIndex(source, descriptor);
    }
    if (MediaTypes.DOCKER_MANIFEST_V1.equals(descriptor.mediaType())
        || MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(descriptor.mediaType())) {
      throw OciException.badInput(
          descriptor.digest().toString(), "Docker schema 1 manifests are deprecated and not supported");
    }
    throw OciException.badInput(
        descriptor.digest().toString(), "unsupported media type " + descriptor.mediaType() + " (not an image manifest or index)");
  }

  /** The image {@code descriptor} names; bad input when it is not an image manifest. */
  public static Image image(BlobSource source, Descriptor descriptor) throws OciException {
    if (!MediaTypes.isImageManifest(descriptor.mediaType())) {
      throw OciException.badInput(
          descriptor.digest().toString(), "not an image manifest but " + descriptor.mediaType());
    }
    return new BlobImage(source, descriptor);
  }

  /** The index {@code descriptor} names; bad input when it is not an index. */
  public static ImageIndex index(BlobSource source, Descriptor descriptor) throws OciException {
    if (!MediaTypes.isIndex(descriptor.mediaType())) {
      throw OciException.badInput(descriptor.digest().toString(), "not an image index but " + descriptor.mediaType());
    }
    return new BlobIndex(source, descriptor);
  }

  /**
   * The image for {@code wanted}: the artifact itself when it is an image of that platform, else
   * the first matching entry of the index (nested indexes searched in order), matched with
   * {@link Platform#matches}. Entries without a {@code platform} are judged by their config.
   *
   * @throws OciException bad input listing the platforms that are available when none matches
   */
  public static Image forPlatform(Artifact artifact, Platform wanted) throws OciException {
    List<String> available = new ArrayList<>();
    Optional<Image> found = search(artifact, wanted, available);
    if (found.isPresent()) {
      return found.get();
    }
    String what = (artifact instanceof ImageIndex ? "index " : "image ") + artifact.descriptor().digest();
    throw OciException.badInput(
        what,
        "no image for platform "
            + wanted
            + "; available: "
            + (available.isEmpty() ? "none" : String.join(", ", available)));
  }

  /** The platforms an artifact offers, as {@code os/arch[/variant]}, in index order. */
  public static List<Platform> platforms(Artifact artifact) throws OciException {
    List<Platform> result = new ArrayList<>();
    collectPlatforms(artifact, result);
    return result;
  }

  private static void collectPlatforms(Artifact artifact, List<Platform> result) throws OciException {
    if (artifact instanceof Image image) {
      result.add(image.config().platform());
      return;
    }
    ImageIndex index = (ImageIndex) artifact;
    for (Descriptor child : index.index().manifests()) {
      if (child.platform().isPresent()) {
        result.add(child.platform().get());
      } else if (MediaTypes.isManifestOrIndex(child.mediaType())) {
        collectPlatforms(index.child(child), result);
      }
    }
  }

  private static Optional<Image> search(Artifact artifact, Platform wanted, List<String> available)
      throws OciException {
    if (artifact instanceof Image image) {
      Platform actual = image.config().platform();
      available.add(actual.toString());
      return wanted.matches(actual) ? Optional.of(image) : Optional.empty();
    }
    ImageIndex index = (ImageIndex) artifact;
    for (Descriptor child : index.index().manifests()) {
      if (child.platform().isPresent()) {
        Platform p = child.platform().get();
        if (MediaTypes.isIndex(child.mediaType())) {
          if (wanted.matches(p)) {
            Optional<Image> nested = search(index.child(child), wanted, available);
            if (nested.isPresent()) {
              return nested;
            }
          } else {
            available.add(p.toString());
          }
          continue;
        }
        // attestation manifests (BuildKit) say unknown/unknown: not a runnable platform
        if (!"unknown".equals(p.os())) {
          available.add(p.toString());
        }
        if (MediaTypes.isImageManifest(child.mediaType()) && wanted.matches(p)) {
          return Optional.of((Image) index.child(child));
        }
      } else if (MediaTypes.isManifestOrIndex(child.mediaType())) {
        Optional<Image> nested = search(index.child(child), wanted, available);
        if (nested.isPresent()) {
          return nested;
        }
      }
    }
    return Optional.empty();
  }
}
