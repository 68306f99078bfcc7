package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.Podman;
import io.jscan.core.testing.SharedBases;
import io.jscan.core.testing.TestFiles;
import io.jscan.core.testing.TestRegistry;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile every tutorial starts with (MAINTAINER, {@code RUN apt-get update && apt-get
 * install -y curl}, COPY, EXPOSE, CMD), FROM the minimal Debian base that
 * {@code scripts/make-debian-base.sh} makes, pushed to a test registry: jscan pulls and
 * pins the base, builds (the RUN reaches the Debian mirror over the host's network), podman runs
 * curl from the result, and {@code jscan verify} walks it.
 */
class TutorialBuildTest {
  @TempDir Path tmp;
  TestRegistry registry;
  Map<String, String> env;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void useTempStoreAndRegistry() throws Exception {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>(System.getenv());
    env.put("SOURCE_DATE_EPOCH", "1700000000");
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
    registry = TestRegistry.start(tmp.resolve("registry"));
  }

  @AfterEach
  void restore() throws Exception {
    System.clearProperty(LocalStore.HOME_PROPERTY);
    if (registry != null) {
      registry.close();
    }
    TestFiles.deleteTree(tmp.resolve("home")); // the Debian root extracted for RUN: see TestFiles
  }

  Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Pushes an OCI layout's image to the test registry with skopeo; returns the reference FROM takes. */
  String push(SharedBases.Base base, String repository) throws Exception {
    String ref = registry.host() + "/" + repository + ":" + base.tag();
    Process p = new ProcessBuilder(ExternalTool.require("skopeo").toString(), "copy", "-q", "--dest-tls-verify=false",
        "oci:" + base.ociLayout() + ":" + base.tag(), "docker://" + ref).redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "skopeo copy timed out");
    assertEquals(0, p.exitValue(), said);
    return ref;
  }

  static void requireRoot() throws Exception {
    ExternalTool.require("runc");
    if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
      if (ExternalTool.inCi()) {
        throw new AssertionError("the RUN tests need root (CI runs them as root)");
      }
      Assumptions.abort("the RUN tests need root");
    }
  }

  /** The tutorial's Dockerfile, FROM the given base instead of ubuntu:latest. */
  static String tutorial(String from) {
    return String.join("\n",
        "FROM " + from,
        "MAINTAINER John Doe <john.doe@example.com>",
        "RUN apt-get update && apt-get install -y curl",
        "COPY index.html /var/www/html/",
        "EXPOSE 80",
        "CMD [\"/usr/bin/httpd\", \"-f\", \"/var/www/html/index.html\"]",
        "");
  }

  @Test
  void build_tutorialDockerfile_runsCurlInPodmanAndVerifies() throws Exception {
    requireRoot();
    String debian = push(SharedBases.debian(), "debian");
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), tutorial(debian));
    Files.writeString(ctx.resolve("index.html"), "<h1>hello from jscan</h1>\n");

    Run build = jscan("build", "-t", "tutorial:1", ctx.toString());
    assertEquals(0, build.code(), build.err());
    assertTrue(Files.readString(ctx.resolve("jscan.lock")).contains(debian), "the base is pinned");
    assertTrue(build.err().contains("Setting up curl"), "apt-get's output is streamed with the step's number:\n" + build.err());

    Run verify = jscan("verify", "tutorial:1");
    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertTrue(verify.out().contains("RUN /bin/sh -c apt-get update && apt-get install -y curl"), verify.out());

    Path archive = tmp.resolve("tutorial.tar");
    Run save = jscan("save", "-o", archive.toString(), "tutorial:1");
    assertEquals(0, save.code(), save.err());
    try (Podman podman = new Podman(tmp.resolve("podman"))) {
      podman.load(archive);
      String version = podman.run("docker.io/library/tutorial:1", "curl", "--version");
      assertTrue(version.startsWith("curl 7."), version);
      assertEquals("<h1>hello from jscan</h1>\n", podman.run("docker.io/library/tutorial:1", "cat", "/var/www/html/index.html"));
    }

    Run again = jscan("build", "-t", "tutorial:1", ctx.toString());
    assertEquals(0, again.code(), again.err());
    assertEquals(build.out(), again.out(), "an unchanged rebuild gives the same digest");
    assertTrue(again.err().contains("(0 layers built, 2 from cache)"), again.err());
  }
}
