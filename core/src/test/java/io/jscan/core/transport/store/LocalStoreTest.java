package io.jscan.core.transport.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference.StoreReference;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
  @TempDir Path home;

  private static StoreReference ref(String name) {
    return StoreReference.byName(ImageName.parse(name));
  }

  /** Reads every blob of every entry to the end: the store is fully readable. */
  static void assertReadable(LocalStore store) throws Exception {
    for (StoreEntry e : store.list()) {
      Image image = (Image) store.layout().artifact(e.descriptor());
      image.config();
      for (Layer layer : image.layers()) {
        try (InputStream in = layer.openUncompressed()) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        }
      }
    }
  }

  @Test
  void write_keepsTheFullNameAsRefName_andReadsBack() throws Exception {
    Image image = TestImages.withLayers("a");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("myapp:1.0")));
      assertEquals("docker.io/library/myapp:1.0", store.layout().index().manifests().get(0).refName().orElseThrow());
      Artifact read = store.read(ref("docker.io/library/myapp:1.0"));
      assertArrayEquals(image.manifestBytes(), read.manifestBytes());
      assertEquals(image.digest(), store.read(StoreReference.byDigest(image.digest())).descriptor().digest());
      assertEquals(image.digest(), store.read(ref("myapp@" + image.digest())).descriptor().digest());
    }
  }

  @Test
  void read_unknownName_isBadInput() throws Exception {
    try (LocalStore store = LocalStore.open(home)) {
      OciException e = assertThrows(OciException.class, () -> store.read(ref("nope:1")));
      assertEquals(FailureKind.BAD_INPUT, e.kind());
      assertEquals("image docker.io/library/nope:1: not in the local store " + home.toAbsolutePath(), e.getMessage());
    }
  }

  @Test
  void tag_addsAName_andWritingTheNameAgainMovesIt() throws Exception {
    Image first = TestImages.withLayers("1");
    Image second = TestImages.withLayers("2");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(first, List.of(ImageName.parse("app:1")));
      store.tag(ref("app:1"), ImageName.parse("app:latest"));
      assertEquals(List.of("docker.io/library/app:1", "docker.io/library/app:latest"), store.namesOf(first.digest()));
      store.write(second, List.of(ImageName.parse("app:latest")));
      assertEquals(second.digest(), store.read(ref("app")).descriptor().digest());
      assertEquals(List.of("docker.io/library/app:1"), store.namesOf(first.digest()));
    }
  }

  @Test
  void remove_lastName_collectsTheImagesBlobs_butKeepsSharedOnes() throws Exception {
    Image base = TestImages.withLayers("shared");
    Image other = TestImages.withLayers("shared", "extra");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(base, List.of(ImageName.parse("base:1"), ImageName.parse("base:2")));
      store.write(other, List.of(ImageName.parse("other:1")));
      LocalStore.Removal untagOnly = store.remove(List.of(ref("base:1")));
      assertEquals(List.of("docker.io/library/base:1"), untagOnly.untagged());
      assertEquals(List.of(), untagOnly.deletedBlobs(), "base:2 still holds the image");
      LocalStore.Removal removal = store.remove(List.of(ref("base:2")));
      assertEquals(2, removal.deletedBlobs().size(), "manifest and config; the shared layer stays for other:1");
      assertTrue(store.layout().hasBlob(base.manifest().layers().get(0).digest()));
      assertReadable(store);
      store.remove(List.of(StoreReference.byDigest(other.digest())));
      assertEquals(List.of(), store.list());
      assertEquals(List.of(), new ArrayList<>(store.layout().listBlobs().keySet()));
    }
  }

  /** A cosign-like tag manifest (config and one layer) for {@code subject}, written under {@code repository:tag}. */
  private static Image attachTagged(LocalStore store, String repository, String tag, String content) throws Exception {
    Image manifest = io.jscan.core.image.StaticImage.builder().config(io.jscan.core.oci.MediaTypes.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8))
        .blob("application/vnd.dev.cosign.simplesigning.v1+json", content.getBytes(StandardCharsets.UTF_8), java.util.Map.of()).build();
    store.write(manifest, List.of(ImageName.parse(repository + ":" + tag)));
    return manifest;
  }

  /** An OCI 1.1 referrer of {@code subject} in the store. */
  private static Image attachReferrer(LocalStore store, io.jscan.core.oci.Descriptor subject, String content) throws Exception {
    Image artifact = io.jscan.core.image.StaticImage.builder().artifactType("application/vnd.in-toto+json").subject(subject.bare())
        .blob("application/vnd.in-toto+json", content.getBytes(StandardCharsets.UTF_8), java.util.Map.of()).build();
    store.referrers().attach(artifact);
    return artifact;
  }

  @Test
  void remove_image_removesItsSignatureTagsAndReferrers_andGcReclaimsTheirBlobs() throws Exception {
    Image image = TestImages.withLayers("signed");
    Image other = TestImages.withLayers("other");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("registry.example/app:1")));
      store.write(other, List.of(ImageName.parse("registry.example/app:2")));
      Image sig = attachTagged(store, "registry.example/app", io.jscan.core.image.AttachedTags.signature(image.digest()), "signature");
      Image att = attachTagged(store, "registry.example/app", io.jscan.core.image.AttachedTags.attestation(image.digest()), "attestation");
      Image sbom = attachTagged(store, "registry.example/app", io.jscan.core.image.AttachedTags.sbom(image.digest()), "sbom");
      Image referrer = attachReferrer(store, image.descriptor(), "provenance");
      // a signature on the referrer hangs from the image too
      Image referrerSig = attachTagged(store, "registry.example/app", io.jscan.core.image.AttachedTags.signature(referrer.digest()), "on the referrer");
      Image otherSig = attachTagged(store, "registry.example/app", io.jscan.core.image.AttachedTags.signature(other.digest()), "other's");

      LocalStore.Removal removal = store.remove(List.of(ref("registry.example/app:1")));

      String tagForm = image.digest().toTagForm();
      assertEquals(List.of("registry.example/app:1", "registry.example/app:" + tagForm + ".sig", "registry.example/app:" + tagForm + ".att",
          "registry.example/app:" + tagForm + ".sbom", "registry.example/app:" + referrer.digest().toTagForm() + ".sig"), removal.untagged());
      for (Image gone : List.of(image, sig, att, sbom, referrer, referrerSig)) {
        assertTrue(removal.deletedBlobs().contains(gone.digest()), gone.digest() + " collected: " + removal);
        assertFalse(store.layout().hasBlob(gone.digest()));
      }
      assertEquals(List.of("registry.example/app:2", "registry.example/app:" + other.digest().toTagForm() + ".sig"),
          store.list().stream().map(e -> e.name().orElseThrow().toString()).toList());
      assertTrue(store.layout().hasBlob(otherSig.digest()));
      assertArrayEquals(other.manifestBytes(), store.read(ref("registry.example/app:2")).manifestBytes());
    }
  }

  @Test
  void remove_oneOfTwoNames_keepsTheImagesSignatures_untilTheLastNameGoes() throws Exception {
    Image image = TestImages.withLayers("two names");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("registry.example/app:1"), ImageName.parse("registry.example/copy:1")));
      Image sig = attachTagged(store, "registry.example/app", io.jscan.core.image.AttachedTags.signature(image.digest()), "signature");
      Image referrer = attachReferrer(store, image.descriptor(), "sbom");

      LocalStore.Removal first = store.remove(List.of(ref("registry.example/app:1")));
      assertEquals(List.of("registry.example/app:1"), first.untagged(), "registry.example/copy:1 keeps the image, and so its attachments");
      assertEquals(List.of(), first.deletedBlobs());
      assertEquals(1, store.referrers().list(image.digest()).size());

      LocalStore.Removal last = store.remove(List.of(ref("registry.example/copy:1")));
      assertEquals(List.of("registry.example/copy:1", "registry.example/app:" + image.digest().toTagForm() + ".sig"), last.untagged());
      assertTrue(last.deletedBlobs().containsAll(List.of(sig.digest(), referrer.digest(), image.digest())), last.toString());
      assertEquals(List.of(), store.list());
      assertEquals(List.of(), new ArrayList<>(store.layout().listBlobs().keySet()));
    }
  }

  @Test
  void remove_keepsAnImageWhoseTagOnlyLooksLikeADigest() throws Exception {
    Image image = TestImages.withLayers("v1");
    Image removed = TestImages.withLayers("gone");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("app:v1-abc")));
      store.write(removed, List.of(ImageName.parse("app:1")));
      store.remove(List.of(ref("app:1")));
      assertEquals(List.of("docker.io/library/app:v1-abc"), store.list().stream().map(e -> e.name().orElseThrow().toString()).toList());
    }
  }

  @Test
  void remove_unknownName_removesNothing() throws Exception {
    try (LocalStore store = LocalStore.open(home)) {
      store.write(TestImages.withLayers("1"), List.of(ImageName.parse("app:1")));
      OciException e = assertThrows(OciException.class, () -> store.remove(List.of(ref("app:1"), ref("ghost:1"))));
      assertEquals(FailureKind.BAD_INPUT, e.kind());
      assertEquals(1, store.list().size(), "all or nothing");
    }
  }

  @Test
  void write_withoutNames_keepsAnUnnamedEntryOnce() throws Exception {
    Image image = TestImages.withLayers("1");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of());
      store.write(image, List.of());
      assertEquals(1, store.list().size());
      assertEquals(Optional.empty(), store.list().get(0).name());
      store.write(image, List.of(ImageName.parse("named:1")));
      assertEquals(1, store.list().size(), "the named entry replaces the unnamed one");
    }
  }

  @Test
  void layerCache_entriesSurviveGc_untilRemoved() throws Exception {
    Layer layer = Layers.compress(TarBuilder.tar().file("cached", "c").build(), Compression.GZIP);
    Digest key = Digest.sha256("step: RUN make");
    try (LocalStore store = LocalStore.open(home)) {
      assertEquals(Optional.empty(), store.layerCache().lookup(key));
      LayerCache.CachedLayer put = store.layerCache().put(key, layer);
      assertEquals(layer.descriptor().digest(), put.descriptor().digest());
      assertEquals(List.of(), store.gc(), "a cache entry is a root");
      LayerCache.CachedLayer hit = store.layerCache().lookup(key).orElseThrow();
      assertEquals(layer.diffId(), hit.diffId());
      try (InputStream in = hit.layer().openUncompressed()) {
        assertArrayEquals(TarBuilder.tar().file("cached", "c").build(), in.readAllBytes());
      }
      assertEquals(List.of(key), store.layerCache().keys());
      assertTrue(store.layerCache().remove(key));
      assertEquals(List.of(layer.descriptor().digest()), store.gc());
      assertEquals(Optional.empty(), store.layerCache().lookup(key));
    }
  }

  @Test
  void layerCache_adopt_movesTheBlobFileInsteadOfCopyingIt() throws Exception {
    byte[] tar = TarBuilder.tar().file("adopted", "a").build();
    Layer layer = Layers.compress(tar, Compression.GZIP);
    Digest key = Digest.sha256("step: COPY big");
    try (LocalStore store = LocalStore.open(home)) {
      Path file = store.tempDir().resolve("layer-being-built");
      try (InputStream in = layer.openCompressed()) {
        Files.write(file, in.readAllBytes());
      }
      LayerCache.CachedLayer adopted = store.layerCache().adopt(key, layer, file);
      assertFalse(Files.exists(file), "moved, not copied");
      assertTrue(store.layout().hasBlob(layer.descriptor().digest()));
      try (InputStream in = store.layerCache().lookup(key).orElseThrow().layer().openUncompressed()) {
        assertArrayEquals(tar, in.readAllBytes());
      }
      assertEquals(layer.diffId(), adopted.diffId());
      Path again = store.tempDir().resolve("same-layer-again");
      Files.write(again, Files.readAllBytes(store.layout().blobPath(layer.descriptor().digest())));
      store.layerCache().adopt(Digest.sha256("another key"), layer, again);
      assertFalse(Files.exists(again), "a blob the store has already is not written twice");
    }
  }

  @Test
  void close_removesThisProcesssTempDirectory() throws Exception {
    try (LocalStore store = LocalStore.open(home)) {
      store.write(TestImages.withLayers("x"), List.of(ImageName.parse("x:1")));
      assertTrue(Files.isDirectory(store.tempDir()));
    }
    try (var sessions = Files.list(home.resolve(".jscan/tmp"))) {
      assertEquals(0, sessions.count());
    }
  }

  @Test
  void threads_withTheirOwnStoreInstances_loseNoUpdate() throws Exception {
    int writers = 4;
    int perWriter = 5;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        futures.add(
            pool.submit(
                () -> {
                  try (LocalStore store = LocalStore.open(home)) {
                    for (int i = 0; i < perWriter; i++) {
                      store.write(TestImages.withLayers("t" + id + "-" + i), List.of(ImageName.parse("t" + id + ":" + i)));
                    }
                  }
                  return null;
                }));
      }
      futures.add(
          pool.submit(
              () -> {
                try (LocalStore store = LocalStore.open(home)) {
                  for (int i = 0; i < 10; i++) {
                    store.gc();
                  }
                }
                return null;
              }));
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    try (LocalStore store = LocalStore.open(home)) {
      assertEquals(writers * perWriter, store.list().size());
      assertReadable(store);
    }
  }

  // ---------------------------------------------------------------- other processes

  private Process startWorker(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(StoreWorker.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static String awaitLine(Process p, String wanted) throws Exception {
    java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder all = new StringBuilder();
    for (String line; (line = r.readLine()) != null; ) {
      all.append(line).append('\n');
      if (line.equals(wanted)) {
        return all.toString();
      }
    }
    throw new AssertionError("worker ended without \"" + wanted + "\":\n" + all);
  }

  @Test
  void processes_writingAndCollectingAtOnce_leaveEveryNamedImageComplete() throws Exception {
    int count = 6;
    List<Process> processes = new ArrayList<>();
    try {
      processes.add(startWorker("write", home.toString(), "p1", String.valueOf(count)));
      processes.add(startWorker("write", home.toString(), "p2", String.valueOf(count)));
      processes.add(startWorker("gc", home.toString(), "20"));
      for (Process p : processes) {
        String output = awaitLine(p, "done");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
      }
    } finally {
      processes.forEach(Process::destroyForcibly);
    }
    try (LocalStore store = LocalStore.open(home)) {
      List<String> names = store.list().stream().map(e -> e.name().orElseThrow().familiar()).sorted().toList();
      List<String> expected = new ArrayList<>();
      for (String prefix : List.of("p1", "p2")) {
        for (int i = 0; i < count; i += 2) {
          expected.add(prefix + "-" + i + ":1");
        }
      }
      assertEquals(expected.stream().sorted().toList(), names, "every kept name, none lost");
      assertReadable(store);
      assertEquals(List.of(), store.gc(), "the removed images' blobs were already collected");
    }
  }

  @Test
  void processKilledWithSigkill_leavesAReadableStore_andItsTempDirIsCleanedOnNextOpen() throws Exception {
    // Kill points: right after opening, a little later, and (so that the last assertion does not
    // depend on how fast this machine is) just after the first image was written, mid-second write.
    record KillPoint(String afterLine, int delayMillis) {}
    List<KillPoint> killPoints =
        List.of(new KillPoint("started", 0), new KillPoint("started", 150), new KillPoint("wrote 0", 0), new KillPoint("wrote 0", 40));
    for (KillPoint kill : killPoints) {
      Process worker = startWorker("write", home.toString(), "k" + killPoints.indexOf(kill), "200");
      try {
        awaitLine(worker, kill.afterLine());
        Thread.sleep(kill.delayMillis());
      } finally {
        worker.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
        worker.waitFor(30, TimeUnit.SECONDS);
      }
      try (LocalStore store = LocalStore.open(home)) {
        assertReadable(store);
        try (var sessions = Files.list(home.resolve(".jscan/tmp"))) {
          assertEquals(List.of(store.tempDir()), sessions.toList(), "only this process's temp directory remains");
        }
      }
    }
    try (LocalStore store = LocalStore.open(home)) {
      assertFalse(store.list().isEmpty(), "the workers were killed while writing, not before");
    }
  }

  @Test
  void store_isReadableBySkopeoAsAnOciLayout() throws Exception {
    Path skopeo = ExternalTool.require("skopeo");
    Image image = TestImages.withLayers("for skopeo");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("myapp:1.0")));
    }
    Process p =
        new ProcessBuilder(skopeo.toString(), "inspect", "--raw", "oci:" + home + ":docker.io/library/myapp:1.0")
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
    assertArrayEquals(image.manifestBytes(), out);
    assertFalse(new String(out, StandardCharsets.UTF_8).isEmpty());
  }
}
