package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS is verified unless the registry is named insecure (or is loopback, which may be turned off). */
class RegistryTlsTest {
  @TempDir static Path dir;
  static TestRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    registry = TestRegistry.startWithTls(dir.resolve("registry"));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  ImageName name(String s) {
    return ImageName.parse(registry.host() + "/" + s);
  }

  static RegistryOptions strict() {
    return RegistryOptions.defaults().withRetry(RegistryRoundTripTest.FAST).withLoopbackInsecure(false);
  }

  @Test
  void selfSignedCertificate_isRefused_withAHintAtInsecureRegistry() {
    OciException e = assertThrows(OciException.class, () -> new RegistryClient(strict()).read(name("tls/app:1")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("TLS failed"), e.getMessage());
    assertTrue(e.getMessage().contains("--insecure-registry " + registry.host()), e.getMessage());
  }

  @Test
  void namedInsecure_isReachedOverTlsWithoutCertificateChecks() throws Exception {
    Image image = TestImages.withLayers("over tls");
    RegistryClient c = new RegistryClient(strict().withInsecureRegistries(Set.of(registry.host())));
    c.push(image, name("tls/app:1"));
    assertEquals(image.digest(), c.read(name("tls/app:1")).descriptor().digest());
  }

  @Test
  void loopbackByDefault_findsTheTlsRegistryAfterPlainHttpIsRefused() throws Exception {
    Image image = TestImages.withLayers("loopback default");
    RegistryClient c = new RegistryClient(RegistryOptions.defaults().withRetry(RegistryRoundTripTest.FAST));
    c.push(image, name("tls/loop:1"));
    assertEquals(image.digest(), c.read(name("tls/loop:1")).descriptor().digest());
  }
}
