package io.jscan.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Digest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ImageNameTest {
  private static final String HEX = "a".repeat(64);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "ubuntu, docker.io/library/ubuntu:latest, ubuntu:latest",
    "ubuntu:22.04, docker.io/library/ubuntu:22.04, ubuntu:22.04",
    "docker.io/library/ubuntu:22.04, docker.io/library/ubuntu:22.04, ubuntu:22.04",
    "index.docker.io/library/ubuntu, docker.io/library/ubuntu:latest, ubuntu:latest",
    "myorg/app:1.0, docker.io/myorg/app:1.0, myorg/app:1.0",
    "localhost/app, localhost/app:latest, localhost/app:latest",
    "localhost:5000/a/b/c:v1, localhost:5000/a/b/c:v1, localhost:5000/a/b/c:v1",
    "registry.example.com:443/team/app:2, registry.example.com:443/team/app:2, registry.example.com:443/team/app:2",
    "Registry.Example.com/app, Registry.Example.com/app:latest, Registry.Example.com/app:latest",
    "[::1]:5000/app:x, [::1]:5000/app:x, [::1]:5000/app:x",
    "my-app__x.y--z:Tag_1.0-rc, docker.io/library/my-app__x.y--z:Tag_1.0-rc, my-app__x.y--z:Tag_1.0-rc",
  })
  void parse_normalisesAsDockerDoes(String input, String full, String familiar) {
    ImageName name = ImageName.parse(input);
    assertEquals(full, name.toString());
    assertEquals(familiar, name.familiar());
    assertEquals(name, ImageName.parse(name.toString()), "the full form parses to itself");
  }

  @Test
  void parse_withDigest_hasNoDefaultTag() {
    ImageName name = ImageName.parse("ubuntu@sha256:" + HEX);
    assertEquals(Optional.empty(), name.tag());
    assertEquals(Digest.parse("sha256:" + HEX), name.digest().orElseThrow());
    assertEquals("docker.io/library/ubuntu@sha256:" + HEX, name.toString());
    ImageName both = ImageName.parse("host:5000/repo:tag@sha256:" + HEX);
    assertEquals("host:5000/repo:tag@sha256:" + HEX, both.toString());
    assertEquals("host:5000/repo:tag", both.withoutDigest().toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Ubuntu",
        "docker.io/Library/ubuntu",
        "ubuntu:",
        "ubuntu:-bad",
        "ubuntu:.bad",
        "ubuntu:has space",
        "ubuntu@sha256:short",
        "-leading/dash",
        "double//slash",
        "trailing/",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      })
  void parse_malformed_isRejectedWithAReason(String input) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageName.parse(input));
    assertTrue(!e.getMessage().isBlank());
  }

  @Test
  void parse_tagLongerThan128_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> ImageName.parse("app:" + "t".repeat(129)));
    assertEquals("t".repeat(128), ImageName.parse("app:" + "t".repeat(128)).tag().orElseThrow());
  }

  @Test
  void parse_uppercaseRepository_saysItMustBeLowercase() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageName.parse("myorg/App"));
    assertTrue(e.getMessage().endsWith("repository name must be lowercase"), e.getMessage());
  }

  @Test
  void parse_nameLongerThan255_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> ImageName.parse("a/" + "b".repeat(260)));
  }

  @Test
  void namesRegistryHost_onlyWhenTheNameIsWrittenWithItsHost() {
    for (String written : List.of("registry.example/app:1", "localhost:5000/app", "localhost/app", "docker.io/library/app:1",
        "index.docker.io/team/app", "[::1]:5000/app@sha256:" + HEX, "Host/app")) {
      assertTrue(ImageName.namesRegistryHost(written), written);
    }
    for (String shortName : List.of("app", "app:1", "team/app:1", "team/sub/app", "app@sha256:" + HEX, "localhost:5000")) {
      assertFalse(ImageName.namesRegistryHost(shortName), shortName);
    }
  }
}
