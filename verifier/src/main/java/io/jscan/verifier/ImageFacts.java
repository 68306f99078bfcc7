package io.jscan.verifier;

import io.jscan.core.transport.ImageName;
import io.jscan.verifier.files.FileFact;
import io.jscan.verifier.integrity.WalkResult;
import io.jscan.verifier.sbom.PackageInventory;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the expensive part of verification learned about one image: the integrity walk, the file
 * facts and, when policies need them, the packages catalogued in the same pass. It depends only on
 * the image's bytes, the scan limits and whether packages were catalogued, so a server can cache it
 * by manifest digest and evaluate policies again without reading the layers.
 *
 * <p>{@link Verifier#evaluate} replaces {@code base} and {@code packages} with what verified
 * attestations say (provenance, SBOM) before the rules run; the cached facts stay as the image's
 * bytes gave them.
 *
 * @param reference the reference as the user wrote it
 * @param name the image's name, when the reference has one (store names, archive tags)
 * @param walk the integrity walk's result
 * @param base the base image: from the image's labels, or from verified provenance
 * @param facts file facts with their visibility in the merged filesystem
 * @param packages the image's packages: catalogued from its layers, or from a verified SBOM attestation; empty when not looked for
 */
public record ImageFacts(
    String reference, Optional<ImageName> name, WalkResult walk, Optional<BaseImage> base, List<FileFact> facts,
    Optional<PackageInventory> packages) {
  public ImageFacts {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(walk, "walk");
    Objects.requireNonNull(base, "base");
    facts = List.copyOf(facts);
    Objects.requireNonNull(packages, "packages");
  }

  /** Facts without a package catalogue. */
  public ImageFacts(String reference, Optional<ImageName> name, WalkResult walk, Optional<BaseImage> base, List<FileFact> facts) {
    this(reference, name, walk, base, facts, Optional.empty());
  }

  public ImageFacts withBase(Optional<BaseImage> newBase) {
    return new ImageFacts(reference, name, walk, newBase, facts, packages);
  }

  public ImageFacts withPackages(Optional<PackageInventory> newPackages) {
    return new ImageFacts(reference, name, walk, base, facts, newPackages);
  }
}
