package io.jscan.signing.keyless;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where keyless signing gets its certificate and logs its signature. Empty options mean Sigstore's
 * public-good instance, discovered through its TUF repository (as {@code cosign sign} does). A
 * private deployment gives Fulcio and Rekor URLs (and optionally a TSA), plus the trusted root
 * that verifies what they return, either as a file or through its own TUF mirror.
 */
public record KeylessOptions(
    Optional<URI> fulcioUrl,
    Optional<URI> rekorUrl,
    Optional<URI> tsaUrl,
    Optional<Path> trustedRoot,
    Optional<URI> tufMirror,
    Optional<Path> tufRoot,
    Optional<Path> tufCache) {

  public KeylessOptions {
    Objects.requireNonNull(fulcioUrl, "fulcioUrl");
    Objects.requireNonNull(rekorUrl, "rekorUrl");
    Objects.requireNonNull(tsaUrl, "tsaUrl");
    Objects.requireNonNull(trustedRoot, "trustedRoot");
    Objects.requireNonNull(tufMirror, "tufMirror");
    Objects.requireNonNull(tufRoot, "tufRoot");
    Objects.requireNonNull(tufCache, "tufCache");
    if (fulcioUrl.isPresent() != rekorUrl.isPresent()) {
      throw new IllegalArgumentException("a custom Sigstore deployment needs both a Fulcio and a Rekor URL");
    }
    if (tsaUrl.isPresent() && fulcioUrl.isEmpty()) {
      throw new IllegalArgumentException("a TSA URL is only used with custom Fulcio and Rekor URLs");
    }
    if (tufMirror.isPresent() != tufRoot.isPresent()) {
      throw new IllegalArgumentException("a TUF mirror needs its initial root.json, and the other way round");
    }
    if (fulcioUrl.isPresent() && trustedRoot.isEmpty() && tufMirror.isEmpty()) {
      throw new IllegalArgumentException("custom Fulcio/Rekor URLs need a trusted root file or a TUF mirror to verify their answers");
    }
  }

  /** Sigstore's public-good instance. */
  public static KeylessOptions publicGood() {
    return new KeylessOptions(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  public boolean isPublicGood() {
    return fulcioUrl.isEmpty() && tufMirror.isEmpty() && trustedRoot.isEmpty();
  }
}
