package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic auth against a real registry with htpasswd; secrets never show in errors or logs. */
class RegistryAuthTest {
  static final String USER = "jscan-user";
  static final String PASSWORD = "pa55-W0rd-that-must-not-leak";

  @TempDir static Path dir;
  static TestRegistry registry;
  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    registry = TestRegistry.startWithBasicAuth(dir.resolve("registry"), USER, PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  static RegistryClient client(CredentialStore credentials) {
    return new RegistryClient(RegistryOptions.defaults().withRetry(RegistryRoundTripTest.FAST).withCredentials(credentials));
  }

  static CredentialStore fixed(Credentials c) {
    return r -> Optional.of(c);
  }

  ImageName name(String s) {
    return ImageName.parse(registry.host() + "/" + s);
  }

  static void assertNoSecret(String text) {
    assertFalse(text.contains(PASSWORD), text);
    assertFalse(text.contains(Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8))), text);
  }

  @Test
  void withCredentials_pushAndPullWork() throws Exception {
    Image image = TestImages.withLayers("private");
    RegistryClient c = client(fixed(Credentials.password(USER, PASSWORD)));
    c.push(image, name("private/app:1"));
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      c.pull(name("private/app:1"), store, Optional.empty(), List.of(name("private/app:1")));
      assertTrue(store.layout().hasBlob(image.digest()));
    }
    byte[] raw = Skopeo.run("inspect", "--tls-verify=false", "--raw", "--creds", USER + ":" + PASSWORD,
        "docker://" + registry.host() + "/private/app:1");
    assertEquals(image.digest(), io.jscan.core.oci.Digest.sha256(raw));
  }

  @Test
  void credentialsFromDockerConfig_areUsed() throws Exception {
    Path config = tmp.resolve("docker/config.json");
    new DockerConfig(config, java.util.Map.of()).store(registry.host(), Credentials.password(USER, PASSWORD));
    client(new DockerConfig(config, java.util.Map.of())).push(TestImages.withLayers("cfg"), name("private/cfg:1"));
  }

  @Test
  void anonymous_isToldToLogIn() {
    OciException e = assertThrows(OciException.class, () -> client(CredentialStore.ANONYMOUS).read(name("private/app:1")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("401 Unauthorized: authentication required; log in with 'jscan login " + registry.host() + "'"), e.getMessage());
  }

  @Test
  void wrongPassword_isRefusedClearly_withoutShowingAnySecret() throws Exception {
    String wrong = "wrong-" + PASSWORD;
    OciException e = assertThrows(OciException.class,
        () -> client(fixed(Credentials.password(USER, wrong))).push(TestImages.withLayers("x"), name("private/x:1")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("were not accepted"), e.getMessage());
    assertFalse(e.getMessage().contains(wrong));
    assertNoSecret(e.getMessage());
    RegistryException login = assertThrows(RegistryException.class,
        () -> new RegistryClient(RegistryOptions.defaults()).login(registry.host(), Credentials.password(USER, wrong)));
    assertFalse(login.getMessage().contains(wrong));
    // the registry's own log has no secret either (basic auth is never put in a URL)
    assertNoSecret(Files.readString(registry.log()));
  }

  @Test
  void login_withGoodCredentials_succeeds() throws Exception {
    new RegistryClient(RegistryOptions.defaults()).login(registry.host(), Credentials.password(USER, PASSWORD));
  }
}
