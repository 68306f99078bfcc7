package io.jscan.core.image;

import io.jscan.core.oci.Digest;
import java.util.List;
import java.util.Optional;

/**
 * Tags that attach content to an image by naming its digest rather than naming an image: cosign's
 * {@code sha256-<hex>.sig} (signatures), {@code sha256-<hex>.att} (attestations) and {@code
 * sha256-<hex>.sbom} ({@code cosign attach sbom}; cosign specs/SIGNATURE_SPEC.md, "Tag-based
 * discovery"), and the distribution-spec 1.1 referrers tag schema's {@code sha256-<hex>} index
 * ({@link Referrers#fallbackTag}). Registries and the local store hold them beside the image they
 * are about; they are not images, so {@code jscan images} does not list them as such, and removing
 * the image removes them.
 */
public final class AttachedTags {
  private AttachedTags() {}

  /** The suffixes cosign appends to {@link Digest#toTagForm()}: signatures, attestations, SBOMs. */
  public static final String SIGNATURE_SUFFIX = ".sig";
  public static final String ATTESTATION_SUFFIX = ".att";
  public static final String SBOM_SUFFIX = ".sbom";
  private static final List<String> SUFFIXES = List.of(SIGNATURE_SUFFIX, ATTESTATION_SUFFIX, SBOM_SUFFIX);

  /** {@code sha256-<hex>.sig}. */
  public static String signature(Digest subject) {
    return subject.toTagForm() + SIGNATURE_SUFFIX;
  }

  /** {@code sha256-<hex>.att}. */
  public static String attestation(Digest subject) {
    return subject.toTagForm() + ATTESTATION_SUFFIX;
  }

  /** {@code sha256-<hex>.sbom}. */
  public static String sbom(Digest subject) {
    return subject.toTagForm() + SBOM_SUFFIX;
  }

  /** The tags that can hold content attached to {@code subject}, in the order above. */
  public static List<String> all(Digest subject) {
    return List.of(signature(subject), attestation(subject), sbom(subject), Referrers.fallbackTag(subject));
  }

  /**
   * The image a tag attaches content to, when the tag is one of these: {@code <alg>-<encoded>},
   * optionally followed by {@code .sig}, {@code .att} or {@code .sbom}, where {@code <alg>:<encoded>}
   * is a valid digest of a known algorithm (sha256, sha384, sha512: the generic digest grammar
   * would also take a user's tag such as {@code v1-abc}). Any other tag names an image (empty).
   */
  public static Optional<Digest> subjectOf(String tag) {
    String form = tag;
    for (String suffix : SUFFIXES) {
      if (tag.endsWith(suffix)) {
        form = tag.substring(0, tag.length() - suffix.length());
        break;
      }
    }
    int dash = form.indexOf('-');
    if (dash <= 0) {
      return Optional.empty();
    }
    String candidate = form.substring(0, dash) + ":" + form.substring(dash + 1);
    if (!Digest.isValid(candidate)) {
      return Optional.empty();
    }
    Digest d = Digest.parse(candidate);
    return d.isVerifiable() ? Optional.of(d) : Optional.empty();
  }
}
