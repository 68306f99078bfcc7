package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.Conformance;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** images, inspect, tag, rmi, save and load through {@link Jscan#run}, with a temp store. */
class ImageCommandsTest {
  @TempDir Path tmp;
  private Path home;

  /** What one run printed and returned. */
  record Result(int code, String out, String err) {}

  @BeforeEach
  void useTempStore() {
    home = tmp.resolve("home");
    System.setProperty(LocalStore.HOME_PROPERTY, home.toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  static Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  static Path corpus(String relative) {
    return Conformance.dir("images").resolve("ggcr").resolve(relative);
  }

  private static void assertOneLineError(Result r, int code, String fragment) {
    assertEquals(code, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
    assertTrue(r.err().startsWith("jscan: "), r.err());
    assertTrue(r.err().contains(fragment), r.err());
  }

  @Test
  void load_bundle_thenImages_listsBothWithTheirNames() throws Exception {
    Result load = jscan("load", "-i", corpus("docker-archive/test_bundle.tar").toString());
    assertEquals(0, load.code(), load.err());
    assertEquals(
        List.of("Loaded image: docker.io/library/test_image_2:latest", "Loaded image: docker.io/library/test_image_1:latest"),
        load.out().lines().toList());
    Result images = jscan("images");
    assertEquals(0, images.code(), images.err());
    List<String> lines = images.out().lines().toList();
    assertEquals(3, lines.size(), images.out());
    assertTrue(lines.get(0).matches("REPOSITORY +TAG +DIGEST +CREATED +SIZE +ATTACHED"), lines.get(0));
    assertTrue(lines.get(1).matches("test_image_1 +latest +sha256:[0-9a-f]{12} +1970-01-01T00:00:00Z +\\d+(\\.\\d+)?k?B +-"), lines.get(1));
    assertTrue(lines.get(2).startsWith("test_image_2 "), lines.get(2));
  }

  @Test
  void images_json_isOneDocumentWithFullNames() throws Exception {
    Image image = TestImages.withLayers("a");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("myapp:1.0")));
    }
    Result r = jscan("images", "--output", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode doc = new ObjectMapper().readTree(r.out());
    JsonNode entry = doc.get("images").get(0);
    assertEquals("docker.io/library/myapp:1.0", entry.get("name").asText());
    assertEquals("docker.io/library/myapp", entry.get("repository").asText());
    assertEquals("1.0", entry.get("tag").asText());
    assertEquals(image.digest().toString(), entry.get("digest").asText());
    assertEquals("2024-01-02T03:04:05Z", entry.get("created").asText());
    long expectedSize = image.descriptor().size() + image.manifest().config().size() + image.manifest().layers().get(0).size();
    assertEquals(expectedSize, entry.get("size").asLong());
  }

  @Test
  void inspect_storeName_text_showsManifestConfigLayersAndHistory() throws Exception {
    Image image = TestImages.withLayers("a", "b");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("myapp:1.0")));
    }
    Result r = jscan("inspect", "myapp:1.0");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Digest:     " + image.digest()), r.out());
    assertTrue(r.out().contains("Platform:   linux/amd64"), r.out());
    assertTrue(r.out().contains("Layers:     2"), r.out());
    assertTrue(r.out().contains("diff_id " + image.layers().get(1).diffId()), r.out());
    assertTrue(r.out().contains("COPY file1.txt /"), r.out());
  }

  @Test
  void inspect_json_fromDockerArchiveAndOciLayout() throws Exception {
    Result archive = jscan("inspect", "--output", "json", "docker-archive:" + corpus("docker-archive/test_bundle.tar") + ":test_image_1");
    assertEquals(0, archive.code(), archive.err());
    JsonNode doc = new ObjectMapper().readTree(archive.out());
    assertEquals("sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e", doc.get("manifest").get("config").get("digest").asText());
    assertEquals("linux", doc.get("config").get("os").asText());
    assertEquals(1, doc.get("layers").size());
    assertEquals(1, doc.get("history").size());
    Result layout = jscan("inspect", "--output", "json", "oci:" + corpus("oci-layout/test_index") + ":3");
    assertEquals(0, layout.code(), layout.err());
    JsonNode index = new ObjectMapper().readTree(layout.out());
    assertEquals("application/vnd.oci.image.index.v1+json", index.get("mediaType").asText());
    assertEquals(1, index.get("index").get("manifests").size());
  }

  @Test
  void tag_thenRmi_untagsAndCollects() throws Exception {
    Image image = TestImages.withLayers("a");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("myapp:1.0")));
    }
    assertEquals(0, jscan("tag", "myapp:1.0", "registry.example.com/team/myapp:prod").code());
    Result untag = jscan("rmi", "myapp:1.0");
    assertEquals(0, untag.code(), untag.err());
    assertEquals("Untagged: docker.io/library/myapp:1.0\n", untag.out(), "still named, so nothing deleted");
    Result remove = jscan("rmi", "registry.example.com/team/myapp:prod");
    assertEquals(0, remove.code(), remove.err());
    assertEquals(4, remove.out().lines().count(), remove.out());
    assertTrue(remove.out().contains("Deleted: " + image.digest()), remove.out());
    try (LocalStore store = LocalStore.open(home)) {
      assertTrue(store.list().isEmpty());
      assertTrue(store.layout().listBlobs().isEmpty());
    }
  }

  @Test
  void tag_fromAnOciLayout_copiesIntoTheStore() throws Exception {
    Result r = jscan("tag", "oci:" + corpus("oci-layout/test_index_one_image"), "imported:1");
    assertEquals(0, r.code(), r.err());
    try (LocalStore store = LocalStore.open(home)) {
      assertEquals("docker.io/library/imported:1", store.list().get(0).name().orElseThrow().toString());
    }
  }

  @Test
  void save_thenLoadIntoAnotherStore_keepsTheDigest() throws Exception {
    Image image = TestImages.withLayers("a", "b");
    try (LocalStore store = LocalStore.open(home)) {
      store.write(image, List.of(ImageName.parse("myapp:1.0")));
    }
    Path tar = tmp.resolve("myapp.tar");
    Result save = jscan("save", "myapp:1.0", "-o", tar.toString());
    assertEquals(0, save.code(), save.err());
    assertEquals("", save.out());
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("other").toString());
    Result load = jscan("load", "-i", tar.toString());
    assertEquals(0, load.code(), load.err());
    assertEquals("Loaded image: docker.io/library/myapp:1.0\n", load.out());
    try (LocalStore other = LocalStore.open(tmp.resolve("other"))) {
      assertEquals(image.digest(), other.list().get(0).descriptor().digest());
    }
  }

  /** docker save's -o names a file: a transport there used to make a docker-archive called "oci:out:1". */
  @Test
  void save_toATransportInsteadOfAFile_isRefused_andWritesNothing() throws Exception {
    try (LocalStore store = LocalStore.open(home)) {
      store.write(TestImages.withLayers("a"), List.of(ImageName.parse("myapp:1.0")));
    }
    Path out = tmp.resolve("out");
    Result r = jscan("save", "myapp:1.0", "-o", "oci:" + out + ":1");
    assertOneLineError(r, 2, "--output oci:" + out + ":1: jscan save writes a docker-archive to the FILE given (no transport prefix);"
        + " 'jscan build -o oci:DIR' writes an OCI layout");
    assertFalse(Files.exists(Path.of("oci:" + out + ":1")));
    assertFalse(Files.exists(out));
  }

  @Test
  void load_missingFile_isOneLineBadInput() {
    assertOneLineError(jscan("load", "-i", tmp.resolve("missing.tar").toString()), 2, "missing.tar: no such file");
  }

  @Test
  void load_nullManifest_isOneLineBadInput() {
    assertOneLineError(jscan("load", "-i", corpus("docker-archive/null_manifest.tar").toString()), 2, "manifest.json: expected a list of images, got null");
  }

  @Test
  void inspect_malformedReference_isOneLineBadInput() {
    assertOneLineError(jscan("inspect", "Not/A:Valid:Name"), 2, "image reference \"Not/A:Valid:Name\"");
  }

  @Test
  void inspect_unknownName_isOneLineBadInput() throws Exception {
    // not in the store, and the registry (which answers) does not know it either: the user's input.
    // A registry that cannot be reached is exit 1 instead (RegistryDeadlinesCliTest); Docker Hub
    // would make this test depend on the machine's network, so the registry is a local one.
    try (io.jscan.core.testing.TestRegistry registry = io.jscan.core.testing.TestRegistry.start(tmp.resolve("registry"))) {
      String name = registry.host() + "/ghost:1";
      assertOneLineError(jscan("inspect", name), 2, "image " + name + ": not in the local store");
    }
  }

  @Test
  void rmi_unknownName_isOneLineBadInput() {
    assertOneLineError(jscan("rmi", "ghost:1"), 2, "not in the local store");
  }

  @Test
  void tag_targetWithDigest_isOneLineBadInput() {
    assertOneLineError(jscan("tag", "a:1", "b@sha256:" + "c".repeat(64)), 2, "a tag name cannot hold a digest");
  }

  @Test
  void inspect_tamperedConfig_isAnIntegrityFailure_exit4() throws Exception {
    Image image = TestImages.withLayers("a");
    OciLayout layout = OciLayout.create(tmp.resolve("layout"));
    layout.write(image, Optional.of("v1"));
    Digest config = image.manifest().config().digest();
    Path blob = layout.blobPath(config);
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length - 2] = (byte) (bytes[bytes.length - 2] == ']' ? '}' : ']');
    Files.write(blob, bytes);
    Result r = jscan("inspect", "oci:" + tmp.resolve("layout") + ":v1");
    assertOneLineError(r, 4, "digest mismatch");
    assertFalse(r.err().contains("Exception"));
  }
}
