package io.jscan.builder;

import io.jscan.core.JscanException;
import io.jscan.core.image.Artifact;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.registry.PinnedImages;
import io.jscan.dockerfile.build.ImageReference;

/**
 * Where the images a Dockerfile names come from ({@code FROM image}, {@code COPY --from=image}).
 * {@link io.jscan.builder.steps.ResolveBaseImageStep} is the one place that calls it.
 *
 * <p>The default, {@link #transports}, goes through core's {@link Transports}: a name is looked up
 * in the local store, then in its registry; {@code oci:} and {@code docker-archive:} references are
 * read directly. {@link #pinned} pins names in {@code jscan.lock} ({@code jscan build} uses it).
 */
@FunctionalInterface
public interface BaseImageSource {

  /** The artifact (an image, or an index to pick the platform from) {@code reference} names. */
  Artifact read(ImageReference reference) throws JscanException;

  /**
   * The artifact {@code reference} names, for a stage built for {@code platform}: sources that pin
   * per platform (jscan.lock) resolve it here; the others ignore the platform.
   */
  default Artifact read(ImageReference reference, Platform platform) throws JscanException {
    return read(reference);
  }

  /**
   * Names pinned in {@code jscan.lock} ({@link PinnedImages}: resolved to a digest per platform,
   * pulled by digest into the local store); {@code oci:} and {@code docker-archive:} references
   * through {@code transports}.
   */
  static BaseImageSource pinned(PinnedImages pinned, Transports transports) {
    BaseImageSource plain = transports(transports);
    return new BaseImageSource() {
      @Override
      public Artifact read(ImageReference reference) throws JscanException {
        return read(reference, Platform.host());
      }

      @Override
      public Artifact read(ImageReference reference, Platform platform) throws JscanException {
        if (reference.isTransport()) {
          return plain.read(reference);
        }
        ImageName name;
        try {
          name = ImageName.parse(reference.normalized());
        } catch (IllegalArgumentException e) {
          throw io.jscan.core.oci.OciException.badInput("image reference \"" + reference.original() + "\"", e.getMessage());
        }
        return pinned.resolve(name, platform);
      }
    };
  }

  /** jscan's local sources through core's transports. */
  static BaseImageSource transports(Transports transports) {
    return reference -> {
      String text = reference.isTransport() ? reference.original() : reference.normalized();
      return transports.read(io.jscan.core.transport.ImageReference.parse(text));
    };
  }
}
