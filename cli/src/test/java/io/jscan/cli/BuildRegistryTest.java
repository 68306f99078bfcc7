package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.ImageLock;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jscan build FROM a registry image: jscan.lock pins, --locked, --pull, --push. */
class BuildRegistryTest {
  @TempDir Path tmp;
  TestRegistry registry;
  Map<String, String> env;
  Path ctx;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    registry = TestRegistry.start(tmp.resolve("registry"));
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>(System.getenv());
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
    ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + registry.host() + "/base/img:1\nCOPY hello.txt /\n");
    Files.writeString(ctx.resolve(".dockerignore"), "jscan.lock\n");
  }

  @AfterEach
  void stop() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
    registry.close();
  }

  Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString().strip(), err.toString());
  }

  void pushBase(Image image) throws Exception {
    new RegistryClient(RegistryOptions.defaults()).push(image, ImageName.parse(registry.host() + "/base/img:1"));
  }

  static String skopeoDigest(String ref) throws Exception {
    Process p = new ProcessBuilder(ExternalTool.require("skopeo").toString(), "inspect", "--tls-verify=false", "--raw", "docker://" + ref)
        .redirectErrorStream(true).start();
    byte[] raw = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), new String(raw, StandardCharsets.UTF_8));
    return Digest.sha256(raw).toString();
  }

  @Test
  void buildFromARegistryBase_pinsItInTheLock_andPushesTheResult() throws Exception {
    Image v1 = TestImages.withLayers("base v1");
    pushBase(v1);
    String target = registry.host() + "/built/app:1";
    Result build = jscan("build", "-t", target, "--push", ctx.toString());
    assertEquals(0, build.code(), build.err());
    String lock = Files.readString(ctx.resolve(ImageLock.FILE_NAME));
    assertTrue(lock.contains("\"" + registry.host() + "/base/img:1\""), lock);
    assertTrue(lock.contains(v1.digest().toString()), lock);
    assertEquals(build.out(), skopeoDigest(target), "what was built is what was pushed");
    assertTrue(build.err().contains("pushed " + target + "@" + build.out()), build.err());

    // the tag moves: locked builds keep using the pinned base and give the same image
    pushBase(TestImages.withLayers("base v2"));
    Result locked = jscan("build", "-q", "--locked", ctx.toString());
    assertEquals(0, locked.code(), locked.err());
    assertEquals(build.out(), locked.out());

    Result drift = jscan("build", "-q", "--locked", "--pull=always", ctx.toString());
    assertEquals(2, drift.code(), drift.err());
    assertTrue(drift.err().contains("the registry now has"), drift.err());
    assertEquals(1, drift.err().strip().lines().count(), drift.err());

    Result repinned = jscan("build", "-q", "--pull=always", ctx.toString());
    assertEquals(0, repinned.code(), repinned.err());
    assertNotEquals(build.out(), repinned.out());
    assertFalse(Files.readString(ctx.resolve(ImageLock.FILE_NAME)).contains(v1.digest().toString()));
  }

  /**
   * The base's manifest used to be fetched twice (by tag to pin it, then by digest to pull it), and
   * its config twice (to check the platform, then to store it).
   */
  @Test
  void buildFromARegistryBase_fetchesEachManifestAndBlobOnce() throws Exception {
    Image base = TestImages.withLayers("base counted", "second layer");
    try (io.jscan.core.testing.FaultProxy proxy = io.jscan.core.testing.FaultProxy.inFrontOf(registry)) {
      String name = proxy.host() + "/base/img:1";
      new RegistryClient(RegistryOptions.defaults()).push(base, ImageName.parse(name));
      Files.writeString(ctx.resolve("Dockerfile"), "FROM " + name + "\nCOPY hello.txt /\n");
      java.util.List<String> expected = new java.util.ArrayList<>(java.util.List.of("GET /v2/base/img/manifests/1"));
      expected.add("GET /v2/base/img/blobs/" + base.manifest().config().digest());
      base.manifest().layers().forEach(l -> expected.add("GET /v2/base/img/blobs/" + l.digest()));
      for (String pull : java.util.List.of("missing", "always")) {
        System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home-" + pull).toString());
        Files.deleteIfExists(ctx.resolve(ImageLock.FILE_NAME));
        int before = proxy.requests().size();
        Result build = jscan("build", "-q", "--pull=" + pull, ctx.toString());
        assertEquals(0, build.code(), build.err());
        java.util.List<String> asked = proxy.requests().subList(before, proxy.requests().size()).stream()
            .filter(r -> r.contains("/manifests/") || r.contains("/blobs/")).sorted().toList();
        assertEquals(expected.stream().sorted().toList(), asked, "--pull=" + pull + ": " + asked);
      }
    }
  }

  @Test
  void pinnedBaseMissingLocally_isPulledByDigest_andNeverRefusesToFetch() throws Exception {
    pushBase(TestImages.withLayers("base"));
    Result first = jscan("build", "-q", ctx.toString());
    assertEquals(0, first.code(), first.err());
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("fresh-home").toString());
    Result never = jscan("build", "-q", "--pull=never", ctx.toString());
    assertEquals(2, never.code(), never.err());
    assertTrue(never.err().contains("--pull=never"), never.err());
    Result again = jscan("build", "-q", "--locked", ctx.toString());
    assertEquals(0, again.code(), again.err());
    assertEquals(first.out(), again.out());
  }

  @Test
  void lockedWithoutALockFile_andPushWithoutATag_areBadInput() throws Exception {
    pushBase(TestImages.withLayers("base"));
    Result locked = jscan("build", "--locked", ctx.toString());
    assertEquals(2, locked.code(), locked.err());
    assertTrue(locked.err().contains("--locked needs one"), locked.err());
    Result push = jscan("build", "--push", ctx.toString());
    assertEquals(2, push.code(), push.err());
    assertFalse(Files.exists(ctx.resolve(ImageLock.FILE_NAME)));
  }
}
