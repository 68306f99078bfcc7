package io.jscan.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.store.LocalStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OCI 1.1 artifacts attached to images: in a layout, in the store, in a registry without the referrers API. */
class ReferrersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TYPE = "application/vnd.in-toto+json";

  @TempDir Path tmp;

  private static Image artifactFor(Image subject, String text) throws OciException {
    return StaticImage.builder().artifactType(TYPE).subject(subject.descriptor())
        .blob(TYPE, text.getBytes(StandardCharsets.UTF_8), Map.of("in-toto.io/predicate-type", "x"))
        .annotation("in-toto.io/predicate-type", "x").build();
  }

  private static String blobText(Artifact read) throws Exception {
    Manifest m = ((Image) read).manifest();
    try (InputStream in = ((Image) read).openBlob(m.layers().get(0))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void artifactManifest_isAnOci11ArtifactWithEmptyConfigAndSubject() throws Exception {
    Image image = TestImages.withLayers("a");
    Image artifact = artifactFor(image, "{}");
    JsonNode m = JSON.readTree(artifact.manifestBytes());
    assertEquals(MediaTypes.OCI_MANIFEST, m.get("mediaType").asText());
    assertEquals(TYPE, m.get("artifactType").asText());
    assertEquals(MediaTypes.OCI_EMPTY, m.at("/config/mediaType").asText());
    assertEquals("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", m.at("/config/digest").asText());
    assertEquals(image.digest().toString(), m.at("/subject/digest").asText());
    assertEquals(image.descriptor().size(), m.at("/subject/size").asLong());
    assertEquals("x", m.at("/annotations/in-toto.io~1predicate-type").asText());
    assertEquals(artifactFor(image, "{}").digest(), artifact.digest(), "the same blobs give the same artifact");
    assertThrows(OciException.class, artifact::config);
  }

  @Test
  void layout_attachThenList_findsTheArtifactOfItsSubjectOnly() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    Image image = TestImages.withLayers("a");
    Image other = TestImages.withLayers("b");
    layout.write(image, Optional.of("app:1"));
    layout.write(other, Optional.of("other:1"));
    Referrers referrers = layout.referrers();
    referrers.attach(artifactFor(image, "hello"));

    List<Descriptor> found = referrers.list(image.digest());
    assertEquals(1, found.size());
    assertEquals(Optional.of(TYPE), found.get(0).artifactType());
    assertEquals("x", found.get(0).annotations().get("in-toto.io/predicate-type"));
    assertEquals("hello", blobText(referrers.read(found.get(0))));
    assertEquals(List.of(), referrers.list(other.digest()));
    assertEquals(1, referrers.list(image.digest(), TYPE).size());
    assertEquals(List.of(), referrers.list(image.digest(), "application/other"));
    // the named image is untouched: oci:DIR:app:1 still resolves to it
    assertEquals(image.digest(), layout.resolve(Optional.of("app:1"), Optional.empty()).descriptor().digest());
  }

  @Test
  void layout_attachToMissingSubject_isBadInput() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    Image image = TestImages.withLayers("a");
    OciException e = assertThrows(OciException.class, () -> layout.referrers().attach(artifactFor(image, "x")));
    assertTrue(e.getMessage().contains("to attach to"), e.getMessage());
  }

  @Test
  void store_attach_keepsTheArtifactAsUnnamedEntryFoundThroughTransports() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      Image image = TestImages.withLayers("a");
      store.write(image, List.of(ImageName.parse("app:1")));
      Image artifact = artifactFor(image, "in the store");
      store.referrers().attach(artifact);
      Referrers referrers = new Transports(store).referrers(ImageReference.parse("app:1")).orElseThrow();
      List<Descriptor> found = referrers.list(image.digest());
      assertEquals(List.of(artifact.digest()), found.stream().map(Descriptor::digest).toList());
      assertEquals("in the store", blobText(referrers.read(found.get(0))));
      assertTrue(store.list().stream().anyMatch(e -> e.name().isEmpty() && e.descriptor().artifactType().equals(Optional.of(TYPE))));
      assertEquals(Optional.empty(), new Transports(store).referrers(ImageReference.parse("docker-archive:" + tmp.resolve("a.tar"))));
    }
  }

  @Test
  void layout_attachingAnArtifactOfTheSameKind_replacesTheOldOne_otherKindsStay() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    Image image = TestImages.withLayers("a");
    layout.write(image, Optional.of("app:1"));
    Image first = artifactFor(image, "run 1");
    Image second = artifactFor(image, "run 2");
    Image otherKind = StaticImage.builder().artifactType(TYPE).subject(image.descriptor())
        .blob(TYPE, "sbom".getBytes(StandardCharsets.UTF_8), Map.of()).annotation("in-toto.io/predicate-type", "y").build();
    layout.referrers().attachReplacing(first);
    layout.referrers().attachReplacing(otherKind);
    layout.referrers().attachReplacing(second);
    assertEquals(List.of(otherKind.digest(), second.digest()), layout.referrers().list(image.digest()).stream().map(Descriptor::digest).toList());
    assertEquals(3, layout.index().manifests().size(), "the image and one artifact of each kind");
    Image plainA = StaticImage.builder().artifactType(TYPE).subject(image.descriptor()).blob(TYPE, new byte[] {'a'}, Map.of()).build();
    Image plainB = StaticImage.builder().artifactType(TYPE).subject(image.descriptor()).blob(TYPE, new byte[] {'b'}, Map.of()).build();
    layout.referrers().attachReplacing(plainA);
    layout.referrers().attachReplacing(plainB);
    assertEquals(4, layout.referrers().list(image.digest()).size(), "without annotations nothing says they are of one kind");
  }

  @Test
  void layout_attach_keepsEveryArtifact_evenOfTheSameKind_andReturnsItAsListed() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    Image image = TestImages.withLayers("a");
    layout.write(image, Optional.of("app:1"));
    Image first = artifactFor(image, "signed by one party");
    Image second = artifactFor(image, "signed by another");
    Descriptor listed = layout.referrers().attach(first);
    layout.referrers().attach(second);
    layout.referrers().attach(first); // idempotent
    List<Descriptor> found = layout.referrers().list(image.digest());
    assertEquals(List.of(first.digest(), second.digest()), found.stream().map(Descriptor::digest).toList(), "several parties may attach");
    assertEquals(listed, found.get(0));
    assertEquals(Optional.of(TYPE), listed.artifactType());
    assertEquals("x", listed.annotations().get("in-toto.io/predicate-type"));
  }

  @Test
  void layout_readsReferrersListedInAReferrersTagIndex_checkingEachSubject() throws Exception {
    // the distribution-spec's fallback schema kept in a layout (regclient, earlier jscan versions):
    // an index named sha256-<hex> that lists the referrers; its entries count only for their real subject
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    Image image = TestImages.withLayers("a");
    Image other = TestImages.withLayers("b");
    layout.write(image, Optional.of("app:1"));
    layout.write(other, Optional.of("other:1"));
    Image about = artifactFor(image, "about the image");
    Image aboutOther = artifactFor(other, "about another image");
    layout.writeBlobs(about);
    layout.writeBlobs(aboutOther);
    List<Descriptor> entries = List.of(about.descriptor(), aboutOther.descriptor());
    byte[] index = io.jscan.core.oci.json.OciJson.write(new io.jscan.core.oci.IndexManifest(entries));
    Descriptor indexDescriptor = Descriptor.of(MediaTypes.OCI_INDEX, index);
    BlobSource source = d -> d.digest().equals(indexDescriptor.digest()) ? new java.io.ByteArrayInputStream(index) : layout.blobs().openUnverified(d);
    layout.write(Images.index(source, indexDescriptor), Optional.of(Referrers.fallbackTag(image.digest())));

    List<Descriptor> found = layout.referrers().list(image.digest());
    assertEquals(List.of(about.digest()), found.stream().map(Descriptor::digest).toList(), "the entry about another image is not a referrer of this one");
    assertEquals(Optional.of(TYPE), found.get(0).artifactType());
    assertEquals("about the image", blobText(layout.referrers().read(found.get(0))));
  }

  @Test
  void layout_bySubject_givesEachImagesReferrersAsListDoes_inOnePass() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    Image image = TestImages.withLayers("a");
    Image other = TestImages.withLayers("b");
    Image bare = TestImages.withLayers("c");
    layout.write(image, Optional.of("app:1"));
    layout.write(other, Optional.of("other:1"));
    layout.write(bare, Optional.of("bare:1"));
    layout.referrers().attach(artifactFor(image, "first"));
    layout.referrers().attach(artifactFor(image, "second"));
    layout.referrers().attach(artifactFor(other, "other's"));
    // and one kept the distribution-spec's fallback way, in an index named after the subject
    Image tagged = artifactFor(other, "listed by the referrers tag");
    layout.writeBlobs(tagged);
    byte[] index = io.jscan.core.oci.json.OciJson.write(new io.jscan.core.oci.IndexManifest(List.of(tagged.descriptor())));
    Descriptor indexDescriptor = Descriptor.of(MediaTypes.OCI_INDEX, index);
    BlobSource source = d -> d.digest().equals(indexDescriptor.digest()) ? new java.io.ByteArrayInputStream(index) : layout.blobs().openUnverified(d);
    layout.write(Images.index(source, indexDescriptor), Optional.of(Referrers.fallbackTag(other.digest())));

    var all = ((io.jscan.core.transport.ocilayout.LayoutReferrers) layout.referrers()).bySubject();
    assertEquals(java.util.Set.of(image.digest(), other.digest()), all.keySet(), "an image without referrers has no entry");
    assertEquals(layout.referrers().list(image.digest()), all.get(image.digest()));
    assertEquals(layout.referrers().list(other.digest()), all.get(other.digest()));
    assertEquals(2, all.get(other.digest()).size(), all.toString());
    assertEquals(List.of(), layout.referrers().list(bare.digest()));
  }

  @Test
  void store_removingTheImage_removesItsAttachments_andTheirBlobs() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      Image image = TestImages.withLayers("a");
      Image kept = TestImages.withLayers("b");
      store.write(image, List.of(ImageName.parse("app:1")));
      store.write(kept, List.of(ImageName.parse("kept:1")));
      Image artifact = artifactFor(image, "goes with the image");
      Image other = artifactFor(kept, "stays");
      store.referrers().attach(artifact);
      store.referrers().attach(other);
      Descriptor blob = artifact.manifest().layers().get(0);

      LocalStore.Removal removal = store.remove(List.of(new ImageReference.StoreReference(Optional.of(ImageName.parse("app:1")), Optional.empty())));

      assertEquals(List.of(ImageName.parse("kept:1").toString(), "sha256:" + other.digest().encoded()),
          store.list().stream().map(e -> e.name().map(Object::toString).orElse(e.descriptor().digest().toString())).toList());
      assertTrue(removal.deletedBlobs().contains(artifact.digest()), removal.toString());
      assertTrue(removal.deletedBlobs().contains(blob.digest()), removal.toString());
      assertEquals(1, store.referrers().list(kept.digest()).size());
    }
  }

  @Test
  void registry_withoutReferrersApi_usesTheReferrersTagAndListsBothArtifacts() throws Exception {
    try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
      RegistryClient client = new RegistryClient(RegistryOptions.defaults());
      ImageName name = ImageName.parse(registry.host() + "/team/app:1");
      Image image = TestImages.withLayers("a");
      client.push(image, name);
      Referrers referrers = client.referrers(name);
      assertEquals(List.of(), referrers.list(image.digest()), "no referrers tag yet");
      Image first = artifactFor(image, "first");
      Image second = artifactFor(image, "second");
      referrers.attach(first);
      referrers.attach(second);
      referrers.attach(first); // idempotent

      List<Descriptor> found = referrers.list(image.digest());
      assertEquals(List.of(first.digest(), second.digest()), found.stream().map(Descriptor::digest).toList());
      assertEquals(Optional.of(TYPE), found.get(0).artifactType());
      assertEquals("x", found.get(1).annotations().get("in-toto.io/predicate-type"));
      assertEquals("second", blobText(referrers.read(found.get(1))));
      // the fallback tag is the distribution-spec's sha256-<hex> index
      Artifact tagged = client.read(name.withTag("sha256-" + image.digest().encoded()));
      assertTrue(tagged instanceof ImageIndex, "the referrers tag holds an index");
      assertArrayEquals(image.manifestBytes(), client.read(name).manifestBytes(), "the image's tag is untouched");
    }
  }
}
