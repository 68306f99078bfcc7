package io.jscan.core.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.TarBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MergedFilesystemTest {

  static Layer layer(TarBuilder tar) throws OciException {
    return Layers.compress(tar.build(), Compression.GZIP);
  }

  /** path → content for files, "-> target" for symlinks, "/" for directories. */
  static Map<String, String> merged(Layer... layers) throws OciException {
    Map<String, String> result = new TreeMap<>();
    MergedFilesystem.walk(
        List.of(layers),
        (entry, content) -> {
          String value =
              switch (entry.type()) {
                case FILE -> new String(content.readAllBytes(), StandardCharsets.UTF_8);
                case SYMLINK -> "-> " + entry.linkTarget().orElseThrow();
                case DIRECTORY -> "/";
                default -> entry.type().name();
              };
          String previous = result.put(entry.path(), value);
          assertEquals(null, previous, "each path is passed on once: " + entry.path());
        });
    return result;
  }

  @Test
  void whiteout_removesTheFileFromLowerLayers() throws Exception {
    Map<String, String> fs =
        merged(layer(TarBuilder.tar().file("a.txt", "a").file("b.txt", "b")), layer(TarBuilder.tar().whiteout("a.txt")));
    assertEquals(Map.of("b.txt", "b"), fs);
  }

  @Test
  void whiteoutOfADirectory_removesEverythingUnderIt_butALaterLayerMayRecreateIt() throws Exception {
    Map<String, String> fs =
        merged(
            layer(TarBuilder.tar().dir("d").file("d/old", "old").dir("d/sub").file("d/sub/deep", "deep")),
            layer(TarBuilder.tar().whiteout("d")),
            layer(TarBuilder.tar().dir("d").file("d/new", "new")));
    assertEquals(Map.of("d", "/", "d/new", "new"), fs);
  }

  @Test
  void opaqueDirectory_hidesLowerChildren_butKeepsItsOwnLayersEntries() throws Exception {
    Map<String, String> fs =
        merged(
            layer(TarBuilder.tar().dir("etc").file("etc/old.conf", "old").file("keep", "k")),
            layer(TarBuilder.tar().dir("etc").opaque("etc").file("etc/new.conf", "new")));
    assertEquals(Map.of("etc", "/", "etc/new.conf", "new", "keep", "k"), fs);
  }

  @Test
  void whiteout_doesNotApplyToItsOwnLayer() throws Exception {
    Map<String, String> fs =
        merged(layer(TarBuilder.tar().file("x", "lower")), layer(TarBuilder.tar().file("x", "upper").whiteout("x")));
    assertEquals(Map.of("x", "upper"), fs);
  }

  @Test
  void fileReplacingADirectory_hidesTheDirectorysLowerChildren() throws Exception {
    Map<String, String> fs =
        merged(layer(TarBuilder.tar().dir("p").file("p/child", "c")), layer(TarBuilder.tar().symlink("p", "/elsewhere")));
    assertEquals(Map.of("p", "-> /elsewhere"), fs);
  }

  @Test
  void upperFile_winsOverLowerFile_andPathsAreNormalised() throws Exception {
    Map<String, String> fs =
        merged(layer(TarBuilder.tar().file("./dir/f", "old")), layer(TarBuilder.tar().file("/dir//f", "new")));
    assertEquals(Map.of("dir/f", "new"), fs);
  }

  @Test
  void entries_carryTheirLayerIndex() throws Exception {
    List<Integer> layers = new ArrayList<>();
    MergedFilesystem.walk(
        List.of(layer(TarBuilder.tar().file("low", "l")), layer(TarBuilder.tar().file("high", "h"))),
        (entry, content) -> layers.add(entry.layerIndex()));
    assertEquals(List.of(1, 0), layers, "top layer first");
  }

  @Test
  void pathLeavingTheRoot_failsAsIntegrity() {
    OciException e = assertThrows(OciException.class, () -> merged(layer(TarBuilder.tar().file("../etc/passwd", "x"))));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().startsWith("layer 1 sha256:"), e.getMessage());
    assertTrue(e.getMessage().endsWith("path \"../etc/passwd\" leaves the root"), e.getMessage());
  }

  @Test
  void pathLeavingTheRootWithALineBreak_isNamedOnOneLine() {
    // the class of bug LayerListingsFuzzTest found in the builder's listing: a path quoted raw
    OciException e = assertThrows(OciException.class, () -> merged(layer(TarBuilder.tar().file("../a\nb\u001b[2J", "x"))));
    assertTrue(e.getMessage().endsWith("path \"../a\\nb\\x1b[2J\" leaves the root"), e.getMessage());
  }

  @Test
  void fileTwiceInOneLayer_failsAsIntegrity() {
    OciException e =
        assertThrows(OciException.class, () -> merged(layer(TarBuilder.tar().file("f", "first").file("f", "second"))));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("f appears twice in the layer"), e.getMessage());
  }

  @Test
  void directoryTwiceInOneLayer_isAccepted() throws Exception {
    assertEquals(Map.of("d", "/", "d/f", "x"), merged(layer(TarBuilder.tar().dir("d").file("d/f", "x").dir("d"))));
  }
}
