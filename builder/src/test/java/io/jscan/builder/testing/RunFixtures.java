package io.jscan.builder.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.builder.BuildRequest;
import io.jscan.builder.BuildResult;
import io.jscan.builder.Builder;
import io.jscan.core.JscanException;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.SharedBases;
import io.jscan.core.transport.store.LocalStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** What the RUN tests share: the busybox base, root and runc checks, builds with their log, leftover checks. */
public final class RunFixtures {
  private RunFixtures() {}

  /** RUN needs root and runc; outside CI a machine without them skips the test, in CI it fails. */
  public static void requireRun() throws IOException {
    ExternalTool.require("runc");
    boolean root = Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    if (!root) {
      if (ExternalTool.inCi()) {
        Assertions.fail("the RUN tests need root (CI runs them as root)");
      }
      Assumptions.abort("the RUN tests need root");
    }
  }

  /** The busybox base image, as FROM takes it. */
  public static String busybox() throws Exception {
    return SharedBases.busybox().ociReference();
  }

  /** A context holding {@code dockerfile} (and the given files). */
  public static Path context(Path dir, String dockerfile, String... files) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("Dockerfile"), dockerfile);
    for (int i = 0; i + 1 < files.length; i += 2) {
      Path f = dir.resolve(files[i]);
      Files.createDirectories(f.getParent());
      Files.writeString(f, files[i + 1]);
    }
    return dir;
  }

  /** Builds, collecting the progress lines in {@code log} (for failure messages and output checks). */
  public static BuildResult build(LocalStore store, BuildRequest request, List<String> log) throws JscanException {
    List<String> lines = Collections.synchronizedList(log);
    return Builder.withStore(store, lines::add).build(request);
  }

  /** Builds; on failure the test fails with the log. */
  public static BuildResult buildOk(LocalStore store, BuildRequest request) throws Exception {
    List<String> log = new ArrayList<>();
    try {
      return build(store, request, log);
    } catch (JscanException e) {
      throw new AssertionError(e.getMessage() + "\n" + String.join("\n", log), e);
    }
  }

  /** Mount points at or below {@code dir} in this mount namespace. */
  public static List<String> mountsBelow(Path dir) throws IOException {
    String prefix = dir.toAbsolutePath().normalize().toString();
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (f.length > 4 && (f[4].equals(prefix) || f[4].startsWith(prefix + "/"))) {
        out.add(f[4]);
      }
    }
    return out;
  }

  /** Containers runc knows whose id jscan gave ({@code jscan-...}). */
  public static List<String> jscanContainers() throws Exception {
    Process p = new ProcessBuilder(ExternalTool.require("runc").toString(), "list", "-q").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    List<String> ids = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.strip().startsWith("jscan-")) {
        ids.add(line.strip());
      }
    }
    return ids;
  }

  /** The entries of the store's run directory (empty once every RUN cleaned up after itself). */
  public static List<String> runDirectories(Path home) throws IOException {
    Path dir = home.resolve(".jscan/run");
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(p -> out.add(p.getFileName().toString()));
    }
    return out;
  }

  /**
   * Containers runc knows whose bundle is at or below {@code dir}: those of one store's builds.
   * Other jscan processes on the machine (another test suite, a developer's build) have theirs
   * elsewhere, so this does not depend on what else runs.
   */
  public static List<String> containersBelow(Path dir) throws Exception {
    Process p = new ProcessBuilder(ExternalTool.require("runc").toString(), "list", "--format", "json").start();
    byte[] json = p.getInputStream().readAllBytes();
    p.waitFor(30, TimeUnit.SECONDS);
    String prefix = dir.toAbsolutePath().normalize().toString();
    List<String> ids = new ArrayList<>();
    for (JsonNode c : new ObjectMapper().readTree(json)) {
      String bundle = c.path("bundle").asText("");
      if (bundle.equals(prefix) || bundle.startsWith(prefix + "/")) {
        ids.add(c.path("id").asText());
      }
    }
    return ids;
  }

  /** No mount, container or run directory is left by the builds of this store. */
  public static void assertNoLeftovers(Path home) throws Exception {
    assertEquals(List.of(), mountsBelow(home), "mounts left below the store");
    assertEquals(List.of(), runDirectories(home), "run directories left in the store");
    assertEquals(List.of(), containersBelow(home), "containers left by this store's builds");
  }
}
