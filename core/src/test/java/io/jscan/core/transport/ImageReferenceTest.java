package io.jscan.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageReference.DockerArchiveReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  private static final String DIGEST = "sha256:" + "b".repeat(64);

  @Test
  void oci_directoryOnly() throws Exception {
    OciLayoutReference ref = assertInstanceOf(OciLayoutReference.class, ImageReference.parse("oci:/tmp/layout"));
    assertEquals(Path.of("/tmp/layout"), ref.directory());
    assertEquals(Optional.empty(), ref.refName());
  }

  @Test
  void oci_refNameMayHoldColons_likeContainersImage() throws Exception {
    OciLayoutReference ref =
        assertInstanceOf(OciLayoutReference.class, ImageReference.parse("oci:/home/u/.local/share/jscan:docker.io/library/app:1.0"));
    assertEquals(Path.of("/home/u/.local/share/jscan"), ref.directory());
    assertEquals("docker.io/library/app:1.0", ref.refName().orElseThrow());
  }

  @Test
  void oci_byDigest() throws Exception {
    OciLayoutReference ref = assertInstanceOf(OciLayoutReference.class, ImageReference.parse("oci:out@" + DIGEST));
    assertEquals(Path.of("out"), ref.directory());
    assertEquals(Digest.parse(DIGEST), ref.digest().orElseThrow());
  }

  @Test
  void dockerArchive_withNameAndTag_isNormalised() throws Exception {
    DockerArchiveReference ref =
        assertInstanceOf(DockerArchiveReference.class, ImageReference.parse("docker-archive:app.tar:myapp:2"));
    assertEquals(Path.of("app.tar"), ref.file());
    assertEquals("docker.io/library/myapp:2", ref.name().orElseThrow().toString());
    assertEquals(Optional.empty(), ((DockerArchiveReference) ImageReference.parse("docker-archive:x.tar")).name());
  }

  @Test
  void bareNames_andDigests_meanTheStore() throws Exception {
    StoreReference byName = assertInstanceOf(StoreReference.class, ImageReference.parse("myapp:1.0"));
    assertEquals("docker.io/library/myapp:1.0", byName.name().orElseThrow().toString());
    StoreReference withHost = assertInstanceOf(StoreReference.class, ImageReference.parse("localhost:5000/app"));
    assertEquals("localhost:5000/app:latest", withHost.toString());
    StoreReference byDigest = assertInstanceOf(StoreReference.class, ImageReference.parse(DIGEST));
    assertEquals(Digest.parse(DIGEST), byDigest.digest().orElseThrow());
  }

  @Test
  void dockerScheme_alwaysMeansTheRegistry_normalisedAsDockerDoes() throws Exception {
    ImageReference.RegistryReference hub = assertInstanceOf(ImageReference.RegistryReference.class, ImageReference.parse("docker://ubuntu"));
    assertEquals("docker.io/library/ubuntu:latest", hub.name().toString());
    assertEquals("docker://docker.io/library/ubuntu:latest", hub.toString());
    ImageReference.RegistryReference pinned = assertInstanceOf(
        ImageReference.RegistryReference.class, ImageReference.parse("docker://localhost:5000/team/app:1@" + DIGEST));
    assertEquals("localhost:5000", pinned.name().domain());
    assertEquals(Digest.parse(DIGEST), pinned.name().digest().orElseThrow());
  }

  @Test
  void malformed_isBadInputNamingTheReference() {
    for (String bad : new String[] {"", "oci:", "oci:dir:", "docker-archive:f.tar:", "docker://", "docker://Upper/App", "http://ubuntu", "UPPER", "docker-archive:x.tar:app@" + DIGEST}) {
      OciException e = assertThrows(OciException.class, () -> ImageReference.parse(bad), bad);
      assertEquals(FailureKind.BAD_INPUT, e.kind());
      assertTrue(e.getMessage().startsWith("image reference"), e.getMessage());
    }
  }

  @Test
  void storeName_remembersWhetherItWasWrittenWithItsRegistryHost() throws Exception {
    StoreReference full = assertInstanceOf(StoreReference.class, ImageReference.parse("registry.example/app:1"));
    assertTrue(full.hostWritten());
    StoreReference hub = assertInstanceOf(StoreReference.class, ImageReference.parse("docker.io/library/app:1"));
    assertTrue(hub.hostWritten());
    StoreReference shortName = assertInstanceOf(StoreReference.class, ImageReference.parse("app:1"));
    assertFalse(shortName.hostWritten());
    assertEquals(hub.name(), shortName.name(), "the same name either way");
    assertFalse(assertInstanceOf(StoreReference.class, ImageReference.parse(DIGEST)).hostWritten());
  }
}
