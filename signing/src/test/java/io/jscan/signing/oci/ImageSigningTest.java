package io.jscan.signing.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.core.transport.ImageName;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.bundle.CertificateIdentity;
import io.jscan.signing.bundle.SigstoreBundle;
import io.jscan.signing.bundle.TrustedRoot;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.payload.InTotoStatement;
import io.jscan.signing.payload.PredicateTypes;
import io.jscan.signing.payload.SimpleSigningPayload;
import io.jscan.signing.testing.TestSigstore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image signing library over an OCI layout and the local store: shapes, round trips and refusals. */
class ImageSigningTest {
  @TempDir Path dir;

  private OciLayout layout;
  private Image image;
  private LayoutSignatureStore store;
  private SigningKey key;

  @BeforeEach
  void setUp() throws Exception {
    layout = OciLayout.create(dir.resolve("layout"));
    image = TestImages.withLayers("signed content");
    layout.write(image, Optional.of("app"));
    store = new LayoutSignatureStore(layout, "registry.example/app");
    key = Keys.generate(KeyAlgorithm.ECDSA_P256);
  }

  private SigningMethod withKey(SigningKey k) throws SigningException {
    return new SigningMethod.WithKey(k.signer());
  }

  private TrustPolicy trusting(SigningKey... keys) {
    return TrustPolicy.ofKeys(java.util.Arrays.stream(keys).map(k -> new TrustPolicy.TrustedKey("k" + Keys.hint(k.publicKey()).substring(0, 4), k.publicKey())).toList());
  }

  private VerifiedEvidence verify(TrustPolicy trust) throws Exception {
    return ImageEvidenceVerifier.verify(EvidenceFinder.find(store, image.digest()), trust);
  }

  @Test
  void sign_cosignTag_storesCosignsShapeUnderTheSigTag() throws Exception {
    Stored stored = ImageSigner.sign(store, image.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of("build", "42"));
    String tag = "sha256-" + image.digest().encoded() + ".sig";
    assertTrue(stored.location().endsWith(":" + tag), stored.location());
    Image sig = store.readTagged(tag).orElseThrow();
    Manifest m = sig.manifest();
    assertEquals(MediaTypes.OCI_MANIFEST, m.mediaType());
    assertEquals(MediaTypes.OCI_CONFIG, m.config().mediaType());
    assertEquals(1, m.layers().size());
    Descriptor layer = m.layers().get(0);
    assertEquals("application/vnd.dev.cosign.simplesigning.v1+json", layer.mediaType());
    byte[] payload = sig.openBlob(layer).readAllBytes();
    JsonNode p = Json.MAPPER.readTree(payload);
    assertEquals("registry.example/app", p.at("/critical/identity/docker-reference").asText());
    assertEquals(image.digest().toString(), p.at("/critical/image/docker-manifest-digest").asText());
    assertEquals("cosign container image signature", p.at("/critical/type").asText());
    assertEquals("42", p.at("/optional/build").asText());
    byte[] signature = Base64.getDecoder().decode(layer.annotations().get("dev.cosignproject.cosign/signature"));
    io.jscan.signing.Verifiers.of(key.publicKey()).verify(payload, signature); // the annotation signs the layer's bytes
    // the config lists the layer as a diff_id, as cosign's (go-containerregistry's) config does
    assertEquals(layer.digest().toString(), Json.MAPPER.readTree(sig.configBytes()).at("/rootfs/diff_ids/0").asText());

    VerifiedEvidence v = verify(trusting(key));
    assertEquals(1, v.signatures().size());
    assertTrue(v.signatures().get(0).verified(), v.signatures().get(0).detail());
    assertEquals("cosign", v.signatures().get(0).format());
  }

  @Test
  void sign_intoTwoPlaces_storesOneSignatureInBoth_andAttestLikewise() throws Exception {
    OciLayout second = OciLayout.create(dir.resolve("second"));
    second.write(image, Optional.of("app"));
    LayoutSignatureStore other = new LayoutSignatureStore(second, "registry.example/app");
    List<Stored> stored = ImageSigner.sign(List.of(store, other), image.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());
    assertEquals(2, stored.size());
    String tag = Conventions.signatureTag(image.digest());
    // the very same signature (ECDSA signatures are randomised: two signings would differ)
    assertArrayEquals(store.readTagged(tag).orElseThrow().manifestBytes(), other.readTagged(tag).orElseThrow().manifestBytes());
    assertEquals(stored.get(0).manifest().digest(), stored.get(1).manifest().digest());

    InTotoStatement statement = ImageAttester.statementFor(store, image.descriptor(), "slsaprovenance", Json.MAPPER.readTree("{}"));
    List<Stored> attested = ImageAttester.attest(List.of(store, other), image.descriptor(), statement, withKey(key), StorageFormat.COSIGN_TAG, false);
    assertEquals(attested.get(0).manifest().digest(), attested.get(1).manifest().digest());

    List<Stored> bundles = ImageSigner.sign(List.of(store, other), image.descriptor(), withKey(key), StorageFormat.BUNDLE_REFERRER, Map.of());
    assertEquals(bundles.get(0).manifest().digest(), bundles.get(1).manifest().digest(), "one bundle referrer, attached in both");
  }

  @Test
  void sign_intoPlacesNamingOtherRepositories_signsEachPayload() throws Exception {
    OciLayout second = OciLayout.create(dir.resolve("second"));
    second.write(image, Optional.of("app"));
    LayoutSignatureStore elsewhere = new LayoutSignatureStore(second, "registry.example/elsewhere");
    ImageSigner.sign(List.of(store, elsewhere), image.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());
    String tag = Conventions.signatureTag(image.digest());
    byte[] payload = elsewhere.readTagged(tag).orElseThrow().openBlob(elsewhere.readTagged(tag).orElseThrow().manifest().layers().get(0)).readAllBytes();
    assertEquals("registry.example/elsewhere", Json.MAPPER.readTree(payload).at("/critical/identity/docker-reference").asText());
  }

  @Test
  void sign_twiceWithTwoKeys_keepsBothSignatures_eachCountsForItsKey() throws Exception {
    SigningKey other = Keys.generate(KeyAlgorithm.ECDSA_P256);
    ImageSigner.sign(store, image.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());
    ImageSigner.sign(store, image.descriptor(), withKey(other), StorageFormat.COSIGN_TAG, Map.of());
    assertEquals(2, store.readTagged(Conventions.signatureTag(image.digest())).orElseThrow().manifest().layers().size());
    VerifiedEvidence both = verify(trusting(key, other));
    assertEquals(2, both.signers().size());
    VerifiedEvidence one = verify(trusting(key));
    assertEquals(1, one.signers().size());
    assertEquals(1, one.signatures().stream().filter(c -> !c.verified()).count());
  }

  @Test
  void sign_bundle_isAReferrerShapedAsCosign3Writes_andVerifies() throws Exception {
    ImageSigner.sign(store, image.descriptor(), withKey(key), StorageFormat.BUNDLE_REFERRER, Map.of());
    List<Descriptor> referrers = store.referrers().list(image.digest());
    assertEquals(1, referrers.size());
    Descriptor listed = referrers.get(0);
    assertEquals(Optional.of("application/vnd.dev.sigstore.bundle.v0.3+json"), listed.artifactType());
    assertEquals("https://sigstore.dev/cosign/sign/v1", listed.annotations().get("dev.sigstore.bundle.predicateType"));
    assertEquals("dsse-envelope", listed.annotations().get("dev.sigstore.bundle.content"));
    Image referrer = (Image) store.referrers().read(listed);
    Manifest m = referrer.manifest();
    assertEquals(MediaTypes.OCI_EMPTY, m.config().mediaType());
    assertEquals(image.digest(), m.subject().orElseThrow().digest());
    assertEquals(image.descriptor().mediaType(), m.subject().get().mediaType());
    SigstoreBundle bundle = SigstoreBundle.parse(referrer.openBlob(m.layers().get(0)).readAllBytes(), "referrer");
    InTotoStatement st = ((SigstoreBundle.Dsse) bundle.content()).envelope().statement();
    assertTrue(st.hasSubject(image.digest()));
    // in the layout, an unnamed index.json entry carrying its artifactType, as ORAS keeps referrers
    assertTrue(layout.index().manifests().stream().anyMatch(d -> d.digest().equals(listed.digest()) && d.refName().isEmpty()
        && d.artifactType().equals(Optional.of("application/vnd.dev.sigstore.bundle.v0.3+json"))), layout.index().manifests().toString());

    VerifiedEvidence v = verify(trusting(key));
    assertEquals(1, v.signatures().size());
    assertTrue(v.signatures().get(0).verified(), v.signatures().get(0).detail());
    assertEquals("sigstore-bundle", v.signatures().get(0).format());
    assertTrue(v.attestations().isEmpty(), "cosign's sign statement is a signature, not an attestation");
  }

  @Test
  void verify_keyBundleWithoutLogEntry_failsWhenTheLogIsRequired() throws Exception {
    ImageSigner.sign(store, image.descriptor(), withKey(key), StorageFormat.BUNDLE_REFERRER, Map.of());
    EvidenceCheck c = verify(trusting(key).withRequireTlog(true)).signatures().get(0);
    assertFalse(c.verified());
    assertTrue(c.detail().contains("no transparency log entry"), c.detail());
  }

  @Test
  void attest_tagAndBundle_bothVerify_andGiveTheStatement() throws Exception {
    JsonNode predicate = Json.MAPPER.readTree("{\"builder\":{\"id\":\"https://jscan.io/builder\"},\"note\":\"naïve ✓\"}");
    ImageAttester.attest(store, image.descriptor(), "slsaprovenance", predicate, withKey(key), StorageFormat.COSIGN_TAG);
    ImageAttester.attest(store, image.descriptor(), "cyclonedx", Json.MAPPER.readTree("{\"bomFormat\":\"CycloneDX\"}"), withKey(key),
        StorageFormat.BUNDLE_REFERRER);
    Image att = store.readTagged(Conventions.attestationTag(image.digest())).orElseThrow();
    Descriptor layer = att.manifest().layers().get(0);
    assertEquals("application/vnd.dsse.envelope.v1+json", layer.mediaType());
    assertEquals(PredicateTypes.SLSA_PROVENANCE_V1, layer.annotations().get("predicateType"));
    assertEquals("", layer.annotations().get("dev.cosignproject.cosign/signature"));

    VerifiedEvidence v = verify(trusting(key));
    assertEquals(2, v.attestations().size());
    for (EvidenceCheck c : v.attestations()) {
      assertTrue(c.verified(), c.detail());
    }
    assertEquals(List.of(PredicateTypes.CYCLONEDX, PredicateTypes.SLSA_PROVENANCE_V1),
        v.attestations().stream().map(c -> c.predicateType().orElseThrow()).toList());
    InTotoStatement provenance = v.attestations().get(1).statement().orElseThrow();
    assertEquals("naïve ✓", provenance.predicate().get("note").asText());
  }

  @Test
  void attest_statementAboutAnotherImage_isRefusedBeforeSigning() throws Exception {
    InTotoStatement other = InTotoStatement.v1(List.of(InTotoStatement.Subject.of("x", Digest.sha256("other"))), "spdx", Json.MAPPER.createObjectNode());
    SigningException e = assertThrows(SigningException.class,
        () -> ImageAttester.attest(store, image.descriptor(), other, withKey(key), StorageFormat.COSIGN_TAG, false));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void sign_inTheLocalStore_usesTheImagesRepositoryNames() throws Exception {
    try (LocalStore local = LocalStore.open(dir.resolve("home"))) {
      ImageName name = ImageName.parse("registry.example/team/app:1");
      local.write(image, List.of(name));
      StoreSignatureStore s = new StoreSignatureStore(local, name);
      ImageSigner.sign(s, image.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());
      ImageSigner.sign(s, image.descriptor(), withKey(key), StorageFormat.BUNDLE_REFERRER, Map.of());
      List<String> names = local.list().stream().map(e -> e.descriptor().refName().orElse("")).toList();
      assertTrue(names.contains("registry.example/team/app:sha256-" + image.digest().encoded() + ".sig"), names.toString());
      // the bundle is the store's referrer of the image (an unnamed entry with its artifactType), whatever the image's name
      assertTrue(local.list().stream().anyMatch(e -> e.name().isEmpty()
          && e.descriptor().artifactType().equals(Optional.of(Conventions.BUNDLE_ARTIFACT_TYPE))), local.list().toString());
      VerifiedEvidence v = ImageEvidenceVerifier.verify(EvidenceFinder.find(s, image.digest()), trusting(key));
      assertEquals(2, v.signatures().size());
      assertTrue(v.signatures().stream().allMatch(EvidenceCheck::verified));
      // garbage collection keeps what the names reach: the signature and the referrer
      local.gc();
      VerifiedEvidence afterGc = ImageEvidenceVerifier.verify(EvidenceFinder.find(s, image.digest()), trusting(key));
      assertEquals(2, afterGc.signatures().size());
      assertTrue(afterGc.signatures().stream().allMatch(EvidenceCheck::verified));
      // removing the image removes its bundle referrer with it, as it does its SBOM and provenance
      local.remove(List.of(new io.jscan.core.transport.ImageReference.StoreReference(Optional.of(name), Optional.empty())));
      assertEquals(List.of(), local.referrers().list(image.digest()));
    }
  }

  // ---------------------------------------------------------------- keyless, with a Sigstore made by a recipe

  private static final String IDENTITY = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
  private static final String ISSUER = "https://token.actions.githubusercontent.com";

  private EvidenceCheck keyless(TestSigstore signedBy, TestSigstore trusted, String identity, Instant notBefore, Instant notAfter, Instant logged)
      throws Exception {
    TestSigstore.Leaf leaf = signedBy.leaf(identity, ISSUER, notBefore, notAfter);
    InTotoStatement st = InTotoStatement.v1(List.of(InTotoStatement.Subject.of("registry.example/app", image.digest())),
        Conventions.COSIGN_SIGN_PREDICATE_TYPE, Json.MAPPER.createObjectNode());
    SigstoreBundle bundle = SigstoreBundle.parse(signedBy.dsseBundle(leaf, st, logged), "test bundle");
    store.referrers().attach(SignatureManifests.bundleReferrer(image.descriptor(), bundle, Instant.now()));
    TrustedRoot root = TrustedRoot.read(trusted.writeTrustedRoot(dir.resolve("root-" + System.nanoTime() + ".json")));
    TrustPolicy trust = new TrustPolicy(List.of(), List.of(CertificateIdentity.exact(IDENTITY, ISSUER)), Optional.of(root), false);
    List<EvidenceCheck> sigs = verify(trust).signatures();
    assertEquals(1, sigs.size());
    return sigs.get(0);
  }

  @Test
  void verify_keylessIdentityThatDoesNotMatch_isRejectedNamingBoth() throws Exception {
    TestSigstore sigstore = TestSigstore.create("fulcio");
    Instant now = Instant.now();
    EvidenceCheck c = keyless(sigstore, sigstore, "https://github.com/mallory/app/.github/workflows/release.yml@refs/heads/main",
        now.minusSeconds(60), now.plusSeconds(540), now);
    assertFalse(c.verified());
    assertTrue(c.detail().contains("No provided certificate identities matched values in certificate"), c.detail());
    assertTrue(c.detail().contains("mallory"), c.detail());
  }

  @Test
  void verify_keylessCertificateExpiredWhenLogged_isRejected() throws Exception {
    TestSigstore sigstore = TestSigstore.create("fulcio");
    Instant issued = Instant.parse("2025-01-01T00:00:00Z");
    EvidenceCheck c = keyless(sigstore, sigstore, IDENTITY, issued, issued.plusSeconds(600), issued.plusSeconds(3600));
    assertFalse(c.verified());
    assertTrue(c.detail().contains("outside the signing certificate's validity"), c.detail());
  }

  @Test
  void verify_keylessCertificateFromAnUntrustedCa_isRejected() throws Exception {
    TestSigstore rogue = TestSigstore.create("rogue");
    TestSigstore trusted = TestSigstore.create("fulcio");
    Instant now = Instant.now();
    EvidenceCheck c = keyless(rogue, trusted, IDENTITY, now.minusSeconds(60), now.plusSeconds(540), now);
    assertFalse(c.verified());
    assertTrue(c.detail().contains("not verifiable against CAs"), c.detail());
  }

  @Test
  void payload_bytesAreExactlyWhatWasSigned() throws Exception {
    ImageSigner.sign(store, image.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());
    Image sig = store.readTagged(Conventions.signatureTag(image.digest())).orElseThrow();
    byte[] payload = sig.openBlob(sig.manifest().layers().get(0)).readAllBytes();
    assertArrayEquals(SimpleSigningPayload.of("registry.example/app", image.digest()).toJson(), payload);
    assertEquals("{\"critical\":{\"identity\":{\"docker-reference\":\"registry.example/app\"},\"image\":{\"docker-manifest-digest\":\""
        + image.digest() + "\"},\"type\":\"cosign container image signature\"},\"optional\":null}", new String(payload, StandardCharsets.UTF_8));
  }
}
