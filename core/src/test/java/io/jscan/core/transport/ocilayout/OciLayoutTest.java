package io.jscan.core.transport.ocilayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {
  @TempDir Path tmp;

  private static List<String> filesUnder(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void write_thenResolveByName_givesTheSameBytes() throws Exception {
    Image image = TestImages.withLayers("a", "b");
    OciLayout layout = OciLayout.create(tmp.resolve("l"));
    layout.write(image, Optional.of("v1"));
    Image read = (Image) OciLayout.open(tmp.resolve("l")).resolve(Optional.of("v1"), Optional.empty());
    assertArrayEquals(image.manifestBytes(), read.manifestBytes());
    assertEquals(image.descriptor().digest(), read.descriptor().digest());
    assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(tmp.resolve("l/oci-layout")));
    assertEquals(
        List.of(
            "blobs/sha256/" + image.manifest().config().digest().encoded(),
            "blobs/sha256/" + image.digest().encoded(),
            "blobs/sha256/" + image.manifest().layers().get(0).digest().encoded(),
            "blobs/sha256/" + image.manifest().layers().get(1).digest().encoded(),
            "index.json",
            "oci-layout").stream().sorted().toList(),
        filesUnder(tmp.resolve("l")),
        "exactly the blobs, no temp files left");
  }

  @Test
  void write_sameNameAgain_movesTheName() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("l"));
    Image first = TestImages.withLayers("1");
    Image second = TestImages.withLayers("2");
    layout.write(first, Optional.of("latest"));
    layout.write(second, Optional.of("latest"));
    layout.write(first, Optional.empty());
    List<Descriptor> entries = layout.index().manifests();
    assertEquals(2, entries.size());
    assertEquals(second.digest(), layout.resolve(Optional.of("latest"), Optional.empty()).descriptor().digest());
    OciException ambiguous = assertThrows(OciException.class, () -> layout.resolve(Optional.empty(), Optional.empty()));
    assertTrue(ambiguous.getMessage().contains("2 images in index.json"), ambiguous.getMessage());
  }

  @Test
  void resolve_unknownName_listsWhatIsThere() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("l"));
    layout.write(TestImages.withLayers("1"), Optional.of("v1"));
    OciException e = assertThrows(OciException.class, () -> layout.resolve(Optional.of("v2"), Optional.empty()));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().endsWith("no image named \"v2\"; available: v1"), e.getMessage());
  }

  @Test
  void writeBlob_contentNotMatchingItsDescriptor_failsAndLeavesNothing() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("l"));
    Descriptor claimed = Descriptor.of(MediaTypes.OCI_LAYER, "real".getBytes());
    OciException e =
        assertThrows(OciException.class, () -> layout.writeBlob(claimed, () -> new ByteArrayInputStream("fake".getBytes())));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertFalse(layout.hasBlob(claimed.digest()));
    assertEquals(List.of("index.json", "oci-layout"), filesUnder(tmp.resolve("l")));
  }

  @Test
  void writeBlob_sourceFailingMidway_leavesNoPartialBlob() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("l"));
    byte[] content = new byte[100_000];
    Descriptor d = Descriptor.of(MediaTypes.OCI_LAYER, content);
    OciException e =
        assertThrows(
            OciException.class,
            () ->
                layout.writeBlob(
                    d,
                    () ->
                        new InputStream() {
                          int served;

                          @Override
                          public int read() throws IOException {
                            if (served++ > 50_000) {
                              throw new IOException("connection reset");
                            }
                            return 0;
                          }
                        }));
    assertEquals(FailureKind.UNEXPECTED, e.kind());
    assertFalse(layout.hasBlob(d.digest()));
    assertEquals(List.of("index.json", "oci-layout"), filesUnder(tmp.resolve("l")));
  }

  @Test
  void create_inANonEmptyDirectory_refuses() throws Exception {
    Files.writeString(tmp.resolve("stuff.txt"), "x");
    OciException e = assertThrows(OciException.class, () -> OciLayout.create(tmp));
    assertTrue(e.getMessage().contains("not empty"), e.getMessage());
  }

  @Test
  void open_withoutOciLayoutFile_isBadInput() throws Exception {
    OciException e = assertThrows(OciException.class, () -> OciLayout.open(tmp));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    Files.writeString(tmp.resolve("oci-layout"), "{\"imageLayoutVersion\":\"2.0.0\"}");
    OciException v2 = assertThrows(OciException.class, () -> OciLayout.open(tmp));
    assertTrue(v2.getMessage().contains("unsupported version \"2.0.0\""), v2.getMessage());
  }

  @Test
  void gc_removesBlobsOfAnImageNoLongerListed_andKeepsExtraRoots() throws Exception {
    OciLayout layout = OciLayout.create(tmp.resolve("l"));
    Image keep = TestImages.withLayers("keep");
    Image drop = TestImages.withLayers("drop", "more");
    layout.write(keep, Optional.of("keep"));
    layout.write(drop, Optional.of("drop"));
    layout.updateIndex(entries -> entries.stream().filter(d -> d.refName().orElse("").equals("keep")).toList());
    Digest cached = drop.manifest().layers().get(0).digest();
    List<Digest> removed = layout.gc(List.of(cached));
    assertEquals(3, removed.size(), "manifest, config and one layer of the dropped image");
    assertTrue(layout.hasBlob(cached));
    Artifact kept = layout.resolve(Optional.of("keep"), Optional.empty());
    assertEquals(keep.digest(), kept.descriptor().digest());
  }
}
