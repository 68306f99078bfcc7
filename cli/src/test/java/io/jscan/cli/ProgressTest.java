package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.transport.registry.TransferListener.Outcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {
  static final Descriptor LAYER = Descriptor.of(MediaTypes.OCI_LAYER_GZIP, new byte[2_000_000]);
  static final Descriptor MANIFEST = Descriptor.of(MediaTypes.OCI_MANIFEST, "{}".getBytes());

  private static String run(Progress.Mode mode) {
    StringWriter text = new StringWriter();
    Progress p = new Progress(new PrintWriter(text), mode);
    p.started(LAYER, false, 0);
    p.progressed(LAYER, 1_000_000);
    p.retrying("blob x", 1, Duration.ofMillis(500), "connection reset");
    p.started(LAYER, false, 1_000_000);
    p.finished(LAYER, Outcome.DOWNLOADED);
    p.finished(MANIFEST, Outcome.UPLOADED);
    return text.toString();
  }

  @Test
  void plain_printsOneLinePerLayerEvent_andLeavesManifestsOut() {
    String out = run(Progress.Mode.plain);
    String id = LAYER.digest().shortHex();
    assertEquals(
        java.util.List.of(
            id + ": Downloading 2MB",
            "blob x: connection reset; retrying in 0.5s (attempt 2)",
            id + ": Resuming at 1MB",
            id + ": Download complete"),
        out.lines().toList());
    assertFalse(out.contains("\033["));
  }

  @Test
  void tty_redrawsABarPerLayerInPlace() {
    String out = run(Progress.Mode.tty);
    assertTrue(out.contains("\033[1A"), out);
    assertTrue(out.contains(LAYER.digest().shortHex() + ": Downloading [===================="), out);
    assertTrue(out.contains("Download complete"), out);
  }

  @Test
  void quiet_printsNothing() {
    assertEquals("", run(Progress.Mode.quiet));
  }
}
