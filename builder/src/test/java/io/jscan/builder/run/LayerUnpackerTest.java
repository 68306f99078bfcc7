package io.jscan.builder.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.LayerRecipe;
import io.jscan.builder.testing.RunFixtures;
import io.jscan.core.FailureKind;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.OciException;
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
}
