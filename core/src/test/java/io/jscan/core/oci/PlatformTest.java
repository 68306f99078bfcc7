package io.jscan.core.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlatformTest {
  @Test
  void parse_osArchVariant_normalisedAsContainerd() {
    assertEquals(new Platform("linux", "arm64"), Platform.parse("linux/aarch64"));
    assertEquals(new Platform("linux", "arm", Optional.of("v7"), Optional.empty(), java.util.List.of()), Platform.parse("linux/arm/v7"));
  }

  /** buildx's list of platforms used to be read as the architecture "amd64,linux" with variant "arm64". */
  @Test
  void parse_aListOfPlatforms_isRefusedAsOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux/amd64,linux/arm64"));
    assertEquals("invalid platform \"linux/amd64,linux/arm64\" (expected one os/arch[/variant], not a list)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux/amd 64"));
    assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux/"));
  }
}
