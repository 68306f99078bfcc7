package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.image.Image;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook judges {@code no-secrets} as {@code jscan verify} does (the same inspection and
 * rule): a key in a Debian package's unchanged file is admitted, the same image with a key the
 * builder added is denied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsAdmissionTest {
  private static final String LIB = "usr/lib/x86_64-linux-gnu/libkeys.so.1";
  private static final byte[] KEYED_LIB = ("\u007fELF a library\n" + TestSecrets.PEM + "\0more code\n").getBytes(StandardCharsets.UTF_8);

  WebhookHarness h;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    h = WebhookHarness.create(dir);
    Files.writeString(h.policies.resolve("40-keys.yaml"), """
        apiVersion: jscan.io/v1
        kind: Policy
        name: keys
        match:
          namespaces: [keys]
        rules:
          - id: no-secrets
        """);
    RegistryClient push = new RegistryClient(RegistryOptions.defaults());
    push.push(debian(RawTar.tar()), ImageName.parse(h.registry.host() + "/debian-keys:1"));
    push.push(debian(RawTar.tar().file("root/.ssh/id_rsa", 0600, TestSecrets.PEM.getBytes(StandardCharsets.US_ASCII))),
        ImageName.parse(h.registry.host() + "/planted-key:1"));
    h.start(o -> o);
  }

  @AfterAll
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  /** A Debian image whose package libkeys has a test key compiled in (matching its md5sums), then {@code top} as a second layer. */
  static Image debian(RawTar top) throws Exception {
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(KEYED_LIB));
    return TestImage.image().user("65534").layer(RawTar.tar()
            .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
            .file("var/lib/dpkg/status", "Package: libkeys\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n\n")
            .file("var/lib/dpkg/info/libkeys:amd64.md5sums", md5 + "  " + LIB + "\n")
            .file(LIB, 0644, KEYED_LIB).build())
        .layer(top.file("app/run.sh", "echo hello").build())
        .build();
  }

  @Test
  void validate_keyInDistributionPackageFile_isAdmitted() throws Exception {
    JsonNode r = h.reviewPod("/validate", "keys", h.registry.host() + "/debian-keys:1");
    assertTrue(r.path("allowed").asBoolean(), r.toString());
  }

  @Test
  void validate_keyTheBuilderAdded_isDeniedNamingTheRule() throws Exception {
    JsonNode r = h.reviewPod("/validate", "keys", h.registry.host() + "/planted-key:1");
    assertFalse(r.path("allowed").asBoolean(), r.toString());
    String message = r.path("status").path("message").asText();
    assertTrue(message.contains("no-secrets (policy keys): RSA private key (fingerprint sha256:"), message);
    assertFalse(message.contains(TestSecrets.FRAGMENTS[0]), "never the key itself");
  }
}
