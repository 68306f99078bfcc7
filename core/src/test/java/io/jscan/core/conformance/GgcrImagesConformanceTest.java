package io.jscan.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.FailureKind;
import io.jscan.core.fs.MergedFilesystem;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Layer;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.Conformance;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.dockerarchive.DockerArchive;
import io.jscan.core.transport.dockerarchive.DockerArchiveWriter;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * go-containerregistry's image tarballs and layouts (conformance/images, see its SOURCE.md):
 * loading, inventory, flattening, layout lookups and GC, and round trips through jscan's writers.
 */
class GgcrImagesConformanceTest {
  private static Path ggcr;
  private static JsonNode expected;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws IOException {
    ggcr = Conformance.dir("images").resolve("ggcr");
    expected = new ObjectMapper().readTree(ggcr.resolve("expected.json").toFile());
  }

  private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
    List<Map.Entry<String, JsonNode>> result = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      result.add(it.next());
    }
    return result;
  }

  /** Reads every blob of an image to its end, so every digest, size and diff_id is checked. */
  static void validate(Image image) throws Exception {
    image.config();
    for (Layer layer : image.layers()) {
      try (InputStream in = layer.openUncompressed()) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      try (InputStream in = layer.openCompressed()) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    }
  }

  // ---------------------------------------------------------------- docker archives

  @TestFactory
  Stream<DynamicTest> dockerArchives_loadOrFailAsExpectedJsonSays() {
    return fields(expected.get("docker_archives")).stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey() + " load=" + e.getValue().get("load").asText(),
                    () -> checkLoad(ggcr.resolve(e.getKey()), e.getValue().get("load").asText(), e.getValue().get("assert").asText())));
  }

  private void checkLoad(Path file, String load, String assertion) throws Exception {
    switch (load) {
      case "ok" -> validate(DockerArchive.open(file).image(Optional.empty()));
      case "error" -> {
        OciException e = assertThrows(OciException.class, () -> DockerArchive.open(file).image(Optional.empty()));
        assertEquals(FailureKind.BAD_INPUT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("docker archive " + file), e.getMessage());
      }
      case "error without tag; ok with tag" -> {
        OciException e = assertThrows(OciException.class, () -> DockerArchive.open(file).image(Optional.empty()));
        assertTrue(e.getMessage().contains("2 images in the archive"), e.getMessage());
        // the tags the assertion lists, exactly as written there
        for (String tag : List.of("test_image_1", "test_image_2", "test_image_1:latest", "test_image_2:latest", "index.docker.io/library/test_image_1:latest")) {
          assertTrue(assertion.contains(tag), tag);
          validate(DockerArchive.open(file).image(Optional.of(ImageName.parse(tag))));
        }
      }
      default -> {
        assertTrue(load.startsWith("ok with tag "), load);
        String tag = load.substring("ok with tag ".length());
        Image image = DockerArchive.open(file).image(Optional.of(ImageName.parse(tag)));
        validate(image);
        // TestLayerLink: the layer stored as a link yields the linked bytes
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("LayerByDiffID\\((sha256:[0-9a-f]{64})\\)").matcher(assertion);
        assertTrue(m.find(), assertion);
        Digest diffId = Digest.parse(m.group(1));
        Layer layer = image.layers().stream().filter(l -> l.diffId().equals(diffId)).findFirst().orElseThrow();
        try (InputStream in = layer.openUncompressed()) {
          assertTrue(in.readAllBytes().length > 0);
        }
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> dockerArchives_inventoryMatches() {
    return fields(expected.get("inventory")).stream()
        .filter(e -> e.getValue().has("images"))
        .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> checkInventory(ggcr.resolve(e.getKey()), e.getValue())));
  }

  private static List<String> strings(JsonNode node) {
    List<String> result = new ArrayList<>();
    if (node != null && !node.isNull()) {
      node.forEach(n -> result.add(n.asText()));
    }
    return result;
  }

  private void checkInventory(Path file, JsonNode inventory) throws Exception {
    DockerArchive archive = DockerArchive.open(file);
    JsonNode images = inventory.get("images");
    assertEquals(images.size(), archive.entries().size(), "images in manifest.json");
    for (int i = 0; i < images.size(); i++) {
      JsonNode want = images.get(i);
      DockerArchive.Entry entry = archive.entries().get(i);
      assertEquals(strings(want.get("RepoTags")), entry.repoTags(), "RepoTags");
      assertEquals(want.get("config").asText(), entry.config());
      Image image = archive.image(i);
      assertEquals(want.get("config_sha256").asText(), image.manifest().config().digest().toString(), "config digest");
      assertEquals(want.get("config_sha256").asText(), Digest.sha256(image.configBytes()).toString());
      assertEquals(strings(want.get("config_diff_ids")), image.config().rootfs().diffIds().stream().map(Digest::toString).toList());
      assertEquals(want.get("layers").size(), image.layers().size(), "layer count");
      for (int l = 0; l < image.layers().size(); l++) {
        JsonNode layer = want.get("layers").get(l);
        assertEquals(layer.get("sha256_of_file").asText(), image.manifest().layers().get(l).digest().toString(), "layer blob digest");
        assertEquals(layer.get("diffid_sha256_uncompressed").asText(), image.layers().get(l).diffId().toString());
      }
      assertEquals(want.get("history_len").asInt(), image.config().history().size());
      assertEquals(want.get("os").asText(), image.config().os());
      assertEquals(want.get("architecture").asText(), image.config().architecture());
      validate(image);
    }
  }

  @Test
  void dockerArchive_docker25_usesTheRealManifestDigest() throws Exception {
    Image image = DockerArchive.open(ggcr.resolve("docker-archive/hello-world-v25.tar")).image(Optional.empty());
    // the manifest Docker wrote is among the blobs; its digest (not a synthesised one) is kept
    Path blob = null;
    try (var members = new org.apache.commons.compress.archivers.tar.TarFile(ggcr.resolve("docker-archive/hello-world-v25.tar"))) {
      for (var e : members.getEntries()) {
        if (e.getName().startsWith("blobs/sha256/") && e.getName().endsWith(image.digest().encoded())) {
          blob = Path.of(e.getName());
        }
      }
    }
    assertTrue(blob != null, "the manifest digest is a blob of the archive: " + image.digest());
    assertEquals(MediaTypes.OCI_MANIFEST, image.manifest().mediaType());
  }

  @Test
  void dockerArchive_loadManifest_listsTheImages() throws Exception {
    DockerArchive archive = DockerArchive.open(ggcr.resolve("docker-archive/test_load_manifest.tar"));
    assertFalse(archive.entries().isEmpty());
    assertEquals(List.of(ImageName.parse("bazel/v1/tarball:test_image_1")), archive.names(0));
  }

  @Test
  void dockerArchive_nullManifest_isAClearError() {
    OciException e = assertThrows(OciException.class, () -> DockerArchive.open(ggcr.resolve("docker-archive/null_manifest.tar")));
    assertTrue(e.getMessage().endsWith("manifest.json: expected a list of images, got null"), e.getMessage());
  }

  @Test
  void dockerArchive_legacyWithoutManifest_isAClearError() {
    OciException e = assertThrows(OciException.class, () -> DockerArchive.open(ggcr.resolve("docker-archive/no_manifest.tar")));
    assertTrue(e.getMessage().contains("no manifest.json"), e.getMessage());
    assertTrue(e.getMessage().contains("legacy format"), e.getMessage());
  }

  // ---------------------------------------------------------------- flattening

  @TestFactory
  Stream<DynamicTest> whiteoutImages_flattenToDerivedFlattened() {
    return fields(expected.get("docker_archives")).stream()
        .filter(e -> e.getValue().has("derived_flattened"))
        .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> checkFlattened(ggcr.resolve(e.getKey()), e.getValue().get("derived_flattened"))));
  }

  private void checkFlattened(Path file, JsonNode want) throws Exception {
    Map<String, String> expectedFiles = new TreeMap<>();
    fields(want).forEach(f -> expectedFiles.put(f.getKey(), f.getValue().asText()));
    Map<String, String> actual = new TreeMap<>();
    MergedFilesystem.walk(
        DockerArchive.open(file).image(Optional.empty()),
        (entry, content) -> {
          switch (entry.type()) {
            case FILE -> actual.put(entry.path(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
            case SYMLINK -> actual.put(entry.path(), "symlink -> " + entry.linkTarget().orElseThrow());
            case DIRECTORY -> {}
            default -> actual.put(entry.path(), entry.type().name());
          }
        });
    assertEquals(expectedFiles, actual);
  }

  // ---------------------------------------------------------------- OCI layouts

  private Path copyOf(String layout) throws IOException {
    Path source = ggcr.resolve("oci-layout").resolve(layout);
    Path target = tmp.resolve(layout);
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path p : paths.toList()) {
        Path dest = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    }
    return target;
  }

  private static String asserts(String layout) {
    return expected.get("oci_layouts").get("oci-layout/" + layout).get("assert").toString();
  }

  @Test
  void layout_testIndex_resolvesImagesAndNestedIndexes() throws Exception {
    String text = asserts("test_index");
    OciLayout layout = OciLayout.open(ggcr.resolve("oci-layout/test_index"));
    assertEquals(MediaTypes.OCI_INDEX, layout.index().mediaType());
    Digest image = Digest.parse("sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650");
    Digest config = Digest.parse("sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e");
    Digest nestedDockerList = Digest.parse("sha256:2b29a2b8dea3af91ea7d0154be1da0c92d55ddd098540930fc8d3db7de377fdb");
    Digest ociIndex = Digest.parse("sha256:05f95b26ed10668b7183c1e2da98610e91372fa9f510046d4ce5812addad86b5");
    for (Digest d : List.of(image, config, nestedDockerList)) {
      assertTrue(text.contains(d.toString()), d.toString());
    }
    Image img = layout.image(image);
    validate(img);
    assertEquals(MediaTypes.OCI_MANIFEST, img.descriptor().mediaType());
    assertEquals(config, img.manifest().config().digest());
    assertEquals(MediaTypes.DOCKER_LAYER_GZIP, img.manifest().layers().get(0).mediaType());
    assertTrue(layout.hasBlob(img.manifest().layers().get(0).digest()));
    ImageIndex nested = layout.imageIndex(nestedDockerList);
    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, nested.descriptor().mediaType());
    assertInstanceOf(Image.class, nested.child(nested.index().manifests().get(0)));
    // errors
    Digest deadbeef = Digest.parse("sha256:deadbeef" + "0".repeat(56));
    assertThrows(OciException.class, () -> layout.image(deadbeef));
    assertThrows(OciException.class, () -> layout.image(ociIndex));
    assertThrows(OciException.class, () -> layout.imageIndex(image));
    OciException missing =
        assertThrows(OciException.class, () -> layout.blobs().open(new Descriptor(MediaTypes.OCI_LAYER_GZIP, deadbeef, 1), "layer"));
    assertEquals(FailureKind.BAD_INPUT, missing.kind());
  }

  @Test
  void layout_oneImage_isPickedWithoutAName_andGcRemovesNothing() throws Exception {
    assertTrue(asserts("test_index_one_image").contains("removes nothing"));
    Path copy = copyOf("test_index_one_image");
    OciLayout layout = OciLayout.open(copy);
    Artifact only = layout.resolve(Optional.empty(), Optional.empty());
    validate(assertInstanceOf(Image.class, only));
    assertEquals(List.of(), layout.gc(List.of()));
  }

  @Test
  void layout_customLayerMediaType_isKept_andGcRemovesNothing() throws Exception {
    String text = asserts("test_index_media_type");
    Path copy = copyOf("test_index_media_type");
    OciLayout layout = OciLayout.open(copy);
    Digest d = Digest.parse("sha256:b544f71ecd82372bc9a3c0dbef378abfd2734fe437df81ff6e242a0d720d8e3e");
    assertTrue(text.contains(d.toString()));
    Image image = layout.image(d);
    assertEquals(MediaTypes.OCI_MANIFEST, image.manifest().mediaType());
    assertEquals("application/tar+gzip", image.manifest().layers().get(0).mediaType());
    assertEquals(List.of(), layout.gc(List.of()));
  }

  @Test
  void layout_gcIndex_removesExactlyTheUnreferencedBlob() throws Exception {
    String text = asserts("test_gc_index");
    Path copy = copyOf("test_gc_index");
    OciLayout layout = OciLayout.open(copy);
    List<Digest> removed = layout.gc(List.of());
    assertEquals(1, removed.size());
    assertTrue(text.contains(removed.get(0).toString()), removed.toString());
    assertFalse(layout.hasBlob(removed.get(0)));
    assertEquals(List.of(), layout.gc(List.of()), "a second collection finds nothing");
  }

  @Test
  void layout_gcWithUnknownMediaType_failsAndDeletesNothing() throws Exception {
    assertTrue(asserts("test_gc_image_unknown_mediatype").contains("unknown media type"));
    Path copy = copyOf("test_gc_image_unknown_mediatype");
    OciException e = assertThrows(OciException.class, () -> OciLayout.open(copy).gc(List.of()));
    assertTrue(e.getMessage().contains("unknown media type application/vnd.oci.descriptor.v1+json"), e.getMessage());
  }

  @TestFactory
  Stream<DynamicTest> layouts_everyBlobFileName_isTheSha256OfItsContent() throws IOException {
    try (Stream<Path> dirs = Files.list(ggcr.resolve("oci-layout"))) {
      return dirs.sorted().toList().stream()
          .map(
              dir ->
                  DynamicTest.dynamicTest(
                      dir.getFileName().toString(),
                      () -> {
                        OciLayout layout = OciLayout.open(dir);
                        for (Map.Entry<Digest, Path> blob : layout.listBlobs().entrySet()) {
                          Descriptor d = new Descriptor("application/octet-stream", blob.getKey(), Files.size(blob.getValue()));
                          try (InputStream in = layout.blobs().open(d, "blob")) {
                            in.transferTo(java.io.OutputStream.nullOutputStream());
                          }
                        }
                      }));
    }
  }

  @Test
  void layout_blobWithWrongContent_failsWithDigestMismatch() throws Exception {
    Path copy = copyOf("test_index_one_image");
    OciLayout layout = OciLayout.open(copy);
    Image image = assertInstanceOf(Image.class, layout.resolve(Optional.empty(), Optional.empty()));
    Descriptor layer = image.manifest().layers().get(0);
    byte[] bytes = Files.readAllBytes(layout.blobPath(layer.digest()));
    bytes[bytes.length / 2] ^= 1;
    Files.write(layout.blobPath(layer.digest()), bytes);
    OciException e =
        assertThrows(
            OciException.class,
            () -> {
              try (InputStream in = image.layers().get(0).openCompressed()) {
                in.readAllBytes();
              } catch (IOException io) {
                throw OciException.reading("layer", io);
              }
            });
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
  }

  // ---------------------------------------------------------------- round trips

  /** Every image the corpus has that loads, with where it came from. */
  private static List<Map.Entry<String, Image>> loadableImages() throws Exception {
    List<Map.Entry<String, Image>> result = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : fields(expected.get("inventory"))) {
      if (!e.getValue().has("images")) {
        continue;
      }
      DockerArchive archive = DockerArchive.open(ggcr.resolve(e.getKey()));
      for (int i = 0; i < archive.entries().size(); i++) {
        result.add(Map.entry(e.getKey() + "#" + i, archive.image(i)));
      }
    }
    for (String layout : List.of("test_index", "test_index_one_image")) {
      OciLayout l = OciLayout.open(ggcr.resolve("oci-layout").resolve(layout));
      for (Descriptor d : l.index().manifests()) {
        if (MediaTypes.isImageManifest(d.mediaType())) {
          result.add(Map.entry(layout + "@" + d.digest().shortHex(), (Image) l.artifact(d)));
        }
      }
    }
    return result;
  }

  @TestFactory
  Stream<DynamicTest> roundTrips_throughStoreArchiveAndLayout_keepManifestAndConfigDigests() throws Exception {
    return loadableImages().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> {
                      Image original = e.getValue();
                      Digest manifest = original.digest();
                      Digest config = original.manifest().config().digest();
                      Path work = Files.createTempDirectory(tmp, "rt");
                      ImageName name = ImageName.parse("roundtrip/image:1");
                      try (LocalStore store = LocalStore.open(work.resolve("store"))) {
                        store.write(original, List.of(name));
                        Image imported = (Image) store.read(io.jscan.core.transport.ImageReference.StoreReference.byName(name));
                        assertEquals(manifest, imported.digest());
                        // export as docker-archive, re-import
                        Path tar = work.resolve("out.tar");
                        DockerArchiveWriter.write(tar, List.of(new DockerArchiveWriter.Item(imported, List.of(name))), io.jscan.core.oci.Platform.LINUX_AMD64);
                        Image fromTar = DockerArchive.open(tar).image(Optional.of(name));
                        assertEquals(manifest, fromTar.digest(), "manifest digest after docker-archive");
                        assertEquals(config, fromTar.manifest().config().digest());
                        validate(fromTar);
                        // export as OCI layout, re-import
                        OciLayout out = OciLayout.create(work.resolve("layout"));
                        out.write(imported, Optional.of("1"));
                        Image fromLayout = (Image) OciLayout.open(work.resolve("layout")).resolve(Optional.of("1"), Optional.empty());
                        assertEquals(manifest, fromLayout.digest(), "manifest digest after OCI layout");
                        assertEquals(config, fromLayout.manifest().config().digest());
                        assertArrayEquals(original.manifestBytes(), fromLayout.manifestBytes());
                        validate(fromLayout);
                        // and back into a fresh store from both
                        try (LocalStore again = LocalStore.open(work.resolve("store2"))) {
                          again.write(fromTar, List.of(name));
                          again.write(fromLayout, List.of(ImageName.parse("roundtrip/image:2")));
                          assertEquals(1, again.list().stream().map(s -> s.descriptor().digest()).distinct().count());
                        }
                      } finally {
                        AtomicFiles.deleteTree(work);
                      }
                    }));
  }
}
