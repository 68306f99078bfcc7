package io.jscan.signing.oci;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds what is stored as signatures and attestations of a manifest digest, without judging it:
 * OCI referrers first (Sigstore bundles; other referrers such as SBOM artifacts are not
 * signatures and are left alone), then cosign's {@code .sig} and {@code .att} tag manifests.
 *
 * <p>Content that is there but unreadable (a blob that does not match its digest, a manifest that
 * does not parse) becomes an {@link FoundEvidence.Unreadable} candidate, so verification reports it
 * as a failed signature rather than as no signature. Failing to reach the store at all (network,
 * I/O) is thrown: nothing can be said about the image then.
 */
public final class EvidenceFinder {
  private EvidenceFinder() {}

  public static FoundEvidence find(SignatureStore store, Digest subject) throws OciException {
    List<FoundEvidence.Candidate> out = new ArrayList<>();
    for (Descriptor d : store.referrers().list(subject)) {
      Optional<FoundEvidence.Kind> bundle = Conventions.bundleKind(d);
      if (bundle.isEmpty()) {
        continue;
      }
      String source = store.location() + "@" + d.digest() + " (referrer)";
      FoundEvidence.Kind kind = bundle.get();
      try {
        if (!(store.referrers().read(d) instanceof Image referrer)) {
          out.add(new FoundEvidence.Unreadable(source, kind, "an image index where a bundle referrer manifest was expected"));
          continue;
        }
        List<Descriptor> layers = referrer.manifest().layers();
        if (layers.size() != 1 || !Conventions.isBundleArtifactType(layers.get(0).mediaType())) {
          out.add(new FoundEvidence.Unreadable(source, kind, "a bundle referrer must have exactly one layer holding the bundle, found "
              + layers.stream().map(Descriptor::mediaType).toList()));
          continue;
        }
        out.add(new FoundEvidence.BundleReferrer(source, SignatureManifests.read(referrer, layers.get(0)), referrer.manifest().annotations(), kind));
      } catch (OciException e) {
        out.add(unreadable(source, kind, e));
      }
    }
    readTag(store, Conventions.signatureTag(subject), FoundEvidence.Kind.SIGNATURE, out);
    readTag(store, Conventions.attestationTag(subject), FoundEvidence.Kind.ATTESTATION, out);
    return new FoundEvidence(subject, store.location(), out);
  }

  private static void readTag(SignatureStore store, String tag, FoundEvidence.Kind kind, List<FoundEvidence.Candidate> out) throws OciException {
    String where = store.location() + ":" + tag;
    Optional<Image> manifest;
    try {
      manifest = store.readTagged(tag);
    } catch (OciException e) {
      out.add(unreadable(where, kind, e));
      return;
    }
    if (manifest.isEmpty()) {
      return;
    }
    List<Descriptor> layers;
    try {
      layers = manifest.get().manifest().layers();
    } catch (OciException e) {
      out.add(unreadable(where, kind, e));
      return;
    }
    String expected = kind == FoundEvidence.Kind.SIGNATURE ? Conventions.SIMPLE_SIGNING : Conventions.DSSE_ENVELOPE;
    for (int i = 0; i < layers.size(); i++) {
      Descriptor layer = layers.get(i);
      String source = where + " layer " + (i + 1);
      if (!expected.equals(layer.mediaType())) {
        out.add(new FoundEvidence.Unreadable(source, kind, "layer media type is " + layer.mediaType() + ", expected " + expected));
        continue;
      }
      try {
        byte[] content = SignatureManifests.read(manifest.get(), layer);
        out.add(kind == FoundEvidence.Kind.SIGNATURE
            ? new FoundEvidence.CosignSignature(source, content, layer.annotations())
            : new FoundEvidence.CosignAttestation(source, content, layer.annotations()));
      } catch (OciException e) {
        out.add(unreadable(source, kind, e));
      }
    }
  }

  /** Broken content is evidence that fails; an unreachable store is not evidence at all and is thrown. */
  private static FoundEvidence.Unreadable unreadable(String source, FoundEvidence.Kind kind, OciException e) throws OciException {
    if (e.kind() == FailureKind.UNEXPECTED) {
      throw e;
    }
    return new FoundEvidence.Unreadable(source, kind, e.getMessage());
  }
}
