package io.jscan.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.HostileTar;
import io.jscan.core.testing.TarBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the builder reads of a base image's layers: the entries a runtime extracts (issue 16). */
class LayerListingsTest {
  @TempDir Path tmp;

  /** A global header a POSIX reader would apply: "decoy" swallows "usr/bin/hidden" as content and everything is root's. */
  static byte[] globalHeaderLayer() {
    return HostileTar.tar()
        .globalPax(HostileTar.records("size", "1536", "uid", "0"))
        .dir("usr").dir("usr/bin")
        .header(HostileTar.header('0', "decoy", 1).uid(1000)).data("x")
        .file("usr/bin/hidden", 04755, "hidden content".getBytes(StandardCharsets.US_ASCII))
        .end().build();
  }

  private static Layer layer(byte[] tar) throws OciException {
    return Layers.compress(tar, Compression.GZIP);
  }

  @Test
  void read_globalPaxHeader_listsTheEntriesTheRuntimeExtracts() throws Exception {
    List<LayerListings.Item> items = LayerListings.read(layer(globalHeaderLayer()), "layer 1");
    Map<String, LayerListings.Item> byPath = new HashMap<>();
    items.forEach(i -> byPath.put(i.path(), i));
    assertEquals(Set.of("usr", "usr/bin", "decoy", "usr/bin/hidden"), byPath.keySet());
    assertEquals(1000, byPath.get("decoy").uid());
    assertEquals(1, byPath.get("decoy").size());
    assertEquals(04755, byPath.get("usr/bin/hidden").mode());
  }

  @Test
  void read_fileTwiceInALayer_isAnIntegrityFailure() throws Exception {
    // extraction keeps the second copy, LayerFiles would hand out the first
    byte[] tar = TarBuilder.tar().file("etc/passwd", "first").file("etc/passwd", "second").build();
    OciException e = assertThrows(OciException.class, () -> LayerListings.read(layer(tar), "layer 1"));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("etc/passwd appears twice in the layer"), e.getMessage());
  }

  @Test
  void read_directoryTwiceInALayer_isFine() throws Exception {
    byte[] tar = TarBuilder.tar().dir("etc").dir("etc").file("etc/a", "a").build();
    assertEquals(3, LayerListings.read(layer(tar), "layer 1").size());
  }

  @Test
  void read_entryOfATypeNoRuntimeExtracts_isAnIntegrityFailure() throws Exception {
    byte[] tar = HostileTar.tar().header(HostileTar.header('S', "sparse", 0).gnu().octal(483, 12, 0)).end().build();
    OciException e = assertThrows(OciException.class, () -> LayerListings.read(layer(tar), "layer 1"));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("type 'S' (GNU sparse file), which container runtimes refuse to extract"), e.getMessage());
  }

  @Test
  void read_malformedTar_isAnIntegrityFailure() throws Exception {
    byte[] tar = TarBuilder.tar().file("a", "a").build();
    tar[10] ^= 1;
    OciException e = assertThrows(OciException.class, () -> LayerListings.read(layer(tar), "layer 1"));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().startsWith("layer 1: malformed tar: header checksum mismatch"), e.getMessage());
  }

  @Test
  void layerFiles_globalPaxHeader_readsTheFileTheRuntimeExtracts() throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    Set<String> missing = LayerFiles.read(layer(globalHeaderLayer()), Set.of("usr/bin/hidden", "decoy"), "layer 1", (path, in) -> {
      if (path.equals("usr/bin/hidden")) {
        in.transferTo(got);
      }
    });
    assertEquals(Set.of(), missing);
    assertEquals("hidden content", got.toString(StandardCharsets.US_ASCII));
  }

  @Test
  void of_listingCachedByAnOlderJscan_isReadAgain() throws Exception {
    // a v1 listing was made by Commons Compress, which applies global headers: it must not be trusted
    Layer l = layer(globalHeaderLayer());
    Path dir = tmp.resolve("listings");
    Path cached = dir.resolve(l.diffId().algorithm()).resolve(l.diffId().encoded());
    Files.createDirectories(cached.getParent());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      out.writeUTF("jscan-layer-listing-v1");
      out.writeInt(1);
      out.writeByte(LayerListings.Kind.ENTRY.ordinal());
      out.writeUTF("decoy");
      out.writeByte(FsEntry.Type.FILE.ordinal());
      out.writeInt(0644);
      out.writeLong(0);
      out.writeLong(0);
      out.writeLong(1536);
      out.writeBoolean(false);
      out.writeInt(0);
      out.writeInt(0);
    }
    Files.write(cached, bytes.toByteArray());
    Files.createDirectories(tmp.resolve("staging"));
    List<LayerListings.Item> items = new LayerListings(Optional.of(dir), tmp.resolve("staging")).of(l, "layer 1");
    assertTrue(items.stream().anyMatch(i -> i.path().equals("usr/bin/hidden")), items.toString());
  }

  private static OciException listingFails(byte[] tar) {
    LayerListings listings = new LayerListings(Optional.empty(), Path.of("unused"));
    return assertThrows(OciException.class,
        () -> listings.of(Layers.fromBytes(tar, MediaTypes.OCI_LAYER, Digest.sha256(tar)), "layer 1"));
  }

  @Test
  void of_invalidWhiteoutNamedWithALineBreak_isAnIntegrityFailureOnOneLine() {
    // found by LayerListingsFuzzTest: the entry's path was quoted raw, line breaks and all
    OciException e = listingFails(TarBuilder.tar().file("evil\r\n/.wh..", "").build());

    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertEquals("layer 1: invalid whiteout evil\\r\\n/.wh..", e.getMessage());
  }

  @Test
  void of_hardLinkOutOfTheRootNamedWithALineBreak_isAnIntegrityFailureOnOneLine() {
    OciException e = listingFails(TarBuilder.tar().hardlink("x\ny", "../../etc/shadow").build());

    assertEquals("layer 1: hard link x\\ny points outside the root", e.getMessage());
  }

  @Test
  void of_pathLeavingTheRootWithAnEscapeSequence_isNamedEscaped() {
    OciException e = listingFails(TarBuilder.tar().file("../\u001b[2Jx", "").build());

    assertEquals("layer 1: path \"../\\x1b[2Jx\" leaves the root", e.getMessage());
  }

  @Test
  void of_entryOfATypeNoRuntimeExtractsNamedWithALineBreak_isAnIntegrityFailureOnOneLine() {
    // found by LayerListingsFuzzTest (fuzz/README.md): the path was quoted raw in the message
    // requireExtractable makes; every JscanException now escapes its message where it is made
    OciException e = listingFails(HostileTar.tar().header(HostileTar.header('\u00ff', "d/x\ny", 0)).end().build());

    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertTrue(e.getMessage().contains("/d/x\\ny is a tar entry of type \\xff"), e.getMessage());
  }
}
