package io.jscan.signing.oci;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Carries what is attached to an image from one place to another, as {@code cosign copy} does for a
 * registry: cosign's {@code sha256-<hex>.sig} and {@code .att} tag manifests, its {@code .sbom}
 * tag, and the OCI 1.1 referrers (Sigstore bundle signatures and attestations, attached SBOMs and
 * provenance; read through the referrers API or its tag schema, written the same way), for the
 * image, each platform image of an index, and what is attached to the referrers themselves (a
 * signature on an SBOM). {@code jscan push} carries them from the local store to the registry and
 * {@code jscan pull} back, so a signature made in one place counts in the other.
 *
 * <p>Nothing is lost at the destination: signatures and attestations accumulate (several parties
 * may sign one image), so a {@code .sig}/{@code .att} manifest the destination has already is
 * merged, keeping its layers and appending the source's it lacks (the source's manifest is copied
 * byte for byte when the destination has none); referrers are added, never removed. A {@code .sbom}
 * tag names one document and is replaced, as the image's own tag is. Content is copied as it is,
 * signed or not: what it proves is decided when it is verified.
 */
public final class Attachments {
  private Attachments() {}

  /** How deep attachments of attachments are followed (image, referrer, referrer's referrer). */
  static final int MAX_DEPTH = 3;

  /** What kind of attachment a {@link Carried} is. */
  public enum Kind {
    SIGNATURES("signature"),
    ATTESTATIONS("attestation"),
    SBOM("SBOM"),
    REFERRER("referrer");

    private final String noun;

    Kind(String noun) {
      this.noun = noun;
    }
  }

  /**
   * One attachment at the source and what carrying it did.
   *
   * @param location where it is at the destination ({@code docker://host/app:sha256-<hex>.sig},
   *     {@code store host/app@sha256:… (referrer of sha256:…)})
   * @param detail for a referrer, its artifactType (and predicate type); else empty
   * @param total signatures or attestations (layers) at the source; 1 for an SBOM or a referrer
   * @param added how many of them the destination lacked and now has
   */
  public record Carried(Kind kind, String location, Optional<String> detail, int total, int added) {
    public Carried {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(detail, "detail");
      if (added < 0 || added > total) {
        throw new IllegalArgumentException("added " + added + " of " + total);
      }
    }

    /** A line for the user: {@code carried 2 signatures to docker://host/app:sha256-….sig}. */
    public String describe() {
      String what = kind == Kind.REFERRER ? "referrer " + detail.orElse("")
          : kind == Kind.SBOM ? "the SBOM" : total + " " + kind.noun + (total == 1 ? "" : "s");
      if (added == total) {
        return "carried " + what.strip() + " to " + location;
      }
      if (added == 0) {
        return location + " already has " + (kind == Kind.REFERRER || kind == Kind.SBOM ? "it" : "the " + what);
      }
      return "carried " + added + " of " + what + " to " + location + " (it had the others)";
    }
  }

  /**
   * Carries what {@code from} holds attached to {@code artifact} (and to its platform images, for
   * an index) to {@code to}, which must hold the artifact already.
   *
   * @return one entry per attachment found at the source, in the order carried
   */
  public static List<Carried> carry(SignatureStore from, SignatureStore to, Artifact artifact) throws OciException {
    Set<Digest> subjects = new LinkedHashSet<>();
    subjects.add(artifact.descriptor().digest());
    if (artifact instanceof ImageIndex index) {
      for (Descriptor child : index.index().manifests()) {
        if (MediaTypes.isManifestOrIndex(child.mediaType())) {
          subjects.add(child.digest());
        }
      }
    }
    List<Carried> out = new ArrayList<>();
    Set<Digest> visited = new HashSet<>();
    for (Digest subject : subjects) {
      carry(from, to, subject, 1, visited, out);
    }
    return out;
  }

  private static void carry(SignatureStore from, SignatureStore to, Digest subject, int depth, Set<Digest> visited, List<Carried> out)
      throws OciException {
    if (!visited.add(subject)) {
      return;
    }
    mergeTag(from, to, Conventions.signatureTag(subject), Kind.SIGNATURES, out);
    mergeTag(from, to, Conventions.attestationTag(subject), Kind.ATTESTATIONS, out);
    replaceTag(from, to, Conventions.sbomTag(subject), out);
    List<Descriptor> referrers = from.referrers().list(subject);
    if (referrers.isEmpty()) {
      return;
    }
    Set<Digest> there = new HashSet<>();
    for (Descriptor d : to.referrers().list(subject)) {
      there.add(d.digest());
    }
    for (Descriptor d : referrers) {
      String location = to.location() + "@" + d.digest() + " (referrer of " + subject + ")";
      Optional<String> type = d.artifactType().map(t -> t + predicateType(d).map(p -> " (" + p + ")").orElse(""));
      if (there.contains(d.digest())) {
        out.add(new Carried(Kind.REFERRER, location, type, 1, 0));
      } else {
        // Referrers.attach takes image manifests, which is what every attachment jscan and cosign
        // write is; an index with a subject is left where it is rather than half-copied
        if (!(from.referrers().read(d) instanceof Image referrer)) {
          continue;
        }
        to.referrers().attach(referrer);
        out.add(new Carried(Kind.REFERRER, location, type, 1, 1));
      }
      if (depth < MAX_DEPTH) {
        carry(from, to, d.digest(), depth + 1, visited, out);
      }
    }
  }

  /**
   * A {@code .sig} or {@code .att} tag: copied byte for byte when the destination has none, merged
   * (the destination's layers, then the source's it lacks) when it has another.
   */
  private static void mergeTag(SignatureStore from, SignatureStore to, String tag, Kind kind, List<Carried> out) throws OciException {
    Optional<Image> source = readTagged(from, tag);
    if (source.isEmpty()) {
      return;
    }
    String location = to.location() + ":" + tag;
    int total = source.get().manifest().layers().size();
    Optional<Digest> present = to.taggedDigest(tag);
    if (present.isEmpty()) {
      to.writeTagged(tag, source.get());
      out.add(new Carried(kind, location, Optional.empty(), total, total));
      return;
    }
    if (present.get().equals(source.get().digest())) {
      out.add(new Carried(kind, location, Optional.empty(), total, 0));
      return;
    }
    List<SignatureManifests.Layer> merged = SignatureManifests.layersOf(to.readTagged(tag));
    int added = 0;
    for (SignatureManifests.Layer layer : SignatureManifests.layersOf(source)) {
      if (merged.stream().noneMatch(l -> l.descriptor().equals(layer.descriptor()))) {
        merged.add(layer);
        added++;
      }
    }
    if (added > 0) {
      to.writeTagged(tag, SignatureManifests.tagManifest(merged, l -> false));
    }
    out.add(new Carried(kind, location, Optional.empty(), total, added));
  }

  /** A {@code .sbom} tag: one document, so the source's replaces what the destination has. */
  private static void replaceTag(SignatureStore from, SignatureStore to, String tag, List<Carried> out) throws OciException {
    Optional<Image> source = readTagged(from, tag);
    if (source.isEmpty()) {
      return;
    }
    String location = to.location() + ":" + tag;
    if (to.taggedDigest(tag).equals(Optional.of(source.get().digest()))) {
      out.add(new Carried(Kind.SBOM, location, Optional.empty(), 1, 0));
      return;
    }
    to.writeTagged(tag, source.get());
    out.add(new Carried(Kind.SBOM, location, Optional.empty(), 1, 1));
  }

  /**
   * The predicate type a referrer's annotations name, to tell the SBOM from the provenance in a
   * message: BuildKit's and jscan's {@code in-toto.io/predicate-type}, a bundle's {@code
   * dev.sigstore.bundle.predicateType}.
   */
  private static Optional<String> predicateType(Descriptor referrer) {
    return Optional.ofNullable(referrer.annotations().get(IN_TOTO_PREDICATE_TYPE))
        .or(() -> Optional.ofNullable(referrer.annotations().get(Conventions.BUNDLE_PREDICATE_TYPE_ANNOTATION)));
  }

  /** BuildKit's annotation for the predicate type of an attached in-toto statement (the builder's {@code Statements} writes it). */
  static final String IN_TOTO_PREDICATE_TYPE = "in-toto.io/predicate-type";

  /** The manifest under {@code tag}, asked first whether it is there at all (a {@code HEAD} in a registry: these tags are usually absent). */
  private static Optional<Image> readTagged(SignatureStore from, String tag) throws OciException {
    return from.taggedDigest(tag).isEmpty() ? Optional.empty() : from.readTagged(tag);
  }
}
