package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.image.Image;
import io.jscan.core.testing.HostileTar;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.verifier.TestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: the webhook admitted, under {@code no-setuid}, an image whose setuid binary a global
 * PAX header hid from jscan's old readers (they applied the header's {@code size} to a decoy entry,
 * as POSIX says; containerd ignores global headers and extracts the binary). It reads layers as
 * containerd does now, so the binary is seen and the image denied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileLayerAdmissionTest {
  WebhookHarness h;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    h = WebhookHarness.create(dir);
    Files.writeString(h.policies.resolve("40-setuid.yaml"), """
        apiVersion: jscan.io/v1
        kind: Policy
        name: setuid
        match:
          namespaces: [setuid]
        rules:
          - id: no-setuid
        """);
    RegistryClient push = new RegistryClient(RegistryOptions.defaults());
    push.push(image(HostileTar.tar()
            // five blocks: decoy's data and everything after it, so a POSIX reader sees only "decoy"
            .globalPax(HostileTar.records("size", "2560"))
            .file("decoy", "x")
            .dir("usr").dir("usr/bin")
            .file("usr/bin/hidden", 04755, "\177ELF".getBytes(StandardCharsets.US_ASCII))),
        ImageName.parse(h.registry.host() + "/hidden-setuid:1"));
    push.push(image(HostileTar.tar()
            .globalPax(HostileTar.records("comment", "made by git archive"))
            .file("decoy", "x")
            .dir("usr").dir("usr/bin")
            .file("usr/bin/tool", 0755, "\177ELF".getBytes(StandardCharsets.US_ASCII))),
        ImageName.parse(h.registry.host() + "/harmless-global-header:1"));
    h.start(o -> o);
  }

  @AfterAll
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  private static Image image(HostileTar layer) throws Exception {
    return TestImage.image().user("65534").layer(layer.end().build()).build();
  }

  @Test
  void validate_setuidHiddenBehindAGlobalPaxHeader_isDenied() throws Exception {
    JsonNode r = h.reviewPod("/validate", "setuid", h.registry.host() + "/hidden-setuid:1");
    assertFalse(r.path("allowed").asBoolean(), r.toString());
    String message = r.path("status").path("message").asText();
    assertTrue(message.contains("integrity: layer 1 ") && message.contains(": global PAX header at byte 0 sets size"), message);
    assertTrue(message.contains("no-setuid (policy setuid): setuid file (mode 4755)"), "the binary is seen: " + message);
  }

  @Test
  void validate_globalPaxHeaderWithOnlyAComment_isAdmitted() throws Exception {
    JsonNode r = h.reviewPod("/validate", "setuid", h.registry.host() + "/harmless-global-header:1");
    assertTrue(r.path("allowed").asBoolean(), r.toString());
  }
}
