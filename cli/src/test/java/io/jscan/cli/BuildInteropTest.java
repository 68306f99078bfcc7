package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.RepoPaths;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What jscan build writes works with the real tools: skopeo inspects and copies the OCI layout,
 * the docker-archive and the store; podman loads and runs an image built FROM the busybox base
 * (made by {@code scripts/make-busybox-base.sh}) and prints what its CMD should print.
 */
class BuildInteropTest {
  @TempDir Path tmp;
  Path home;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void useTempStore() {
    home = tmp.resolve("home");
    System.setProperty(LocalStore.HOME_PROPERTY, home.toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  static Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), Map.of("SOURCE_DATE_EPOCH", "1700000000"), args);
    return new Run(code, out.toString(), err.toString());
  }

  static Run exec(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      Assertions.fail("timed out: " + String.join(" ", command));
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  static Run ok(Map<String, String> env, String... command) throws Exception {
    Run r = exec(env, command);
    assertEquals(0, r.code(), String.join(" ", command) + "\n" + r.out() + r.err());
    return r;
  }

  static String digestOf(Run skopeoInspect) throws Exception {
    JsonNode doc = new ObjectMapper().readTree(skopeoInspect.out());
    return doc.get("Digest").asText();
  }

  @Test
  void build_sampleOutputs_areReadAndCopiedBySkopeo() throws Exception {
    Path skopeo = ExternalTool.require("skopeo");
    Path sample = RepoPaths.testdata("sample");
    Run store = jscan("build", "-q", "-t", "sample:1", sample.toString());
    assertEquals(0, store.code(), store.err());
    String digest = store.out().strip();
    Run oci = jscan("build", "-q", "-o", "oci:" + tmp.resolve("oci") + ":sample", sample.toString());
    Run archive = jscan("build", "-q", "-o", "docker-archive:" + tmp.resolve("sample.tar") + ":sample:1", sample.toString());
    assertEquals(digest, oci.out().strip());
    assertEquals(digest, archive.out().strip());

    Map<String, String> env = Map.of();
    assertEquals(digest, digestOf(ok(env, skopeo.toString(), "inspect", "oci:" + tmp.resolve("oci") + ":sample")));
    assertEquals(digest, digestOf(ok(env, skopeo.toString(), "inspect", "oci:" + home + ":docker.io/library/sample:1")));
    Run fromArchive = ok(env, skopeo.toString(), "inspect", "docker-archive:" + tmp.resolve("sample.tar"));
    assertTrue(fromArchive.out().contains("\"GREETING=hello from jscan\""), fromArchive.out());

    ok(env, skopeo.toString(), "copy", "oci:" + tmp.resolve("oci") + ":sample", "oci:" + tmp.resolve("copied") + ":sample");
    assertEquals(digest, digestOf(ok(env, skopeo.toString(), "inspect", "oci:" + tmp.resolve("copied") + ":sample")),
        "a copy between layouts keeps the manifest bytes");
    ok(env, skopeo.toString(), "copy", "docker-archive:" + tmp.resolve("sample.tar"), "dir:" + tmp.resolve("dir-copy"));
    ok(env, skopeo.toString(), "copy", "oci:" + home + ":docker.io/library/sample:1", "docker-archive:" + tmp.resolve("again.tar") + ":x:1");
  }

  /** The busybox base from scripts/make-busybox-base.sh (needs root and apt for its tools, as CI has). */
  Path busyboxBase() throws Exception {
    ExternalTool.require("umoci");
    ExternalTool.require("skopeo");
    Path script = RepoPaths.repoRoot().resolve("scripts/make-busybox-base.sh");
    Path oci = tmp.resolve("busybox-oci");
    ok(Map.of("SOURCE_DATE_EPOCH", "1700000000"), "bash", script.toString(), "-o", oci.toString(), "-a",
        tmp.resolve("busybox.tar").toString());
    return oci;
  }

  /** A containers.conf whose default ulimits do not exceed this process's hard limits (root lacks CAP_SYS_RESOURCE here). */
  Map<String, String> podmanEnv() throws Exception {
    Run limits = ok(Map.of(), "bash", "-c", "ulimit -Hn; ulimit -Hu");
    List<String> values = new ArrayList<>();
    for (String v : limits.out().strip().split("\n")) {
      String s = v.strip();
      long n = s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
      values.add(Long.toString(Math.min(n, values.isEmpty() ? 1048576 : 32768)));
    }
    Path conf = tmp.resolve("containers.conf");
    Files.writeString(conf, "[containers]\ndefault_ulimits = [\"nofile=" + values.get(0) + ":" + values.get(0) + "\", \"nproc="
        + values.get(1) + ":" + values.get(1) + "\"]\n");
    return Map.of("CONTAINERS_CONF", conf.toString());
  }

  @Test
  void build_fromBusyboxBase_isLoadedAndRunByPodman() throws Exception {
    Path podman = ExternalTool.require("podman");
    ExternalTool.require("runc");
    Path base = busyboxBase();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("hello.sh"), "#!/bin/sh\necho \"hello from jscan on busybox, $GREETING\"\n");
    Files.writeString(ctx.resolve("Dockerfile"), String.join("\n",
        "FROM oci:" + base + ":latest",
        "ENV GREETING=built-reproducibly",
        "COPY hello.sh /usr/local/bin/",
        "CMD [\"/bin/sh\", \"/usr/local/bin/hello.sh\"]",
        ""));
    Path archive = tmp.resolve("image.tar");
    Run build = jscan("build", "-q", "-o", "docker-archive:" + archive + ":jscan-busybox:1", ctx.toString());
    assertEquals(0, build.code(), build.err());

    Map<String, String> env = podmanEnv();
    String[] storage = {"--root", tmp.resolve("podman-root").toString(), "--runroot", tmp.resolve("podman-run").toString(),
        "--storage-driver", "vfs"};
    List<String> load = new ArrayList<>(List.of(podman.toString()));
    load.addAll(List.of(storage));
    load.addAll(List.of("load", "-i", archive.toString()));
    Run loaded = ok(env, load.toArray(String[]::new));
    assertTrue((loaded.out() + loaded.err()).contains("docker.io/library/jscan-busybox:1"), loaded.out() + loaded.err());
    List<String> run = new ArrayList<>(List.of(podman.toString()));
    run.addAll(List.of(storage));
    run.addAll(List.of("run", "--rm", "--runtime", "runc", "docker.io/library/jscan-busybox:1"));
    Run ran = ok(env, run.toArray(String[]::new));
    assertEquals("hello from jscan on busybox, built-reproducibly\n", ran.out());
  }
}
