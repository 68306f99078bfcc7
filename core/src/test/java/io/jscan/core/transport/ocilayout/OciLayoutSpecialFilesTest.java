package io.jscan.core.transport.ocilayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.TestFiles;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.dockerarchive.DockerArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIFO, a device or an oversized file where a layout or an archive has a file: refused as bad
 * input, never opened (opening a FIFO for reading blocks until a writer comes, so each of these
 * tests would hang, not fail, if one were opened).
 */
class OciLayoutSpecialFilesTest {
  @TempDir Path tmp;

  private Image written(Path dir) throws Exception {
    Image image = TestImages.withLayers("a");
    OciLayout.create(dir).write(image, Optional.of("v1"));
    return image;
  }

  @Test
  void readBlob_fifoInPlaceOfTheConfig_isBadInputNamingTheBlob() throws Exception {
    Path dir = tmp.resolve("l");
    Image image = written(dir);
    Path config = dir.resolve("blobs/sha256/" + image.manifest().config().digest().encoded());
    Files.delete(config);
    TestFiles.fifo(config);

    Image read = (Image) OciLayout.open(dir).resolve(Optional.of("v1"), Optional.empty());
    OciException e = assertThrows(OciException.class, read::config);

    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals("OCI layout " + dir + ": blob " + image.manifest().config().digest()
        + " (application/vnd.oci.image.config.v1+json): reading the blob: not a regular file (a FIFO)", e.getMessage());
  }

  @Test
  void readBlob_layerLinkedToDevZero_isBadInput() throws Exception {
    Path dir = tmp.resolve("l");
    Image image = written(dir);
    Path layer = dir.resolve("blobs/sha256/" + image.manifest().layers().get(0).digest().encoded());
    Files.delete(layer);
    TestFiles.linkToDevZero(layer);

    Image read = (Image) OciLayout.open(dir).resolve(Optional.of("v1"), Optional.empty());
    OciException e = assertThrows(OciException.class, () -> read.layers().get(0).openCompressed().close());

    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().endsWith("not a regular file (a symbolic link to a character device)"), e.getMessage());
  }

  @Test
  void index_fifo_isBadInput() throws Exception {
    Path dir = tmp.resolve("l");
    written(dir);
    Files.delete(dir.resolve("index.json"));
    TestFiles.fifo(dir.resolve("index.json"));

    OciException e = assertThrows(OciException.class, () -> OciLayout.open(dir).index());

    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals("OCI layout " + dir + ": reading index.json: not a regular file (a FIFO)", e.getMessage());
  }

  @Test
  void index_sparseFileOverTheManifestLimit_isRefusedBeforeReading() throws Exception {
    Path dir = tmp.resolve("l");
    written(dir);
    TestFiles.sparse(dir.resolve("index.json"), 3L << 30);

    OciException e = assertThrows(OciException.class, () -> OciLayout.open(dir).index());

    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals("OCI layout " + dir + ": reading index.json: larger than the limit of 8 MiB (3221225472 bytes)", e.getMessage());
  }

  @Test
  void open_ociLayoutFileIsAFifo_isBadInput() throws Exception {
    Path dir = tmp.resolve("l");
    written(dir);
    Files.delete(dir.resolve("oci-layout"));
    TestFiles.fifo(dir.resolve("oci-layout"));

    OciException e = assertThrows(OciException.class, () -> OciLayout.open(dir));

    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals("OCI layout " + dir + ": oci-layout: reading the oci-layout file: not a regular file (a FIFO)", e.getMessage());
  }

  @Test
  void dockerArchive_fifo_isBadInputWithoutOpeningIt() throws Exception {
    Path fifo = TestFiles.fifo(tmp.resolve("image.tar"));

    OciException e = assertThrows(OciException.class, () -> DockerArchive.open(fifo));

    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals("docker archive " + fifo + ": reading the archive: not a regular file (a FIFO)", e.getMessage());
  }
}
