package io.jscan.sbom.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path normalising and symlink resolution inside a tree (never above its root). */
class TreePathsTest {
  @TempDir Path tmp;

  @Test
  void normalise_dotsSlashesAndParents_areFolded() {
    assertEquals("usr/bin/bash", TreePaths.normalise("/usr/bin/bash"));
    assertEquals("usr/bin/bash", TreePaths.normalise("usr/bin/bash"));
    assertEquals("usr/bin", TreePaths.normalise("/usr//bin/"));
    assertEquals("usr/lib/os-release", TreePaths.normalise("etc/../usr/./lib/os-release"));
    assertEquals("etc", TreePaths.normalise("/../../etc"));
    assertEquals("", TreePaths.normalise("/"));
    assertEquals("a/.hidden/..x", TreePaths.normalise("a/.hidden/..x"));
  }

  @Test
  void resolve_symlinkedParentAndFile_followsThemInsideTheRoot() throws Exception {
    Files.createDirectories(tmp.resolve("usr/lib"));
    Files.writeString(tmp.resolve("usr/lib/os-release"), "ID=x\n");
    Files.createSymbolicLink(tmp.resolve("lib"), Path.of("usr/lib"));
    Files.createDirectories(tmp.resolve("etc"));
    Files.createSymbolicLink(tmp.resolve("etc/os-release"), Path.of("../lib/os-release"));
    Files.createSymbolicLink(tmp.resolve("etc/escape"), Path.of("/../../../../etc/hostname"));
    Files.createSymbolicLink(tmp.resolve("loop"), Path.of("loop"));
    try (DirectoryTree tree = DirectoryTree.open(tmp)) {
      assertEquals(Optional.of("usr/lib/os-release"), tree.resolve("/etc/os-release").map(FileMeta::path));
      assertEquals(Optional.of("usr/lib/os-release"), tree.resolve("lib/os-release").map(FileMeta::path));
      assertEquals(Optional.empty(), tree.resolve("etc/escape"), "an absolute link resolves inside the tree, where there is no etc/hostname");
      assertEquals(Optional.empty(), tree.resolve("loop"));
      assertTrue(tree.stat("etc/os-release").orElseThrow().kind() == FileMeta.Kind.SYMLINK);
    }
  }
}
