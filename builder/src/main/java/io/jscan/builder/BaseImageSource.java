package io.jscan.builder;

import io.jscan.core.JscanException;
import io.jscan.core.image.Artifact;
import io.jscan.core.transport.Transports;
import io.jscan.dockerfile.build.ImageReference;

/**
 * Where the images a Dockerfile names come from ({@code FROM image}, {@code COPY --from=image}).
 * {@link io.jscan.builder.steps.ResolveBaseImageStep} is the one place that calls it.
 *
 * <p>The default, {@link #transports}, goes through core's {@link Transports}: a name is looked up
 * in the local store, {@code oci:} and {@code docker-archive:} references are read directly. The
 * registry source (a name pinned in {@code jscan.lock}, pulled by digest) plugs in here, either as
 * a new core transport behind {@code Transports.read} or as a source that wraps this one.
 */
@FunctionalInterface
public interface BaseImageSource {

  /** The artifact (an image, or an index to pick the platform from) {@code reference} names. */
  Artifact read(ImageReference reference) throws JscanException;

  /** jscan's local sources through core's transports. */
  static BaseImageSource transports(Transports transports) {
    return reference -> {
      String text = reference.isTransport() ? reference.original() : reference.normalized();
      return transports.read(io.jscan.core.transport.ImageReference.parse(text));
    };
  }
}
