package io.jscan.signing.bundle;

import io.jscan.signing.SigningException;
import java.util.Optional;

/**
 * Sigstore bundle versions (protobuf-specs, sigstore_bundle.proto "mediaType"). v0.3 has two
 * spellings: the original parameter form and the {@code bundle.v0.3+json} form adopted later
 * (protobuf-specs#279); both mean the same document.
 */
public enum BundleVersion {
  V0_1("application/vnd.dev.sigstore.bundle+json;version=0.1"),
  V0_2("application/vnd.dev.sigstore.bundle+json;version=0.2"),
  V0_3("application/vnd.dev.sigstore.bundle.v0.3+json");

  static final String V0_3_LEGACY = "application/vnd.dev.sigstore.bundle+json;version=0.3";

  private final String mediaType;

  BundleVersion(String mediaType) {
    this.mediaType = mediaType;
  }

  /** The media type jscan writes for this version (the newer spelling for v0.3). */
  public String mediaType() {
    return mediaType;
  }

  public static Optional<BundleVersion> of(String mediaType) {
    if (mediaType.equals(V0_3_LEGACY)) {
      return Optional.of(V0_3);
    }
    for (BundleVersion v : values()) {
      if (v.mediaType.equals(mediaType)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  static BundleVersion parse(String mediaType, String what) throws SigningException {
    // an unknown version may change what the fields mean; guessing would verify the wrong thing
    return of(mediaType).orElseThrow(() -> SigningException.badInput(what, "unsupported bundle media type \"" + mediaType + "\""));
  }
}
