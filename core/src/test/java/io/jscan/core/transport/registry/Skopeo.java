package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.ExternalTool;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs skopeo for the round-trip tests; fails the test with skopeo's output when it fails. */
final class Skopeo {
  private Skopeo() {}

  static byte[] run(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ExternalTool.require("skopeo").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "skopeo timed out");
    assertEquals(0, p.exitValue(), "skopeo " + String.join(" ", args) + ": " + new String(err, StandardCharsets.UTF_8));
    return out;
  }
}
