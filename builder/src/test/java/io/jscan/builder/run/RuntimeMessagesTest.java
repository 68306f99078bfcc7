package io.jscan.builder.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.BuildException;
import io.jscan.core.FailureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What jscan says when the runtime is missing, refuses, or jscan is not root: one message, what to try. */
class RuntimeMessagesTest {
  @TempDir Path tmp;

  @Test
  void locate_noRuntimeInstalled_saysHowToInstallRunc() {
    BuildException e = assertThrows(BuildException.class, () -> OciRuntime.locate(Optional.empty(), name -> Optional.empty()));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals("runc not found: RUN needs an OCI runtime: install it with `apt-get install runc` (or install crun and choose"
        + " --runtime crun)", e.getMessage());
  }

  @Test
  void locate_runcMissing_choosesCrun_andANamedRuntimeMissingSaysHowToInstallIt() throws Exception {
    Map<String, Path> installed = Map.of("crun", Path.of("/usr/bin/crun"));
    OciRuntime r = OciRuntime.locate(Optional.empty(), name -> Optional.ofNullable(installed.get(name)));
    assertEquals(new OciRuntime("crun", Path.of("/usr/bin/crun")), r);
    BuildException e = assertThrows(BuildException.class,
        () -> OciRuntime.locate(Optional.of("runc"), name -> Optional.ofNullable(installed.get(name))));
    assertEquals("runc not found: install it with `apt-get install runc` (or choose --runtime crun)", e.getMessage());
  }

  @Test
  void locate_pathThatIsNoExecutable_isBadInput() throws Exception {
    Path notExecutable = Files.writeString(tmp.resolve("runtime"), "#!/bin/sh\n");
    BuildException e = assertThrows(BuildException.class, () -> OciRuntime.locate(Optional.of(notExecutable.toString())));
    assertEquals("--runtime " + notExecutable + ": not an executable file", e.getMessage());
  }

  @Test
  void refused_crunOnHybridCgroups_quotesItAndSuggestsRuncOrTheFix() {
    OciRuntime crun = new OciRuntime("crun", Path.of("/usr/bin/crun"));
    BuildException e = crun.refused("Dockerfile:3", List.of("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"));
    assertEquals(1, e.getMessage().lines().count());
    assertTrue(e.getMessage().startsWith("Dockerfile:3: crun refused to run the step: \"cgroups in hybrid mode not supported, drop"
        + " all controllers from cgroupv2\"; "), e.getMessage());
    assertTrue(e.getMessage().contains("use --runtime runc"), e.getMessage());
    assertTrue(e.getMessage().contains("/sys/fs/cgroup/unified/cgroup.controllers"), e.getMessage());
  }

  @Test
  void refused_missingExecutable_isTheDockerfilesFault() {
    OciRuntime runc = new OciRuntime("runc", Path.of("/usr/sbin/runc"));
    BuildException e = runc.refused("Dockerfile:2", List.of("runc run failed: unable to start container process: exec:"
        + " \"/no/such\": stat /no/such: no such file or directory"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals("Dockerfile:2: the command could not be started: runc run failed: unable to start container process: exec:"
        + " \"/no/such\": stat /no/such: no such file or directory", e.getMessage());
  }

  @Test
  void errors_readsTheErrorLinesOfTheJsonLog() throws Exception {
    Path log = Files.writeString(tmp.resolve("log"), "{\"level\":\"info\",\"msg\":\"hello\"}\n"
        + "{\"msg\":\"cgroups in hybrid mode not supported\",\"level\":\"error\",\"time\":\"2026-01-01T00:00:00Z\"}\n");
    assertEquals(List.of("cgroups in hybrid mode not supported"), OciRuntime.errors(log));
    assertEquals(List.of(), OciRuntime.errors(tmp.resolve("missing")));
  }

  @Test
  void requireRoot_otherUser_saysRunAsRoot() {
    BuildException e = assertThrows(BuildException.class, () -> RunSupport.requireRoot(1000));
    assertEquals("RUN: jscan runs RUN steps with an OCI runtime as root, and this process runs as uid 1000: run jscan build as root"
        + " (sudo); rootless builds are not supported yet", e.getMessage());
  }
}
