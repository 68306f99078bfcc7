package io.jscan.builder.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jscan.core.oci.Platform;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Base images in resolvedDependencies: BuildKit's pkg:docker URLs, fully qualified. */
class ImageUriTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @Test
  void imageUri_ofTaggedName_isPkgDockerWithTagAndEncodedPlatform() {
    assertEquals(Optional.of("pkg:docker/docker.io/library/debian@12?platform=linux%2Farm%2Fv7"),
        SlsaProvenance.imageUri("docker.io/library/debian:12", Platform.parse("linux/arm/v7")));
  }

  @Test
  void imageUri_ofDigestOnlyName_hasTheDigestQualifierAndNoVersion_asBuildKit() {
    // BuildKit's RefToPURL: "busybox@sha256:…" is pkg:docker/busybox?digest=sha256:…&platform=…
    assertEquals(Optional.of("pkg:docker/ghcr.io/acme/base?digest=" + DIGEST + "&platform=linux%2Famd64"),
        SlsaProvenance.imageUri("ghcr.io/acme/base@" + DIGEST, Platform.LINUX_AMD64));
  }

  @Test
  void imageUri_ofTagAndDigest_keepsTheTagAsVersionAndTheWrittenDigestAsQualifier() {
    assertEquals(Optional.of("pkg:docker/docker.io/library/debian@latest?digest=" + DIGEST + "&platform=linux%2Famd64"),
        SlsaProvenance.imageUri("docker.io/library/debian:latest@" + DIGEST, Platform.LINUX_AMD64));
  }

  @Test
  void imageUri_ofUntaggedName_isLatest() {
    assertEquals(Optional.of("pkg:docker/docker.io/library/debian@latest?platform=linux%2Famd64"),
        SlsaProvenance.imageUri("debian", Platform.LINUX_AMD64));
  }

  @Test
  void imageUri_ofLayoutOrArchive_isAbsent() {
    assertEquals(Optional.empty(), SlsaProvenance.imageUri("oci:/tmp/x:base:1", Platform.LINUX_AMD64));
    assertEquals(Optional.empty(), SlsaProvenance.imageUri("docker-archive:/tmp/a.tar", Platform.LINUX_AMD64));
  }
}
