package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.testing.DefectiveImages;
import io.jscan.core.testing.DefectiveImages.Defect;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that copy images (load, tag from another transport, pull, push) check each layer's
 * compression and diff_id as they copy it, so they never store or send what verify rejects (issue
 * 16): each defect (a wrong diff_id, a truncated gzip whose digest matches, zstd labelled gzip, and
 * the same for uncompressed layers) is refused with exit 4 naming the layer and what failed, and
 * nothing is named, in the store or in a real registry. A good image still reads each blob once.
 */
class CopyCommandsCheckLayersTest {
  @TempDir static Path shared;
  static TestRegistry registry;

  @TempDir Path tmp;
  Map<String, String> env;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = TestRegistry.start(shared.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void isolate() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>(System.getenv());
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Exit 4, one line naming the bad layer and what failed, no stack trace. */
  static void assertRefused(Result r, Defect defect, String command) {
    assertEquals(4, r.code(), command + ": " + r.out() + r.err());
    List<String> lines = r.err().strip().lines().filter(l -> l.startsWith("jscan: ")).toList();
    String line = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    assertTrue(line.startsWith("jscan: layer 2 " + defect.badLayer().digest()), command + ": " + r.err());
    assertTrue(line.contains(defect.failure()), command + ": " + line + " should say " + defect.failure());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  /** The store names nothing, and holds neither the bad layer nor the image's manifest. */
  static void assertNothingStored(Defect defect) throws Exception {
    try (LocalStore store = LocalStore.openDefault()) {
      assertEquals(List.of(), store.list().stream().filter(e -> e.name().isPresent()).toList());
      assertFalse(store.layout().hasBlob(defect.badLayer().digest()));
      assertFalse(store.layout().hasBlob(defect.image().digest()));
    }
  }

  static int status(String method, String path) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://" + registry.host() + path).toURL().openConnection();
    c.setRequestMethod(method);
    c.setRequestProperty("Accept", "application/vnd.oci.image.manifest.v1+json");
    int code = c.getResponseCode();
    c.disconnect();
    return code;
  }

  /** The registry has neither the tag nor the bad layer in {@code repository}. */
  static void assertNothingPushed(Defect defect, String repository, String tag) throws Exception {
    assertEquals(404, status("HEAD", "/v2/" + repository + "/manifests/" + tag), "the tag was not pushed");
    assertEquals(404, status("HEAD", "/v2/" + repository + "/manifests/" + defect.image().digest()), "nor the manifest");
    assertEquals(404, status("HEAD", "/v2/" + repository + "/blobs/" + defect.badLayer().digest()), "nor the bad layer");
  }

  Path layout(Defect defect, String name) throws Exception {
    Path dir = tmp.resolve("layout-" + name);
    DefectiveImages.writeLayout(defect.image(), dir, "s");
    return dir;
  }

  @Test
  void load_ofEachDefect_exits4NamingTheLayer_andNamesNothing() throws Exception {
    for (Defect defect : DefectiveImages.all("load")) {
      Path archive = tmp.resolve("bad-" + defect.badLayer().digest().shortHex() + ".tar");
      DefectiveImages.writeDockerArchive(defect.image(), archive, "docker.io/library/bad:1");
      assertRefused(jscan("load", "-i", archive.toString()), defect, "load");
      assertNothingStored(defect);
      assertEquals(4, jscan("verify", "docker-archive:" + archive, "--policy", integrityPolicy()).code(), "verify agrees");
    }
  }

  @Test
  void tag_fromAnOciLayout_ofEachDefect_exits4NamingTheLayer_andNamesNothing() throws Exception {
    for (Defect defect : DefectiveImages.all("tag")) {
      Path dir = layout(defect, "tag-" + defect.badLayer().digest().shortHex());
      assertRefused(jscan("tag", "oci:" + dir + ":s", "bad:1"), defect, "tag");
      assertNothingStored(defect);
      assertEquals(4, jscan("verify", "oci:" + dir + ":s", "--policy", integrityPolicy()).code(), "verify agrees");
    }
  }

  @Test
  void pull_ofEachDefect_exits4NamingTheLayer_andStoresNeitherTheLayerNorAName() throws Exception {
    int i = 0;
    for (Defect defect : DefectiveImages.all("pull")) {
      String ref = registry.host() + "/checks/pull" + (i++) + ":1";
      // skopeo copies the defect in as it is: it checks digests, not diff_ids (and, told to keep the
      // digests, does not compress the uncompressed layers)
      ImageCopyCommandsTest.skopeo(layout(defect, "pull-" + i), ref, "--preserve-digests");
      assertRefused(jscan("pull", "-q", ref), defect, "pull");
      assertNothingStored(defect);
      assertEquals(4, jscan("verify", "docker://" + ref, "--policy", integrityPolicy()).code(), "verify agrees");
    }
  }

  @Test
  void push_ofEachDefect_fromAnOciLayout_exits4_andTheRegistryHasNeitherTheTagNorTheLayer() throws Exception {
    int i = 0;
    for (Defect defect : DefectiveImages.all("push")) {
      String repository = "checks/push" + (i++);
      Path dir = layout(defect, "push-" + i);
      assertRefused(jscan("push", "-q", "oci:" + dir + ":s", registry.host() + "/" + repository + ":1"), defect, "push");
      assertNothingPushed(defect, repository, "1");
    }
  }

  @Test
  void push_ofADefectInTheStore_writtenThereByAnotherTool_exits4_andPushesNothing() throws Exception {
    Defect defect = DefectiveImages.wrongDiffId("in-store");
    String name = registry.host() + "/checks/from-store:1";
    try (LocalStore store = LocalStore.openDefault()) {
      DefectiveImages.writeLayout(defect.image(), store.home(), name);
    }
    assertRefused(jscan("push", "-q", name), defect, "push");
    assertNothingPushed(defect, "checks/from-store", "1");
  }

  @Test
  void save_ofADefectInTheStore_exits4_andWritesNoArchive() throws Exception {
    Defect defect = DefectiveImages.zstdLabelledGzip("save");
    String name = "docker.io/library/bad-save:1";
    try (LocalStore store = LocalStore.openDefault()) {
      DefectiveImages.writeLayout(defect.image(), store.home(), name);
    }
    Path archive = tmp.resolve("saved.tar");
    assertRefused(jscan("save", name, "-o", archive.toString()), defect, "save");
    assertFalse(Files.exists(archive));
    try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".saved.tar")).toList(), "no temp file left");
    }
  }

  @Test
  void push_ofADefectWhoseLayerTheRegistryHasAlready_readsTheSourceToCheckIt_andExits4() throws Exception {
    Defect defect = DefectiveImages.truncatedGzip("registry-has-it");
    Path dir = layout(defect, "has-it");
    // the same bytes reach the registry under another tag first (skopeo does not look inside layers)
    ImageCopyCommandsTest.skopeo(dir, registry.host() + "/checks/has-it:other", "--preserve-digests");
    Result r = jscan("push", "-q", "oci:" + dir + ":s", registry.host() + "/checks/has-it:1");
    assertRefused(r, defect, "push");
    assertEquals(404, status("HEAD", "/v2/checks/has-it/manifests/1"));
  }

  @Test
  void goodImage_pullThenPush_fetchesAndSendsEachBlobOnce_andRepeatingThemMovesNoLayer() throws Exception {
    Image image = TestImages.withLayers("good", "image", "copies");
    Path dir = tmp.resolve("good");
    DefectiveImages.writeLayout(image, dir, "s");
    ImageCopyCommandsTest.skopeo(dir, registry.host() + "/checks/good:1", "--preserve-digests");
    List<Descriptor> layers = image.manifest().layers();
    try (FaultProxy proxy = FaultProxy.inFrontOf(registry)) {
      String from = proxy.host() + "/checks/good:1";
      assertEquals(0, jscan("pull", "-q", from).code());
      List<String> gets = blobRequests(proxy, 0, "GET");
      for (Descriptor d : layers) {
        assertEquals(1, gets.stream().filter(g -> g.endsWith("/blobs/" + d.digest())).count(), gets.toString());
      }
      assertEquals(layers.size() + 1, gets.size(), "each layer and the config, once: " + gets);
      try (LocalStore store = LocalStore.openDefault()) {
        for (int i = 0; i < layers.size(); i++) {
          assertEquals(Optional.of(new DiffIdRecords.Known(Compression.GZIP, image.config().rootfs().diffIds().get(i))),
              store.diffIdRecords().lookup(layers.get(i).digest()));
        }
      }

      int before = proxy.requests().size();
      assertEquals(0, jscan("pull", "-q", from).code());
      // (the config is fetched again to check the platform, as before: a small document)
      assertEquals(List.of("GET /v2/checks/good/blobs/" + image.manifest().config().digest()), blobRequests(proxy, before, "GET"),
          "a second pull reads no layer");

      before = proxy.requests().size();
      String to = proxy.host() + "/checks/good-copy:1";
      assertEquals(0, jscan("tag", ImageName.parse(from).toString(), to).code());
      assertEquals(0, jscan("push", "-q", to).code());
      List<String> puts = blobRequests(proxy, before, "PUT");
      assertEquals(layers.size() + 1, puts.size(), "each layer and the config sent once: " + puts);
      assertEquals(List.of(), blobRequests(proxy, before, "GET"), "the push reads nothing from the registry");

      before = proxy.requests().size();
      assertEquals(0, jscan("push", "-q", to).code());
      assertEquals(List.of(), blobRequests(proxy, before, "PUT"));
      assertEquals(List.of(), blobRequests(proxy, before, "GET"));
    }
    assertEquals(0, jscan("verify", "docker://" + registry.host() + "/checks/good-copy:1", "--policy", integrityPolicy()).code());
  }

  /** The blob requests ({@code GET /v2/…/blobs/sha256:…}, uploads' final {@code PUT}) after the {@code from}th request. */
  static List<String> blobRequests(FaultProxy proxy, int from, String method) {
    List<String> all = proxy.requests();
    return all.subList(from, all.size()).stream()
        .filter(r -> r.startsWith(method + " "))
        .filter(r -> method.equals("PUT") ? r.contains("/blobs/uploads/") && r.contains("digest=") : r.contains("/blobs/sha256:"))
        .toList();
  }

  String integrityPolicy() throws Exception {
    Path p = tmp.resolve("integrity.yaml");
    if (!Files.exists(p)) {
      Files.writeString(p, "apiVersion: jscan.io/v1\nkind: Policy\nname: t\nrules:\n  - id: integrity\n");
    }
    return p.toString();
  }
}
