package io.jscan.verifier.attest;

import io.jscan.verifier.Evidence;
import io.jscan.verifier.ImageFacts;
import io.jscan.verifier.sbom.PackageInventory;
import io.jscan.verifier.sbom.SbomDocuments;
import java.util.Optional;

/**
 * What verified attestations add to an image's facts before the rules run: the base image from
 * signed provenance, the packages from a signed SBOM. Only attestations whose signature verified
 * count; an unsigned statement attached to the image (an OCI referrer anyone with write access
 * could have added) never changes a fact a rule decides on (fail closed), it is only shown.
 */
public final class AttestedFacts {
  private AttestedFacts() {}

  /** The packages of the first verified SBOM attestation that reads as CycloneDX or SPDX. */
  public static Optional<PackageInventory> trustedSbom(Evidence evidence) {
    for (Evidence.Attestation a : evidence.attestations()) {
      if (a.verified() && SbomDocuments.isSbom(a.predicateType())) {
        try {
          return Optional.of(SbomDocuments.read(a.predicateType(), a.predicate()));
        } catch (IllegalArgumentException e) {
          // a signed document jscan cannot read gives no package list; cataloguing takes over
        }
      }
    }
    return Optional.empty();
  }

  /**
   * {@code facts} with the base image of verified provenance (when it names the final image's
   * base; it wins over the labels, which the same builder wrote unsigned) and the packages of a
   * verified SBOM (which win over jscan's own catalogue, as the brief of a signed SBOM).
   */
  public static ImageFacts apply(ImageFacts facts, Evidence evidence) {
    ImageFacts out = facts;
    Optional<ProvenanceFacts> provenance = ProvenanceFacts.trusted(evidence);
    if (provenance.isPresent() && provenance.get().finalBase().isPresent()) {
      out = out.withBase(provenance.get().finalBase());
    }
    Optional<PackageInventory> sbom = trustedSbom(evidence);
    if (sbom.isPresent()) {
      out = out.withPackages(sbom);
    }
    return out;
  }
}
