package io.jscan.signing.oci;

import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.JscanException;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.KeyBundles;
import io.jscan.signing.bundle.SigstoreBundle;
import io.jscan.signing.keyless.KeylessSigning;
import io.jscan.signing.payload.InTotoStatement;
import io.jscan.signing.payload.SimpleSigningPayload;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signs images the way cosign does and stores the signature where cosign (and {@code jscan
 * verify}) look for it.
 *
 * <ul>
 *   <li>{@link StorageFormat#COSIGN_TAG}: the simple-signing payload ({@code
 *       critical.identity.docker-reference}, {@code critical.image.docker-manifest-digest}, {@code
 *       critical.type}, optional annotations) is signed and appended as a layer of media type
 *       {@code application/vnd.dev.cosign.simplesigning.v1+json} to the manifest tagged {@code
 *       sha256-<hex>.sig}; the base64 signature is the layer's {@code
 *       dev.cosignproject.cosign/signature} annotation. Earlier signatures stay (several signers
 *       can sign one image); the very same signature is not added twice.
 *   <li>{@link StorageFormat#BUNDLE_REFERRER}: as cosign 3, an in-toto statement about the image
 *       digest with predicate type {@code https://sigstore.dev/cosign/sign/v1} is signed as DSSE,
 *       wrapped in a Sigstore bundle v0.3 and attached as an OCI 1.1 referrer.
 * </ul>
 *
 * <pre>{@code
 * SignatureStore store = SignatureStores.forReference(ref, transports);
 * Stored s = ImageSigner.sign(store, image.descriptor(), new SigningMethod.WithKey(key.signer()),
 *     StorageFormat.COSIGN_TAG, Map.of("build", "42"));
 * }</pre>
 *
 * <p>Stateless and thread-safe; signing the same image from two processes at once can lose one
 * signature of the tag manifest (read-modify-write, as with cosign).
 */
public final class ImageSigner {
  private ImageSigner() {}

  /**
   * Signs {@code subject} (an image manifest or index descriptor: its digest is what is signed)
   * and stores the signature in {@code store}.
   *
   * @param annotations cosign's {@code -a key=value}: the payload's {@code optional} section (tag
   *     format only; a bundle's statement has no place for them)
   */
  public static Stored sign(SignatureStore store, Descriptor subject, SigningMethod method, StorageFormat format, Map<String, String> annotations)
      throws JscanException {
    return sign(List.of(store), subject, method, format, annotations, Clock.systemUTC()).get(0);
  }

  /**
   * Signs {@code subject} once and stores that signature in each of {@code stores} (the registry's
   * copy of an image and the local store's; the places a build wrote), in their order: the
   * places then hold the very same signature, so copying one place's signatures to the other (a
   * push) adds nothing, and keyless signing asks Fulcio and Rekor once. Places whose payloads
   * differ (another {@link SignatureStore#dockerReference}) get a signature each.
   *
   * @return what was stored, one per store, in their order
   */
  public static List<Stored> sign(List<SignatureStore> stores, Descriptor subject, SigningMethod method, StorageFormat format,
      Map<String, String> annotations) throws JscanException {
    return sign(stores, subject, method, format, annotations, Clock.systemUTC());
  }

  static List<Stored> sign(List<SignatureStore> stores, Descriptor subject, SigningMethod method, StorageFormat format,
      Map<String, String> annotations, Clock clock) throws JscanException {
    Objects.requireNonNull(subject, "subject");
    requireManifest(subject);
    boolean bundle = format == StorageFormat.BUNDLE_REFERRER || method instanceof SigningMethod.Keyless;
    if (bundle && !annotations.isEmpty()) {
      throw SigningException.badInput("signing " + subject.digest(), "annotations go into cosign's simple-signing payload, which a bundle signature does not have");
    }
    Instant now = clock.instant();
    // one signature per payload: the payload differs between places only by the repository it names
    Map<String, Image> referrers = new HashMap<>();
    Map<String, SignatureManifests.Layer> layers = new HashMap<>();
    List<Stored> out = new ArrayList<>();
    for (SignatureStore store : stores) {
      String reference = store.dockerReference();
      if (bundle) {
        Image referrer = referrers.get(reference);
        if (referrer == null) {
          referrer = SignatureManifests.bundleReferrer(subject, bundle(method, signStatement(store, subject)), now);
          referrers.put(reference, referrer);
        }
        Descriptor listed = store.referrers().attach(referrer);
        out.add(new Stored(listed, store.location() + "@" + listed.digest() + " (referrer of " + subject.digest() + ")"));
        continue;
      }
      SignatureManifests.Layer layer = layers.get(reference);
      if (layer == null) {
        SigningMethod.WithKey key = (SigningMethod.WithKey) method;
        byte[] payload = new SimpleSigningPayload(reference, subject.digest(), new LinkedHashMap<>(annotations)).toJson();
        String signature = Base64.getEncoder().encodeToString(key.signer().sign(payload));
        layer = new SignatureManifests.Layer(
            Descriptor.of(Conventions.SIMPLE_SIGNING, payload).withAnnotation(Conventions.SIGNATURE_ANNOTATION, signature), payload);
        layers.put(reference, layer);
      }
      String tag = Conventions.signatureTag(subject.digest());
      List<SignatureManifests.Layer> existing = SignatureManifests.layersOf(store.readTagged(tag));
      Descriptor added = layer.descriptor();
      if (existing.stream().noneMatch(l -> l.descriptor().equals(added))) {
        existing.add(layer);
      }
      Image manifest = SignatureManifests.tagManifest(existing, l -> false);
      store.writeTagged(tag, manifest);
      out.add(new Stored(manifest.descriptor(), store.location() + ":" + tag));
    }
    return out;
  }

  /** The statement cosign 3 signs for an image: subject the image digest, predicate empty. */
  static InTotoStatement signStatement(SignatureStore store, Descriptor subject) throws SigningException {
    return InTotoStatement.v1(List.of(InTotoStatement.Subject.of(store.dockerReference(), subject.digest())),
        Conventions.COSIGN_SIGN_PREDICATE_TYPE, Json.MAPPER.createObjectNode());
  }

  static SigstoreBundle bundle(SigningMethod method, InTotoStatement statement) throws SigningException {
    if (method instanceof SigningMethod.Keyless keyless) {
      return KeylessSigning.attest(keyless.options(), keyless.identityToken(), statement);
    }
    return KeyBundles.attest(((SigningMethod.WithKey) method).signer(), statement);
  }

  static void requireManifest(Descriptor subject) throws OciException {
    if (!MediaTypes.isManifestOrIndex(subject.mediaType())) {
      throw OciException.badInput("signing " + subject.digest(), "only image manifests and indexes are signed, not " + subject.mediaType());
    }
  }
}
