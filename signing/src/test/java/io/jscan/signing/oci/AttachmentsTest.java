package io.jscan.signing.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.StaticImage;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.signing.Json;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Carrying what is attached to an image from one place to another (the library behind push and
 * pull), between two OCI layouts: each kind of attachment alone, what the destination has already,
 * and attachments of attachments. Against a real registry and the store: cli's AttachmentsTravelTest.
 */
class AttachmentsTest {
  @TempDir Path dir;

  private Image image;
  private LayoutSignatureStore from;
  private LayoutSignatureStore to;
  private SigningKey key;

  @BeforeEach
  void setUp() throws Exception {
    image = TestImages.withLayers("carried");
    from = place("from");
    to = place("to");
    key = Keys.generate(KeyAlgorithm.ECDSA_P256);
  }

  private LayoutSignatureStore place(String name) throws Exception {
    OciLayout layout = OciLayout.create(dir.resolve(name));
    layout.write(image, Optional.of("app"));
    return new LayoutSignatureStore(layout, "registry.example/app");
  }

  private SigningMethod withKey(SigningKey k) throws Exception {
    return new SigningMethod.WithKey(k.signer());
  }

  private static Image unsignedStatement(Descriptor subject, String text) {
    return StaticImage.builder().artifactType("application/vnd.in-toto+json").subject(subject.bare())
        .blob("application/vnd.in-toto+json", text.getBytes(StandardCharsets.UTF_8), Map.of())
        .annotation("in-toto.io/predicate-type", "https://slsa.dev/provenance/v1").build();
  }

  private static List<String> described(List<Attachments.Carried> carried) {
    return carried.stream().map(Attachments.Carried::describe).toList();
  }

  @Test
  void carry_nothingAttached_carriesNothing() throws Exception {
    assertEquals(List.of(), Attachments.carry(from, to, image));
  }

  @Test
  void carry_signatureTag_isCopiedByteForByte_andSaysSo() throws Exception {
    ImageSigner.sign(from, image.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());
    String tag = Conventions.signatureTag(image.digest());
    List<Attachments.Carried> carried = Attachments.carry(from, to, image);
    assertEquals(List.of("carried 1 signature to " + to.location() + ":" + tag), described(carried));
    assertArrayEquals(from.readTagged(tag).orElseThrow().manifestBytes(), to.readTagged(tag).orElseThrow().manifestBytes());

    // a second carry finds it there and writes nothing
    assertEquals(List.of(to.location() + ":" + tag + " already has the 1 signature"), described(Attachments.carry(from, to, image)));
  }

  @Test
  void carry_toAPlaceWithOtherSignatures_keepsThemAndAddsTheMissingOnes() throws Exception {
    SigningKey theirs = Keys.generate(KeyAlgorithm.ECDSA_P256);
    ImageSigner.sign(List.of(from, to), image.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());
    ImageSigner.sign(to, image.descriptor(), withKey(theirs), StorageFormat.COSIGN_TAG, Map.of());
    SigningKey mine = Keys.generate(KeyAlgorithm.ECDSA_P256);
    ImageSigner.sign(from, image.descriptor(), withKey(mine), StorageFormat.COSIGN_TAG, Map.of());

    String tag = Conventions.signatureTag(image.digest());
    assertEquals(List.of("carried 1 of 2 signatures to " + to.location() + ":" + tag + " (it had the others)"),
        described(Attachments.carry(from, to, image)));
    List<Descriptor> layers = to.readTagged(tag).orElseThrow().manifest().layers();
    assertEquals(3, layers.size(), "the shared one once, theirs, and mine");
    VerifiedEvidence v = ImageEvidenceVerifier.verify(EvidenceFinder.find(to, image.digest()), TrustPolicy.ofKeys(List.of(
        new TrustPolicy.TrustedKey("key", key.publicKey()), new TrustPolicy.TrustedKey("theirs", theirs.publicKey()),
        new TrustPolicy.TrustedKey("mine", mine.publicKey()))));
    assertEquals(3, v.signers().size(), v.signatures().toString());
  }

  @Test
  void carry_attestationTag_isMergedLikeSignatures() throws Exception {
    ImageAttester.attest(from, image.descriptor(), "slsaprovenance", Json.MAPPER.readTree("{\"a\":1}"), withKey(key), StorageFormat.COSIGN_TAG);
    ImageAttester.attest(to, image.descriptor(), "cyclonedx", Json.MAPPER.readTree("{\"b\":2}"), withKey(key), StorageFormat.COSIGN_TAG);
    String tag = Conventions.attestationTag(image.digest());
    assertEquals(List.of("carried 1 attestation to " + to.location() + ":" + tag), described(Attachments.carry(from, to, image)));
    List<String> types = to.readTagged(tag).orElseThrow().manifest().layers().stream()
        .map(l -> l.annotations().get(Conventions.PREDICATE_TYPE_ANNOTATION)).toList();
    assertEquals(List.of("https://cyclonedx.org/bom", "https://slsa.dev/provenance/v1"), types);
  }

  @Test
  void carry_sbomTag_replacesTheDestinations() throws Exception {
    String tag = Conventions.sbomTag(image.digest());
    Image theirs = StaticImage.builder().config(MediaTypes.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8))
        .blob("text/spdx+json", "{\"old\":true}".getBytes(StandardCharsets.UTF_8), Map.of()).build();
    Image mine = StaticImage.builder().config(MediaTypes.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8))
        .blob("text/spdx+json", "{\"new\":true}".getBytes(StandardCharsets.UTF_8), Map.of()).build();
    to.writeTagged(tag, theirs);
    from.writeTagged(tag, mine);
    assertEquals(List.of("carried the SBOM to " + to.location() + ":" + tag), described(Attachments.carry(from, to, image)));
    assertEquals(mine.digest(), to.taggedDigest(tag).orElseThrow());
  }

  @Test
  void carry_referrers_bundleAndUnsigned_areAttachedOnce_withTheirAttachments() throws Exception {
    ImageSigner.sign(from, image.descriptor(), withKey(key), StorageFormat.BUNDLE_REFERRER, Map.of());
    Image provenance = unsignedStatement(image.descriptor(), "{\"provenance\":1}");
    from.referrers().attach(provenance);
    // someone signed the provenance artifact itself: that goes along too
    ImageSigner.sign(from, provenance.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());

    List<Attachments.Carried> carried = Attachments.carry(from, to, image);
    assertEquals(3, carried.size(), described(carried).toString());
    assertTrue(carried.stream().allMatch(c -> c.added() == c.total()), described(carried).toString());
    assertTrue(described(carried).contains("carried referrer application/vnd.in-toto+json (https://slsa.dev/provenance/v1) to "
        + to.location() + "@" + provenance.digest() + " (referrer of " + image.digest() + ")"), described(carried).toString());
    assertEquals(from.referrers().list(image.digest()), to.referrers().list(image.digest()));
    assertTrue(to.readTagged(Conventions.signatureTag(provenance.digest())).isPresent(), "the provenance's own signature");

    VerifiedEvidence v = ImageEvidenceVerifier.verify(EvidenceFinder.find(to, image.digest()),
        TrustPolicy.ofKeys(List.of(new TrustPolicy.TrustedKey("key", key.publicKey()))));
    assertEquals(1, v.signers().size(), "the carried bundle verifies where it landed");

    // carried again: nothing new, nothing doubled
    List<Attachments.Carried> again = Attachments.carry(from, to, image);
    assertTrue(again.stream().allMatch(c -> c.added() == 0), described(again).toString());
    assertEquals(2, to.referrers().list(image.digest()).size());
  }

  @Test
  void carry_index_carriesEachPlatformImagesSignatures() throws Exception {
    Image amd64 = TestImages.withLayers(io.jscan.core.oci.Platform.parse("linux/amd64"), "amd64");
    Image arm64 = TestImages.withLayers(io.jscan.core.oci.Platform.parse("linux/arm64"), "arm64");
    ImageIndex index = TestImages.multiPlatformIndex(dir.resolve("index-from"), "multi", amd64, arm64);
    Descriptor indexDescriptor = index.descriptor();
    OciLayout source = OciLayout.open(dir.resolve("index-from"));
    OciLayout destination = OciLayout.create(dir.resolve("index-to"));
    destination.write(index, Optional.of("multi"));
    LayoutSignatureStore src = new LayoutSignatureStore(source, "registry.example/multi");
    LayoutSignatureStore dst = new LayoutSignatureStore(destination, "registry.example/multi");
    ImageSigner.sign(src, indexDescriptor, withKey(key), StorageFormat.COSIGN_TAG, Map.of());
    ImageSigner.sign(src, arm64.descriptor(), withKey(key), StorageFormat.COSIGN_TAG, Map.of());

    assertEquals(2, Attachments.carry(src, dst, index).size());
    for (Digest d : List.of(indexDescriptor.digest(), arm64.digest())) {
      assertTrue(dst.readTagged(Conventions.signatureTag(d)).isPresent(), d.toString());
    }
  }
}
