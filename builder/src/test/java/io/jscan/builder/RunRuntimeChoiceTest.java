package io.jscan.builder;

import static io.jscan.builder.testing.RunFixtures.assertNoLeftovers;
import static io.jscan.builder.testing.RunFixtures.buildOk;
import static io.jscan.builder.testing.RunFixtures.context;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.RunFixtures;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --runtime}: crun gives the layer runc gives where it works, and where the machine's
 * cgroups are hybrid (these VMs) its refusal is one message saying what it said and what to try.
 */
class RunRuntimeChoiceTest {
  @TempDir Path tmp;

  /** Whether cgroup v2 holds controllers next to v1 ones, which crun refuses (../shared/tools/container-runtime-setup.sh). */
  static boolean hybridCgroups() throws Exception {
    Path v2 = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
    return Files.exists(v2) && !Files.readString(v2).isBlank();
  }

  @Test
  void run_withCrun_givesRuncsLayer_orExplainsItsRefusal() throws Exception {
    RunFixtures.requireRun();
    ExternalTool.require("crun");
    String base = RunFixtures.busybox();
    Path ctx = context(tmp.resolve("ctx"), "FROM " + base + "\nRUN echo same > /same && chmod 600 /same\n");
    Path home = tmp.resolve("home");
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult withRunc = buildOk(store, request(ctx).withRun(RunOptions.defaults().withRuntime(Optional.of("runc"))));
      RunOptions crun = RunOptions.defaults().withRuntime(Optional.of("crun"));
      if (hybridCgroups()) {
        JscanException e = assertThrows(JscanException.class, () -> TestBuilds.build(store, request(ctx).withNoCache(true).withRun(crun)));
        assertEquals(FailureKind.BAD_INPUT, e.kind());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("Dockerfile:2: crun refused to run the step: \"cgroups in hybrid mode not supported"),
            e.getMessage());
        assertTrue(e.getMessage().contains("use --runtime runc"), e.getMessage());
      } else {
        BuildResult withCrun = buildOk(store, request(ctx).withNoCache(true).withRun(crun));
        assertEquals(withRunc.manifestDigest(), withCrun.manifestDigest());
      }
    }
    assertNoLeftovers(home);
  }

  @Test
  void run_unknownRuntime_isOneLineBadInput() throws Exception {
    RunFixtures.requireRun();
    Path ctx = context(tmp.resolve("ctx"), "FROM " + RunFixtures.busybox() + "\nRUN true\n");
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      JscanException e = assertThrows(JscanException.class,
          () -> TestBuilds.build(store, request(ctx).withRun(RunOptions.defaults().withRuntime(Optional.of("no-such-runtime")))));
      assertEquals(FailureKind.BAD_INPUT, e.kind());
      assertEquals("no-such-runtime not found: install it with `apt-get install no-such-runtime` or give --runtime a path",
          e.getMessage());
    }
  }
}
