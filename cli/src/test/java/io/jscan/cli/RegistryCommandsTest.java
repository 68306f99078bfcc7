package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pull, push, login and logout through {@link Jscan#run}, against real registries. */
class RegistryCommandsTest {
  static final String USER = "ci-user";
  static final String PASSWORD = "Very-Secret-Pa55";

  @TempDir static Path shared;
  static TestRegistry open;
  static TestRegistry locked;

  @TempDir Path tmp;
  Map<String, String> env;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void startRegistries() throws Exception {
    open = TestRegistry.start(shared.resolve("open"));
    locked = TestRegistry.startWithBasicAuth(shared.resolve("locked"), USER, PASSWORD);
  }

  @AfterAll
  static void stopRegistries() {
    if (open != null) {
      open.close();
    }
    if (locked != null) {
      locked.close();
    }
  }

  @BeforeEach
  void isolate() {
    useStore("home");
    env = new HashMap<>(System.getenv());
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
  }

  void useStore(String name) {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve(name).toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  Result jscan(String... args) {
    return jscanWithInput("", args);
  }

  Result jscanWithInput(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    return new Result(code, out.toString(), err.toString());
  }

  static void storeImage(Image image, String name) throws Exception {
    try (LocalStore store = LocalStore.openDefault()) {
      store.write(image, List.of(ImageName.parse(name)));
    }
  }

  static String skopeoDigest(String ref, String... extra) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(ExternalTool.require("skopeo").toString(), "inspect", "--tls-verify=false", "--raw"));
    cmd.addAll(List.of(extra));
    cmd.add("docker://" + ref);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] raw = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), new String(raw, StandardCharsets.UTF_8));
    return Digest.sha256(raw).toString();
  }

  @Test
  void tagThenPush_thenPullIntoAnotherStore_keepsTheDigest() throws Exception {
    Image image = TestImages.withLayers("cli", "push");
    storeImage(image, "app:1");
    String remote = open.host() + "/team/app:1";
    assertEquals(0, jscan("tag", "app:1", remote).code());

    Result push = jscan("push", "--progress", "plain", remote);
    assertEquals(0, push.code(), push.err());
    assertEquals("1: digest: " + image.digest() + " size: " + image.descriptor().size(), push.out().strip());
    assertTrue(push.err().contains(": Pushed"), push.err());
    assertEquals(image.digest().toString(), skopeoDigest(remote));

    useStore("other");
    Result pull = jscan("pull", "--progress", "plain", remote);
    assertEquals(0, pull.code(), pull.err());
    assertEquals(remote, pull.out().strip());
    assertTrue(pull.err().contains(": Download complete"), pull.err());
    assertTrue(pull.err().contains("Digest: " + image.digest()), pull.err());
    Result images = jscan("images");
    assertTrue(images.out().contains(open.host() + "/team/app"), images.out());

    Result again = jscan("pull", "-q", "docker://" + remote);
    assertEquals(0, again.code(), again.err());
    assertEquals("", again.err());
    assertEquals(remote, again.out().strip());
  }

  private Path integrityPolicy() throws Exception {
    Path p = tmp.resolve("integrity.yaml");
    Files.writeString(p, "apiVersion: jscan.io/v1\nkind: Policy\nname: t\nrules:\n  - id: integrity\n");
    return p;
  }

  @Test
  void skopeoCopyIntoTheRegistry_isAcceptedByVerifyAndPull_andVerifyStoresNothing() throws Exception {
    Image image = TestImages.withLayers("copied", "by", "skopeo");
    Path layout = tmp.resolve("src");
    io.jscan.core.transport.ocilayout.OciLayout.create(layout).write(image, java.util.Optional.of("s"));
    Process p = new ProcessBuilder(ExternalTool.require("skopeo").toString(), "copy", "--dest-tls-verify=false", "--format", "v2s2",
        "oci:" + layout + ":s", "docker://" + open.host() + "/skopeo/app:1").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);

    Result verify = jscan("verify", "docker://" + open.host() + "/skopeo/app:1", "--policy", integrityPolicy().toString());
    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertTrue(verify.out().strip().lines().reduce((a, b) -> b).orElseThrow().startsWith("PASSED"), verify.out());
    // a bare name not in the store is verified from its registry too
    Result bare = jscan("verify", open.host() + "/skopeo/app:1", "--policy", integrityPolicy().toString());
    assertEquals(0, bare.code(), bare.out() + bare.err());
    try (LocalStore store = LocalStore.openDefault()) {
      assertTrue(store.list().isEmpty());
      assertTrue(store.layout().listBlobs().isEmpty(), "verify read the layers without storing them");
    }
    Result pull = jscan("pull", "-q", open.host() + "/skopeo/app:1");
    assertEquals(0, pull.code(), pull.err());
  }

  @Test
  void verify_flippedByteFromTheRegistry_exitsWithTheIntegrityCode() throws Exception {
    Image image = TestImages.withRandomLayers(21, 30_000);
    storeImage(image, open.host() + "/verify/flip:1");
    assertEquals(0, jscan("push", "-q", open.host() + "/verify/flip:1").code());
    try (FaultProxy proxy = FaultProxy.inFrontOf(open)) {
      proxy.add(new FaultProxy.Rule("GET", "/blobs/" + image.manifest().layers().get(0).digest(), 1, new FaultProxy.FlipResponseByte(100)));
      Result r = jscan("verify", "docker://" + proxy.host() + "/verify/flip:1", "--policy", integrityPolicy().toString());
      assertEquals(4, r.code(), r.out() + r.err());
    }
  }

  @Test
  void push_withAnExplicitDestination_andFromAnOciLayout() throws Exception {
    Image image = TestImages.withLayers("layout");
    io.jscan.core.transport.ocilayout.OciLayout.create(tmp.resolve("layout")).write(image, java.util.Optional.of("v1"));
    Result push = jscan("push", "-q", "oci:" + tmp.resolve("layout") + ":v1", "docker://" + open.host() + "/layout/app:v1");
    assertEquals(0, push.code(), push.err());
    assertEquals("", push.err());
    assertEquals(image.digest().toString(), skopeoDigest(open.host() + "/layout/app:v1"));
  }

  @Test
  void pushOfAnImageNotInTheStore_isBadInput() {
    Result r = jscan("push", open.host() + "/nothing:1");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("jscan: image " + open.host() + "/nothing:1: not in the local store"), r.err());
  }

  @Test
  void malformedReference_isOneLineBadInput() {
    Result r = jscan("pull", "Registry.Example.com/Team/App:1");
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("repository name must be lowercase"), r.err());
    Result insecure = jscan("pull", "--insecure-registry", "http://x/", "a/b:1");
    assertEquals(2, insecure.code(), insecure.err());
  }

  /**
   * The image's manifest and blob requests among {@code requests}, in order: without the lookups of
   * its attachments ({@code sha256-<hex>.sig/.att/.sbom} tags and the referrers tag), which a pull
   * makes to carry signatures (SignaturesTravelTest), each asked once too.
   */
  static List<String> contentRequests(List<String> requests) {
    List<String> attachments = requests.stream().filter(r -> r.contains("/manifests/sha256-")).toList();
    assertEquals(attachments.stream().distinct().count(), attachments.size(), "each attachment is looked up once: " + attachments);
    return requests.stream().filter(r -> (r.contains("/manifests/") || r.contains("/blobs/")) && !r.contains("/manifests/sha256-")).toList();
  }

  /** The config used to be fetched twice: once to check the platform, once to store it. */
  @Test
  void pull_fetchesEachManifestAndBlobOnce() throws Exception {
    Image image = TestImages.withRandomLayers(31, 20_000, 30_000);
    try (FaultProxy proxy = FaultProxy.inFrontOf(open)) {
      String name = proxy.host() + "/counted/app:1";
      storeImage(image, name);
      assertEquals(0, jscan("push", "-q", name).code());
      useStore("other");
      int before = proxy.requests().size();
      Result pull = jscan("pull", "-q", name);
      assertEquals(0, pull.code(), pull.err());
      List<String> asked = contentRequests(proxy.requests().subList(before, proxy.requests().size()));
      List<String> expected = new java.util.ArrayList<>(List.of("GET /v2/counted/app/manifests/1"));
      expected.add("GET /v2/counted/app/blobs/" + image.manifest().config().digest());
      for (io.jscan.core.oci.Descriptor layer : image.manifest().layers()) {
        expected.add("GET /v2/counted/app/blobs/" + layer.digest());
      }
      assertEquals(expected.stream().sorted().toList(), asked.stream().sorted().toList(), asked.toString());
    }
  }

  /** A pull of one platform of an index: the index, that platform's manifest and its blobs, each once. */
  @Test
  void pull_ofOnePlatform_fetchesEachManifestAndBlobOnce() throws Exception {
    Image amd = TestImages.withLayers(io.jscan.core.oci.Platform.LINUX_AMD64, "amd counted");
    Image arm = TestImages.withLayers(new io.jscan.core.oci.Platform("linux", "arm64"), "arm counted");
    io.jscan.core.image.ImageIndex index = TestImages.multiPlatformIndex(tmp.resolve("index"), "i", amd, arm);
    try (FaultProxy proxy = FaultProxy.inFrontOf(open)) {
      String name = proxy.host() + "/counted/multi:1";
      new io.jscan.core.transport.registry.RegistryClient(io.jscan.core.transport.registry.RegistryOptions.defaults())
          .push(index, ImageName.parse(name));
      int before = proxy.requests().size();
      Result pull = jscan("pull", "-q", "--platform", "linux/arm64", name);
      assertEquals(0, pull.code(), pull.err());
      List<String> asked = contentRequests(proxy.requests().subList(before, proxy.requests().size()));
      List<String> expected = new java.util.ArrayList<>(List.of(
          "GET /v2/counted/multi/manifests/1",
          "GET /v2/counted/multi/manifests/" + arm.digest(),
          "GET /v2/counted/multi/blobs/" + arm.manifest().config().digest(),
          "GET /v2/counted/multi/blobs/" + arm.manifest().layers().get(0).digest()));
      assertEquals(expected.stream().sorted().toList(), asked.stream().sorted().toList(), asked.toString());
      assertEquals(index.digest().toString(), skopeoDigest(open.host() + "/counted/multi:1"));
    }
  }

  @Test
  void pull_flippedByte_exitsWithTheIntegrityCodeNamingTheLayer() throws Exception {
    Image image = TestImages.withRandomLayers(9, 40_000);
    storeImage(image, open.host() + "/flip/app:1");
    assertEquals(0, jscan("push", "-q", open.host() + "/flip/app:1").code());
    useStore("other");
    try (FaultProxy proxy = FaultProxy.inFrontOf(open)) {
      proxy.add(new FaultProxy.Rule("GET", "/blobs/" + image.manifest().layers().get(0).digest(), 1, new FaultProxy.FlipResponseByte(10)));
      Result r = jscan("pull", "-q", proxy.host() + "/flip/app:1");
      assertEquals(4, r.code(), r.err());
      assertTrue(r.err().startsWith("jscan: layer 1 " + image.manifest().layers().get(0).digest() + ": digest mismatch"), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
    assertEquals(List.of("REPOSITORY"), jscan("images").out().lines().map(l -> l.split(" +")[0]).toList());
  }

  @Test
  void login_withPasswordStdin_storesDockerConfig_thenPushWorks_thenLogoutRemovesIt() throws Exception {
    storeImage(TestImages.withLayers("secret"), locked.host() + "/private/app:1");
    Result anonymous = jscan("push", "-q", locked.host() + "/private/app:1");
    assertEquals(2, anonymous.code(), anonymous.err());
    assertTrue(anonymous.err().contains("log in with 'jscan login " + locked.host() + "'"), anonymous.err());

    Result wrong = jscanWithInput("not-" + PASSWORD + "\n", "login", "-u", USER, "--password-stdin", locked.host());
    assertEquals(2, wrong.code(), wrong.err());
    assertFalse(wrong.err().contains(PASSWORD), wrong.err());
    assertFalse(Files.exists(tmp.resolve("docker/config.json")));

    Result login = jscanWithInput(PASSWORD + "\n", "login", "-u", USER, "--password-stdin", locked.host());
    assertEquals(0, login.code(), login.err());
    assertEquals("Login Succeeded", login.out().strip());
    assertFalse(login.err().contains(PASSWORD));
    assertTrue(Files.readString(tmp.resolve("docker/config.json")).contains(locked.host()));

    Result push = jscan("push", "-q", locked.host() + "/private/app:1");
    assertEquals(0, push.code(), push.err());
    skopeoDigest(locked.host() + "/private/app:1", "--authfile", tmp.resolve("docker/config.json").toString());

    Result logout = jscan("logout", locked.host());
    assertEquals(0, logout.code());
    assertEquals("Removing login credentials for " + locked.host(), logout.out().strip());
    useStore("other");
    assertEquals(2, jscan("pull", "-q", locked.host() + "/private/app:1").code());
  }
}
