package io.jscan.builder;

import static io.jscan.builder.testing.RunFixtures.buildOk;
import static io.jscan.builder.testing.RunFixtures.context;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.RunFixtures;
import io.jscan.builder.testing.Subprocess;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jscan killed with SIGKILL while a RUN's command runs leaves a container, a runtime process and a
 * run directory; the next build removes all of them before it starts, and the store is intact.
 */
class KillDuringRunTest {
  @TempDir Path tmp;
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopStragglers() throws Exception {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    // the test's own assertions say whether the cleanup worked; this only keeps a failed test from leaking a container
    io.jscan.builder.run.RunSupport.cleanLeftovers(tmp.resolve("home"), line -> {});
  }

  /** The container ids and process ids the run directories of the store name. */
  static List<String> recorded(Path home, String kind) throws Exception {
    List<String> out = new ArrayList<>();
    Path runs = home.resolve(".jscan/run");
    if (!Files.isDirectory(runs)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(runs)) {
      for (Path d : s) {
        Path state = d.resolve("state");
        if (Files.exists(state)) {
          for (String line : Files.readAllLines(state, StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f[0].equals(kind)) {
              out.add(kind.equals("container") ? f[2] : f[1]);
            }
          }
        }
      }
    }
    return out;
  }

  @Test
  void run_killedDuringTheCommand_nextBuildRemovesContainerProcessesAndDirectory() throws Exception {
    RunFixtures.requireRun();
    String base = RunFixtures.busybox();
    Path home = tmp.resolve("home");
    try (LocalStore store = LocalStore.open(home)) {
      buildOk(store, request(context(tmp.resolve("keep"), "FROM " + base + "\nRUN echo kept > /kept\n"))
          .withTags(List.of(ImageName.parse("keep:1"))));
    }
    Path ctx = context(tmp.resolve("ctx"), "FROM " + base + "\nRUN echo started && sleep 30\n");
    Path log = tmp.resolve("log");
    Process p = Subprocess.start(Subprocess.buildMainCommand(Subprocess.currentJava(), "022",
        Subprocess.args(home.toString(), ctx.toString())), Map.of("SOURCE_DATE_EPOCH", "1700000000"), log);
    started.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    java.util.regex.Pattern output = java.util.regex.Pattern.compile("(?m)^#2 [0-9.]+ started$");
    while (!output.matcher(Files.readString(log.resolve("stderr"))).find() && System.nanoTime() < deadline) {
      assertTrue(p.isAlive(), "the build ended early:\n" + Files.readString(log.resolve("stderr")));
      Thread.sleep(100);
    }
    assertTrue(output.matcher(Files.readString(log.resolve("stderr"))).find(), "the command never started");
    new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor(); // sh -c execs java: this is the JVM
    p.waitFor(30, TimeUnit.SECONDS);

    List<String> containers = recorded(home, "container");
    List<String> processes = recorded(home, "process");
    assertEquals(1, containers.size(), "the dead build recorded its container");
    assertTrue(RunFixtures.jscanContainers().contains(containers.get(0)), "its container outlived it: the cleanup has work to do");
    assertEquals(containers, RunFixtures.containersBelow(home), "its bundle is in the store (what assertNoLeftovers looks for)");
    assertTrue(ProcessHandle.of(Long.parseLong(processes.get(0))).map(ProcessHandle::isAlive).orElse(false),
        "its runtime process outlived it");

    try (LocalStore store = LocalStore.open(home)) {
      BuildResult next = buildOk(store, request(context(tmp.resolve("next"), "FROM " + base + "\nRUN echo next > /next\n")));
      assertEquals("next\n", TestBuilds.content(next.image().layers().get(1), "next"));
    }
    assertFalse(RunFixtures.jscanContainers().contains(containers.get(0)), "the dead build's container is gone");
    assertFalse(ProcessHandle.of(Long.parseLong(processes.get(0))).map(ProcessHandle::isAlive).orElse(false),
        "the dead build's runtime process is gone");
    RunFixtures.assertNoLeftovers(home);
    KillDuringBuildTest.assertReadable(home);
    try (LocalStore store = LocalStore.open(home)) {
      assertTrue(store.list().stream().anyMatch(e -> e.name().map(n -> n.toString().equals("docker.io/library/keep:1")).orElse(false)),
          "the image named before the kill is still there");
    }
  }
}
