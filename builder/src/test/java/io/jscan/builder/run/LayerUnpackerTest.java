package io.jscan.builder.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.LayerRecipe;
import io.jscan.builder.testing.RunFixtures;
import io.jscan.core.FailureKind;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.HostileTar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extracting layers for a RUN root: owners, modes, times and whiteouts as stated, and never a write outside the root. */
class LayerUnpackerTest {
  @TempDir Path tmp;

  @BeforeEach
  void needRoot() throws Exception {
    RunFixtures.requireRun();
  }

  @Test
  void unpack_entryBelowALinkToAnAbsolutePath_staysInsideTheRoot() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Layer layer = new LayerRecipe()
        .link("escape", outside.toString(), TarConstants.LF_SYMLINK)
        .file("escape/planted", 0644, "x\n")
        .link("up", "../../..", TarConstants.LF_SYMLINK)
        .file("up/climbed", 0644, "y\n")
        .layer();
    Path root = Files.createDirectories(tmp.resolve("root"));
    LayerUnpacker.unpack(layer, "evil layer", root, LayerUnpacker.Whiteouts.APPLY);
    assertFalse(Files.exists(outside.resolve("planted")), "nothing written through the link to the host");
    assertTrue(Files.isRegularFile(root.resolve(outside.toString().substring(1)).resolve("planted")), "written where the link"
        + " leads inside the root");
    assertTrue(Files.isRegularFile(root.resolve("climbed")), ".. stops at the root");
  }

  @Test
  void unpack_pathClimbingOutWithALineBreak_isNamedOnOneLine() throws Exception {
    // the class of bug LayerListingsFuzzTest found in the builder's listing: a path quoted raw
    Layer layer = new LayerRecipe().file("../a\r\nb", 0644, "x").layer();
    OciException e = assertThrows(OciException.class,
        () -> LayerUnpacker.unpack(layer, "layer 1", Files.createDirectories(tmp.resolve("root")), LayerUnpacker.Whiteouts.APPLY));
    assertEquals("layer 1: path \"../a\\r\\nb\" leaves the root", e.getMessage());
  }

  @Test
  void unpack_pathClimbingOut_isAnIntegrityError() throws Exception {
    Layer layer = new LayerRecipe().file("../escaped", 0644, "x").layer();
    OciException e = assertThrows(OciException.class,
        () -> LayerUnpacker.unpack(layer, "layer 1", Files.createDirectories(tmp.resolve("root")), LayerUnpacker.Whiteouts.APPLY));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertEquals("layer 1: path \"../escaped\" leaves the root", e.getMessage());
    assertFalse(Files.exists(tmp.resolve("escaped")));
  }

  @Test
  void unpack_overlayLower_writesWhiteoutDevicesAndOpaqueAttributes() throws Exception {
    Layer layer = new LayerRecipe()
        .file(".wh.gone", 0, "")
        .dir("d", 0750).file("d/.wh..wh..opq", 0, "").file("d/kept", 04755, "k\n")
        .layer();
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    LayerUnpacker.unpack(layer, "layer", lower, LayerUnpacker.Whiteouts.OVERLAY);
    FileStatus gone = FileStatus.of(lower.resolve("gone")).orElseThrow();
    assertTrue(gone.isWhiteout(), "a character device 0/0");
    assertEquals("y", new String(LinuxFiles.getXattr(lower.resolve("d"), LinuxFiles.OVERLAY_OPAQUE).orElseThrow()));
    FileStatus kept = FileStatus.of(lower.resolve("d/kept")).orElseThrow();
    assertEquals(04755, kept.mode(), "set-user-ID kept");
    assertEquals(1_600_000_000L, kept.mtimeSeconds());
    assertEquals(0750, FileStatus.of(lower.resolve("d")).orElseThrow().mode());
    assertEquals(1_600_000_000L, FileStatus.of(lower.resolve("d")).orElseThrow().mtimeSeconds(), "a directory's time is set"
        + " after its content");
  }

  @Test
  void unpack_applyOverLowerLayers_removesWhatWhiteoutsAndOpaqueMarkersHide() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    LayerUnpacker.unpack(new LayerRecipe().file("gone", 0644, "g").dir("d", 0755).file("d/old", 0644, "o")
        .link("l", "gone", TarConstants.LF_SYMLINK).layer(), "base", root, LayerUnpacker.Whiteouts.APPLY);
    LayerUnpacker.unpack(new LayerRecipe().dir("d", 0755).file("d/new", 0644, "n").file("d/.wh..wh..opq", 0, "")
        .file(".wh.gone", 0, "").layer(), "top", root, LayerUnpacker.Whiteouts.APPLY);
    assertFalse(Files.exists(root.resolve("gone")));
    assertFalse(Files.exists(root.resolve("d/old")), "the opaque marker hides the older content");
    assertTrue(Files.exists(root.resolve("d/new")), "but not what the same layer wrote before the marker");
    assertTrue(Files.isSymbolicLink(root.resolve("l")));
    assertEquals(FsEntry.Type.SYMLINK, FileStatus.of(root.resolve("l")).orElseThrow().type().orElseThrow());
    assertFalse(Files.exists(root.resolve("l")), "the link's target is gone");
  }

  // ---- issue 16: the layer is extracted as the runtime reads it

  private Path unpack(byte[] tar) throws Exception {
    Layer layer = Layers.compress(tar, Compression.GZIP);
    Path root = Files.createDirectories(tmp.resolve("root"));
    LayerUnpacker.unpack(layer, "layer 1", root, LayerUnpacker.Whiteouts.APPLY);
    return root;
  }

  @Test
  void unpack_globalPaxHeaderWithSize_extractsTheEntriesItWouldHide() throws Exception {
    Path root = unpack(HostileTar.tar()
        .globalPax(HostileTar.records("size", "1536", "uid", "0"))
        .header(HostileTar.header('0', "decoy", 1).uid(1000).gid(1000)).data("x")
        .file("hidden", 04755, "hidden\n".getBytes(StandardCharsets.US_ASCII))
        .end().build());
    assertEquals("x", Files.readString(root.resolve("decoy")));
    assertEquals(1000, FileStatus.of(root.resolve("decoy")).orElseThrow().uid(), "the global uid applies to nothing");
    assertEquals("hidden\n", Files.readString(root.resolve("hidden")));
    assertEquals(04755, FileStatus.of(root.resolve("hidden")).orElseThrow().mode());
  }

  @Test
  void unpack_gnuSparseFile_isExpandedUnderItsSparseName() throws Exception {
    byte[] map = java.util.Arrays.copyOf("1\n4\n3\n".getBytes(StandardCharsets.US_ASCII), 512);
    byte[] data = java.util.Arrays.copyOf(map, 515);
    System.arraycopy("abc".getBytes(StandardCharsets.US_ASCII), 0, data, 512, 3);
    Path root = unpack(HostileTar.tar()
        .pax(HostileTar.records("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "real-name",
            "GNU.sparse.realsize", "10"))
        .header(HostileTar.header('0', "GNUSparseFile.0/real-name", data.length)).data(data)
        .end().build());
    assertFalse(Files.exists(root.resolve("GNUSparseFile.0")));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0}, Files.readAllBytes(root.resolve("real-name")));
  }

  @Test
  void unpack_binaryCapability_isWrittenWithItsExactBytes() throws Exception {
    // VFS_CAP_REVISION_2, cap_net_bind_service permitted and effective: bytes that are not UTF-8
    byte[] capability = {0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00};
    byte[] user = {(byte) 0xff, 0x00, (byte) 0xfe};
    Path root = unpack(HostileTar.tar()
        .paxHeader('x', concat(HostileTar.paxRecord("SCHILY.xattr.security.capability", capability),
            HostileTar.paxRecord("SCHILY.xattr.user.binary", user)))
        .file("bin/ping", 0755, new byte[] {1})
        .end().build());
    assertArrayEquals(capability, LinuxFiles.getXattr(root.resolve("bin/ping"), LinuxFiles.SECURITY_CAPABILITY).orElseThrow());
    assertArrayEquals(user, LinuxFiles.getXattr(root.resolve("bin/ping"), "user.binary").orElseThrow());
  }

  @Test
  void unpack_entryOfATypeNoRuntimeExtracts_isAnIntegrityError() throws Exception {
    OciException e = assertThrows(OciException.class, () -> unpack(HostileTar.tar()
        .header(HostileTar.header('7', "contiguous", 1)).data("c").end().build()));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertEquals("layer 1: /contiguous is a tar entry of type '7' (contiguous file), which container runtimes refuse to extract",
        e.getMessage());
  }

  @Test
  void unpack_malformedTar_isAnIntegrityError() throws Exception {
    OciException e = assertThrows(OciException.class, () -> unpack(HostileTar.tar()
        .file("a", "a").header(HostileTar.header('0', "b", 1).checksum(7)).data("b").end().build()));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().startsWith("layer 1: malformed tar: header checksum mismatch"), e.getMessage());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
