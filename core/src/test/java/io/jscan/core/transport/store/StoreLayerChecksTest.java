package io.jscan.core.transport.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.BlobSource;
import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Images;
import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.DefectiveImages;
import io.jscan.core.testing.DefectiveImages.Defect;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing into the store checks every layer against its compression and diff_id in the read that
 * copies it (issue 16): what verify would reject is never stored nor named, a good image is read
 * once, and layers the store proved are not read again.
 */
class StoreLayerChecksTest {
  @TempDir Path tmp;

  /** A blob source that counts how often each blob is opened. */
  static final class CountingSource implements BlobSource {
    final BlobSource inner;
    final Map<Digest, AtomicInteger> opens = new ConcurrentHashMap<>();

    CountingSource(BlobSource inner) {
      this.inner = inner;
    }

    @Override
    public InputStream openUnverified(Descriptor d) throws OciException {
      opens.computeIfAbsent(d.digest(), k -> new AtomicInteger()).incrementAndGet();
      return inner.openUnverified(d);
    }

    int opened(Digest d) {
      AtomicInteger n = opens.get(d);
      return n == null ? 0 : n.get();
    }
  }

  /** {@code image} written as another tool would into a layout, read back through a counting source. */
  Image fromLayout(Image image, String name, CountingSource[] counting) throws Exception {
    Path dir = tmp.resolve("src-" + name);
    DefectiveImages.writeLayout(image, dir, "x");
    counting[0] = new CountingSource(OciLayout.open(dir).blobs());
    return Images.image(counting[0], image.descriptor());
  }

  static ImageName name(String n) {
    return ImageName.parse("localhost:5000/checks/" + n + ":1");
  }

  static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void write_ofEachDefectiveImage_failsAsIntegrity_namingTheLayer_andStoresNeitherItsLayerNorAName() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      for (Defect defect : DefectiveImages.all("store")) {
        CountingSource[] counting = new CountingSource[1];
        Image source = fromLayout(defect.image(), "defect-" + defect.badLayer().digest().shortHex(), counting);
        for (int parallelism : new int[] {1, 4}) {
          OciException e = assertThrows(OciException.class, () -> store.write(source, List.of(name("bad")), parallelism));
          assertEquals(FailureKind.INTEGRITY, e.kind(), e.getMessage());
          assertTrue(e.getMessage().startsWith("layer 2 " + defect.badLayer().digest()), e.getMessage());
          assertTrue(e.getMessage().contains(defect.failure()), e.getMessage() + " should say " + defect.failure());
          assertEquals(List.of(), store.list());
          assertFalse(store.layout().hasBlob(defect.badLayer().digest()), "the bad layer is not stored");
          assertFalse(store.layout().hasBlob(defect.image().digest()), "nor the manifest");
          assertEquals(Optional.empty(), store.diffIdRecords().lookup(defect.badLayer().digest()));
        }
      }
      for (Path f : files(store.home())) {
        assertFalse(f.getFileName().toString().startsWith(OciLayout.TEMP_PREFIX), "no temp file left: " + f);
      }
    }
  }

  @Test
  void readingEachDefectAsVerifyDoes_failsWithTheSameWordsAsTheCopy() throws Exception {
    for (Defect defect : DefectiveImages.all("verify")) {
      CountingSource[] counting = new CountingSource[1];
      Image source = fromLayout(defect.image(), "v-" + defect.badLayer().digest().shortHex(), counting);
      Layer bad = source.layers().get(1);
      OciException e = assertThrows(OciException.class, () -> {
        try (InputStream in = bad.openUncompressed()) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException io) {
          throw OciException.reading("layer 2", io);
        }
      });
      assertEquals(FailureKind.INTEGRITY, e.kind(), e.getMessage());
      assertTrue(e.getMessage().startsWith("layer 2 " + defect.badLayer().digest()), e.getMessage());
      assertTrue(e.getMessage().contains(defect.failure()), e.getMessage());
    }
  }

  @Test
  void write_ofAGoodImage_opensEachBlobOnce_andRecordsWhatItsLayersDecompressTo() throws Exception {
    Image image = TestImages.withLayers("once", "only", "please");
    CountingSource[] counting = new CountingSource[1];
    Image source = fromLayout(image, "good", counting);
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      store.write(source, List.of(name("good")), 4);
      for (Layer layer : image.layers()) {
        assertEquals(1, counting[0].opened(layer.descriptor().digest()), "layer read once");
        assertEquals(Optional.of(new DiffIdRecords.Known(Compression.GZIP, layer.diffId())),
            store.diffIdRecords().lookup(layer.descriptor().digest()));
      }
      assertEquals(1, counting[0].opened(image.manifest().config().digest()), "config read once");
      LocalStoreTest.assertReadable(store);
    }
  }

  @Test
  void write_ofAnImageClaimingAnotherDiffIdForALayerTheStoreHas_failsReadingTheStoresCopy_notTheSource() throws Exception {
    Image good = TestImages.withLayers("proved");
    Layer layer = good.layers().get(0);
    byte[] blob;
    try (InputStream in = good.openBlob(layer.descriptor())) {
      blob = in.readAllBytes();
    }
    Digest claimed = Digest.sha256("something else");
    Image lying = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(Instant.EPOCH)
        .addLayer(Layers.fromBytes(blob, MediaTypes.OCI_LAYER_GZIP, claimed),
            new History(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false))
        .build();
    CountingSource[] counting = new CountingSource[1];
    Image source = fromLayout(lying, "lying", counting);
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      store.write(good, List.of(name("good")));
      OciException e = assertThrows(OciException.class, () -> store.write(source, List.of(name("lying"))));
      assertEquals(FailureKind.INTEGRITY, e.kind());
      assertEquals("layer 1 " + layer.descriptor().digest() + " (uncompressed, diff_id): digest mismatch: expected " + claimed
          + ", got " + layer.diffId(), e.getMessage());
      assertEquals(0, counting[0].opened(layer.descriptor().digest()), "the store's own copy decides, not a download");
      assertEquals(List.of("localhost:5000/checks/good:1"), store.list().stream().map(s -> s.name().orElseThrow().toString()).toList());
      assertEquals(Optional.of(new DiffIdRecords.Known(Compression.GZIP, layer.diffId())),
          store.diffIdRecords().lookup(layer.descriptor().digest()), "the record stands");
    }
  }

  @Test
  void aRecordThatContradictsTheContent_isOverruledByReadingIt_andRewritten() throws Exception {
    Image image = TestImages.withLayers("recorded wrongly");
    Layer layer = image.layers().get(0);
    Digest blob = layer.descriptor().digest();
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      store.write(image, List.of(name("first")));
      store.diffIdRecords().remember(blob, new DiffIdRecords.Known(Compression.ZSTD, Digest.sha256("wrong")));
      CountingSource[] counting = new CountingSource[1];
      store.write(fromLayout(image, "again", counting), List.of(name("second")));
      assertEquals(0, counting[0].opened(blob));
      assertEquals(Optional.of(new DiffIdRecords.Known(Compression.GZIP, layer.diffId())), store.diffIdRecords().lookup(blob));
    }
  }

  @Test
  void write_ofALayerTheStoreHasWithoutARecord_readsTheStoresCopyOnce_notTheSource_andRecordsIt() throws Exception {
    Image image = TestImages.withLayers("stored by an older jscan");
    Digest layer = image.manifest().layers().get(0).digest();
    CountingSource[] counting = new CountingSource[1];
    Image source = fromLayout(image, "again", counting);
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      store.write(image, List.of(name("first")));
      TestFilesInStore.deleteRecords(store);
      assertEquals(Optional.empty(), store.diffIdRecords().lookup(layer));
      store.write(source, List.of(name("second")), 4);
      assertEquals(0, counting[0].opened(layer), "the source's copy is not read");
      assertEquals(Optional.of(new DiffIdRecords.Known(Compression.GZIP, image.layers().get(0).diffId())),
          store.diffIdRecords().lookup(layer));
    }
  }

  @Test
  void write_ofAnImageListingOneBlobTwiceWithTwoDiffIds_isAnIntegrityFailure() throws Exception {
    Layer layer = TestImages.withLayers("twice").layers().get(0);
    byte[] blob;
    try (InputStream in = layer.openCompressed()) {
      blob = in.readAllBytes();
    }
    History h = new History(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false);
    Image twice = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(Instant.EPOCH)
        .addLayer(Layers.fromBytes(blob, MediaTypes.OCI_LAYER_GZIP, layer.diffId()), h)
        .addLayer(Layers.fromBytes(blob, MediaTypes.OCI_LAYER_GZIP, Digest.sha256("other")), h)
        .build();
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      OciException e = assertThrows(OciException.class, () -> store.write(twice, List.of(name("twice"))));
      assertEquals(FailureKind.INTEGRITY, e.kind());
      assertTrue(e.getMessage().startsWith("layer 2 " + layer.descriptor().digest() + " of image " + twice.digest()), e.getMessage());
      assertTrue(e.getMessage().contains("the same bytes have one uncompressed form"), e.getMessage());
      assertEquals(List.of(), store.list());
    }
  }

  @Test
  void removingAnImage_removesTheRecordsOfTheLayersGcDeletes() throws Exception {
    Image image = TestImages.withLayers("gone soon");
    Digest layer = image.manifest().layers().get(0).digest();
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      store.write(image, List.of(name("gone")));
      assertTrue(store.diffIdRecords().lookup(layer).isPresent());
      store.remove(List.of(io.jscan.core.transport.ImageReference.StoreReference.byName(name("gone"))));
      assertFalse(store.layout().hasBlob(layer));
      assertEquals(Optional.empty(), store.diffIdRecords().lookup(layer));
    }
  }

  @Test
  void layerCacheAdopt_recordsTheBuildersDiffId_soExportsDoNotDecompressAgain() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      Path tar = tmp.resolve("layer.tar");
      Files.write(tar, io.jscan.core.testing.TarBuilder.tar().file("built.txt", "built\n").build());
      Layer built = Layers.compress(tar, Compression.ZSTD, store.tempDir());
      Path file = store.tempDir().resolve(built.descriptor().digest().encoded());
      store.layerCache().adopt(Digest.sha256("key"), built, file);
      assertEquals(Optional.of(new DiffIdRecords.Known(Compression.ZSTD, built.diffId())),
          store.diffIdRecords().lookup(built.descriptor().digest()));
    }
  }

  /** Removes the store's records, as a store written before they existed has none. */
  static final class TestFilesInStore {
    static void deleteRecords(LocalStore store) throws Exception {
      io.jscan.core.testing.TestFiles.deleteTree(store.home().resolve(".jscan").resolve("diff-ids"));
    }
  }
}
