package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes and pulls against a real distribution registry, and checks what jscan writes with
 * skopeo (and what skopeo writes with jscan).
 */
class RegistryRoundTripTest {
  static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(5));
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path registryDir;
  static TestRegistry registry;

  @TempDir Path tmp;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = TestRegistry.start(registryDir);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  static RegistryClient client(TransferListener listener) {
    return new RegistryClient(RegistryOptions.defaults().withRetry(FAST).withListener(listener));
  }

  static RegistryClient client() {
    return client(TransferListener.NONE);
  }

  private ImageName name(String repoAndTag) {
    return ImageName.parse(registry.host() + "/" + repoAndTag);
  }

  @Test
  void push_thenSkopeoInspect_seesTheSameManifestAndDigest() throws Exception {
    Image image = TestImages.withLayers("one", "two", "three");
    client().push(image, name("roundtrip/inspect:1"));
    byte[] raw = Skopeo.run("inspect", "--tls-verify=false", "--raw", "docker://" + registry.host() + "/roundtrip/inspect:1");
    assertArrayEquals(image.manifestBytes(), raw);
    JsonNode info = JSON.readTree(Skopeo.run("inspect", "--tls-verify=false", "docker://" + registry.host() + "/roundtrip/inspect:1"));
    assertEquals(image.digest().toString(), info.get("Digest").asText());
    assertEquals(3, info.get("Layers").size());
  }

  @Test
  void push_thenSkopeoCopyToLayout_keepsEveryDigest() throws Exception {
    Image image = TestImages.withLayers("alpha", "beta");
    client().push(image, name("roundtrip/copy:1"));
    Path out = tmp.resolve("copied");
    Skopeo.run("copy", "--src-tls-verify=false", "--preserve-digests",
        "docker://" + registry.host() + "/roundtrip/copy:1", "oci:" + out + ":copy");
    Artifact copied = OciLayout.open(out).resolve(Optional.of("copy"), Optional.empty());
    assertEquals(image.digest(), copied.descriptor().digest());
    Image copiedImage = assertInstanceOf(Image.class, copied);
    assertEquals(image.manifest().layers(), copiedImage.manifest().layers());
    assertArrayEquals(image.configBytes(), copiedImage.configBytes());
  }

  @Test
  void skopeoCopyIntoRegistry_asDockerV2s2_isPulledAndEveryLayerVerifies() throws Exception {
    Image image = TestImages.withLayers("from", "skopeo");
    Path layout = tmp.resolve("src");
    OciLayout.create(layout).write(image, Optional.of("src"));
    // skopeo rewrites the manifest as Docker schema 2: bytes jscan did not write
    Skopeo.run("copy", "--dest-tls-verify=false", "--format", "v2s2",
        "oci:" + layout + ":src", "docker://" + registry.host() + "/roundtrip/skopeo:1");
    byte[] raw = Skopeo.run("inspect", "--tls-verify=false", "--raw", "docker://" + registry.host() + "/roundtrip/skopeo:1");

    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      Artifact pulled = client().pull(name("roundtrip/skopeo:1"), store, Optional.empty(), List.of(name("roundtrip/skopeo:1")));
      assertEquals(MediaTypes.DOCKER_MANIFEST, pulled.descriptor().mediaType());
      assertEquals(Digest.sha256(raw), pulled.descriptor().digest());
      Image stored = assertInstanceOf(Image.class, store.read(ImageReference.StoreReference.byName(name("roundtrip/skopeo:1"))));
      assertArrayEquals(raw, stored.manifestBytes());
      for (Layer layer : stored.layers()) {
        try (InputStream in = layer.openUncompressed()) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        }
      }
      assertEquals(2, stored.layers().size());
    }
  }

  @Test
  void read_throughTransports_streamsEveryLayerWithoutStoringAnything() throws Exception {
    Image image = TestImages.withLayers("streamed", "not", "stored");
    client().push(image, name("roundtrip/stream:1"));
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      int blobsBefore = store.layout().listBlobs().size();
      Transports transports = new Transports(store, client());
      Image read = assertInstanceOf(Image.class, transports.read(ImageReference.parse("docker://" + registry.host() + "/roundtrip/stream:1")));
      for (Layer layer : read.layers()) {
        try (InputStream in = layer.openUncompressed()) {
          assertTrue(in.readAllBytes().length > 0);
        }
      }
      assertEquals(image.digest(), read.digest());
      assertEquals(blobsBefore, store.layout().listBlobs().size());
      assertTrue(store.list().isEmpty());
    }
  }

  @Test
  void bareName_absentFromTheStore_isReadFromItsRegistry() throws Exception {
    Image image = TestImages.withLayers("fallback");
    client().push(image, name("roundtrip/fallback:2"));
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      Artifact read = new Transports(store, client()).read(ImageReference.parse(registry.host() + "/roundtrip/fallback:2"));
      assertEquals(image.digest(), read.descriptor().digest());
    }
  }

  @Test
  void pull_thenPushElsewhere_andPullByDigest_giveTheSameBytes() throws Exception {
    Image image = TestImages.withLayers("a", "b", "c", "d");
    List<Descriptor> events = Collections.synchronizedList(new ArrayList<>());
    Set<TransferListener.Outcome> outcomes = ConcurrentHashMap.newKeySet();
    TransferListener listener = new TransferListener() {
      @Override
      public void finished(Descriptor blob, Outcome outcome) {
        events.add(blob);
        outcomes.add(outcome);
      }
    };
    RegistryClient c = client(listener);
    c.push(image, name("roundtrip/pull:1"));
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      c.pull(name("roundtrip/pull:1"), store, Optional.empty(), List.of(name("roundtrip/pull:1")));
      Artifact byDigest = c.read(name("roundtrip/pull@" + image.digest()));
      assertArrayEquals(image.manifestBytes(), byDigest.manifestBytes());
      Image stored = (Image) store.read(ImageReference.StoreReference.byName(name("roundtrip/pull:1")));
      assertArrayEquals(image.configBytes(), stored.configBytes());
      // pushing the stored copy again: every blob is already there
      outcomes.clear();
      c.push(stored, name("roundtrip/pull:2"));
      assertTrue(outcomes.contains(TransferListener.Outcome.EXISTS) || outcomes.contains(TransferListener.Outcome.MOUNTED), outcomes.toString());
      assertFalse(outcomes.contains(TransferListener.Outcome.DOWNLOADED));
    }
  }

  @Test
  void push_toAnotherRepository_mountsBlobsInsteadOfUploading() throws Exception {
    Image image = TestImages.withRandomLayers(7, 200_000, 100_000);
    RegistryClient first = client();
    first.push(image, name("mount/source:1"));
    Set<TransferListener.Outcome> outcomes = ConcurrentHashMap.newKeySet();
    Set<Digest> downloaded = ConcurrentHashMap.newKeySet();
    RegistryClient c = client(new TransferListener() {
      @Override
      public void finished(Descriptor blob, Outcome outcome) {
        if (!MediaTypes.isManifestOrIndex(blob.mediaType())) {
          outcomes.add(outcome);
        }
        if (outcome == Outcome.DOWNLOADED) {
          downloaded.add(blob.digest());
        }
      }
    });
    Artifact remote = c.read(name("mount/source:1"));
    c.push(remote, name("mount/target:1"));
    // nothing is uploaded; with nothing that proves the layers' diff_ids, each mounted layer is
    // read once from the source to check it (issue 16: a copy sends nothing verify rejects), and
    // the config, which lists the diff_ids
    assertEquals(Set.of(TransferListener.Outcome.MOUNTED, TransferListener.Outcome.DOWNLOADED), outcomes);
    Set<Digest> layers = new java.util.HashSet<>();
    image.manifest().layers().forEach(l -> layers.add(l.digest()));
    Set<Digest> layersAndConfig = new java.util.HashSet<>(layers);
    layersAndConfig.add(image.manifest().config().digest());
    assertEquals(layersAndConfig, downloaded);
    byte[] raw = Skopeo.run("inspect", "--tls-verify=false", "--raw", "docker://" + registry.host() + "/mount/target:1");
    assertArrayEquals(image.manifestBytes(), raw);

    // with records that prove them (a store that pulled the image), the layers are not read at all
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      client().pull(name("mount/source:1"), store, Optional.empty(), List.of());
      downloaded.clear();
      c.push(c.read(name("mount/source:1")), name("mount/again:1"), store.diffIdRecords());
      assertEquals(Set.of(image.manifest().config().digest()), downloaded);
    }
  }

  @Test
  void chunkedPush_ofLayersLargerThanTheChunkSize_isReadBackIdentically() throws Exception {
    Image image = TestImages.withRandomLayers(11, 300_000, 5_000, 150_001);
    RegistryClient c = new RegistryClient(RegistryOptions.defaults().withRetry(FAST).withChunkSize(64 * 1024));
    c.push(image, name("chunked/app:1"));
    Path out = tmp.resolve("chunked");
    Skopeo.run("copy", "--src-tls-verify=false", "--preserve-digests",
        "docker://" + registry.host() + "/chunked/app:1", "oci:" + out + ":x");
    Image copied = (Image) OciLayout.open(out).resolve(Optional.of("x"), Optional.empty());
    assertEquals(image.digest(), copied.digest());
    for (Layer layer : copied.layers()) {
      try (InputStream in = layer.openUncompressed()) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    }
  }

  @Test
  void multiPlatformIndex_pushedByJscan_isCopiedWholeBySkopeo_andPulledPerPlatform() throws Exception {
    Image amd64 = TestImages.withLayers(Platform.LINUX_AMD64, "amd64 bits");
    Image arm64 = TestImages.withLayers(new Platform("linux", "arm64"), "arm64 bits");
    ImageIndex index = TestImages.multiPlatformIndex(tmp.resolve("idx"), "multi", amd64, arm64);
    client().push(index, name("multi/app:1"));

    byte[] raw = Skopeo.run("inspect", "--tls-verify=false", "--raw", "docker://" + registry.host() + "/multi/app:1");
    assertArrayEquals(index.manifestBytes(), raw);
    Path out = tmp.resolve("all");
    Skopeo.run("copy", "--all", "--src-tls-verify=false", "--preserve-digests",
        "docker://" + registry.host() + "/multi/app:1", "oci:" + out + ":all");
    assertEquals(index.digest(), OciLayout.open(out).resolve(Optional.of("all"), Optional.empty()).descriptor().digest());

    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      Artifact arm = client().pull(name("multi/app:1"), store, Optional.of(Platform.parse("linux/arm64")), List.of(name("multi/app:arm")));
      assertEquals(arm64.digest(), arm.descriptor().digest());
      Artifact all = client().pull(name("multi/app:1"), store, Optional.empty(), List.of(name("multi/app:all")));
      assertEquals(index.digest(), all.descriptor().digest());
      ImageIndex stored = assertInstanceOf(ImageIndex.class, store.read(ImageReference.StoreReference.byName(name("multi/app:all"))));
      assertEquals(2, stored.index().manifests().size());
      for (Descriptor child : stored.index().manifests()) {
        assertTrue(store.layout().hasBlob(child.digest()));
      }
    }
  }

  @Test
  void multiPlatformIndex_copiedBySkopeo_isPulledWholeByJscan() throws Exception {
    Image amd64 = TestImages.withLayers(Platform.LINUX_AMD64, "x86");
    Image s390x = TestImages.withLayers(new Platform("linux", "s390x"), "mainframe");
    ImageIndex index = TestImages.multiPlatformIndex(tmp.resolve("idx"), "m", amd64, s390x);
    Skopeo.run("copy", "--all", "--dest-tls-verify=false", "--preserve-digests",
        "oci:" + tmp.resolve("idx") + ":m", "docker://" + registry.host() + "/multi/skopeo:1");
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      Artifact all = client().pull(name("multi/skopeo:1"), store, Optional.empty(), List.of(name("multi/skopeo:1")));
      assertEquals(index.digest(), all.descriptor().digest());
      Image s390 = (Image) io.jscan.core.image.Images.forPlatform(
          store.read(ImageReference.StoreReference.byName(name("multi/skopeo:1"))), Platform.parse("linux/s390x"));
      assertEquals(s390x.digest(), s390.digest());
      assertEquals("mainframe", new String(untarFirst(s390.layers().get(0)), StandardCharsets.UTF_8));
    }
  }

  private static byte[] untarFirst(Layer layer) throws Exception {
    try (InputStream in = layer.openUncompressed();
        org.apache.commons.compress.archivers.tar.TarArchiveInputStream tar =
            new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(in)) {
      tar.getNextEntry();
      return tar.readAllBytes();
    }
  }

  @Test
  void manifestDigest_asksWithHead_presentTagGivesTheDigest_absentTagIsEmpty() throws Exception {
    Image image = TestImages.withLayers("head");
    ImageName tagged = name("head/app:1");
    client().push(image, tagged);
    assertEquals(Optional.of(image.digest()), client().manifestDigest(tagged, "1"));
    assertEquals(Optional.of(image.digest()), client().manifestDigest(tagged, image.digest().toString()));
    assertEquals(Optional.empty(), client().manifestDigest(tagged, "sha256-" + image.digest().encoded() + ".sig"));
    assertEquals(Optional.empty(), client().manifestDigest(name("head/never:1"), "1"), "an unknown repository is absent too");
  }
}
