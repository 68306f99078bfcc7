package io.jscan.signing.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.JscanException;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.SigstoreBundle;
import io.jscan.signing.payload.DsseEnvelope;
import io.jscan.signing.payload.InTotoStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Attaches signed attestations (in-toto statements in DSSE envelopes) to images, as {@code cosign
 * attest} does: appended to the manifest tagged {@code sha256-<hex>.att} (layer media type {@code
 * application/vnd.dsse.envelope.v1+json}, annotations {@code predicateType} and an empty {@code
 * dev.cosignproject.cosign/signature}), or as a Sigstore bundle referrer.
 *
 * <p>Attaching an SBOM or provenance to a built image is one call:
 *
 * <pre>{@code
 * ImageAttester.attest(store, result.image().descriptor(), PredicateTypes.SLSA_PROVENANCE_V1, provenanceJson,
 *     new SigningMethod.WithKey(signer), StorageFormat.COSIGN_TAG);
 * }</pre>
 *
 * <p>The DSSE signature covers the pre-authentication encoding of the payload's bytes
 * ({@link DsseEnvelope#pae}), so non-ASCII predicates sign what they say.
 */
public final class ImageAttester {
  private ImageAttester() {}

  /**
   * Attests {@code predicate} of {@code predicateType} (a URI or a cosign shorthand: {@code
   * slsaprovenance}, {@code cyclonedx}, {@code spdx}, ...) about {@code subject}: the statement's
   * subject is the store's repository with the subject's digest.
   */
  public static Stored attest(SignatureStore store, Descriptor subject, String predicateType, JsonNode predicate, SigningMethod method, StorageFormat format)
      throws JscanException {
    return attest(store, subject, statementFor(store, subject, predicateType, predicate), method, format, false);
  }

  /**
   * Attests a ready statement, which must name {@code subject}'s digest among its subjects.
   *
   * @param replace for the tag format: drop earlier attestations of the same predicate type
   *     (cosign's {@code --replace}); otherwise they stay and this one is appended
   */
  public static Stored attest(SignatureStore store, Descriptor subject, InTotoStatement statement, SigningMethod method, StorageFormat format,
      boolean replace) throws JscanException {
    return attest(List.of(store), subject, statement, method, format, replace, Clock.systemUTC()).get(0);
  }

  /**
   * Attests a ready statement once and stores that attestation in each of {@code stores} (the
   * registry's copy and the local store's, as {@link ImageSigner#sign(List, Descriptor,
   * SigningMethod, StorageFormat, java.util.Map)} does), in their order.
   *
   * @return what was stored, one per store, in their order
   */
  public static List<Stored> attest(List<SignatureStore> stores, Descriptor subject, InTotoStatement statement, SigningMethod method,
      StorageFormat format, boolean replace) throws JscanException {
    return attest(stores, subject, statement, method, format, replace, Clock.systemUTC());
  }

  static List<Stored> attest(List<SignatureStore> stores, Descriptor subject, InTotoStatement statement, SigningMethod method,
      StorageFormat format, boolean replace, Clock clock) throws JscanException {
    Objects.requireNonNull(statement, "statement");
    ImageSigner.requireManifest(subject);
    if (!statement.hasSubject(subject.digest())) {
      throw SigningException.badInput("attesting " + subject.digest(), "the statement's subjects do not include " + subject.digest());
    }
    List<Stored> out = new ArrayList<>();
    if (format == StorageFormat.BUNDLE_REFERRER || method instanceof SigningMethod.Keyless) {
      SigstoreBundle bundle = ImageSigner.bundle(method, statement);
      Image referrer = SignatureManifests.bundleReferrer(subject, bundle, clock.instant());
      for (SignatureStore store : stores) {
        Descriptor listed = store.referrers().attach(referrer);
        out.add(new Stored(listed, store.location() + "@" + listed.digest() + " (referrer of " + subject.digest() + ")"));
      }
      return out;
    }
    SigningMethod.WithKey key = (SigningMethod.WithKey) method;
    DsseEnvelope envelope = DsseEnvelope.sign(InTotoStatement.PAYLOAD_TYPE, statement.toJson(), key.signer(), "");
    byte[] content = envelope.toJson();
    Descriptor layer = Descriptor.of(Conventions.DSSE_ENVELOPE, content).withAnnotations(Map.of(
        Conventions.SIGNATURE_ANNOTATION, "",
        Conventions.PREDICATE_TYPE_ANNOTATION, statement.predicateType()));
    String tag = Conventions.attestationTag(subject.digest());
    for (SignatureStore store : stores) {
      List<SignatureManifests.Layer> layers = SignatureManifests.layersOf(store.readTagged(tag));
      layers.add(new SignatureManifests.Layer(layer, content));
      Image manifest = SignatureManifests.tagManifest(layers, l -> replace && l.descriptor() != layer
          && statement.predicateType().equals(l.descriptor().annotations().get(Conventions.PREDICATE_TYPE_ANNOTATION)));
      store.writeTagged(tag, manifest);
      out.add(new Stored(manifest.descriptor(), store.location() + ":" + tag));
    }
    return out;
  }

  /** A v1 statement about {@code subject} in {@code store}: subject name the repository, digest the manifest's. */
  public static InTotoStatement statementFor(SignatureStore store, Descriptor subject, String predicateType, JsonNode predicate)
      throws SigningException {
    return InTotoStatement.v1(List.of(InTotoStatement.Subject.of(store.dockerReference(), subject.digest())), predicateType, predicate);
  }
}
