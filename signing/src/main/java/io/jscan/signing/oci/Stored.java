package io.jscan.signing.oci;

import io.jscan.core.oci.Descriptor;
import java.util.Objects;

/**
 * What signing or attesting stored: the manifest holding it and where.
 *
 * @param manifest the {@code .sig}/{@code .att} manifest (now holding the new layer) or the referrer
 * @param location where, for messages: {@code docker://host/repo:sha256-<hex>.sig}, {@code
 *     oci:DIR@sha256:... (referrer of sha256:...)}
 */
public record Stored(Descriptor manifest, String location) {
  public Stored {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(location, "location");
  }
}
