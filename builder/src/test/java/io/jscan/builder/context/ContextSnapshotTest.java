package io.jscan.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.fs.FileTree;
import io.jscan.dockerfile.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The context walk runs on several threads; what it records must not show it. */
class ContextSnapshotTest {
  @TempDir Path tmp;

  /** 12 directories of 3 subdirectories of 4 files, a link and an ignored key; files created in reverse order when asked. */
  static Path tree(Path root, boolean reverse) throws IOException {
    List<String> files = new ArrayList<>();
    for (int d = 0; d < 12; d++) {
      for (int s = 0; s < 3; s++) {
        for (int f = 0; f < 4; f++) {
          files.add("d" + d + "/s" + s + "/f" + f + ".txt");
        }
      }
    }
    if (reverse) {
      Collections.reverse(files);
    }
    for (String f : files) {
      Path p = root.resolve(f);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "content of " + f + "\n");
    }
    Files.createSymbolicLink(root.resolve("d3/link"), Path.of("s1/f2.txt"));
    Files.writeString(root.resolve("d5/s2/secret.key"), "not for the image\n");
    return root;
  }

  static List<String> paths(ContextSnapshot s) {
    List<String> out = new ArrayList<>();
    for (FileTree.Node n : s.tree().subtree("")) {
      out.add(n.path() + " " + n.type());
    }
    return out;
  }

  @Test
  void take_sameTreeCreatedInAnotherOrder_givesTheSameEntriesAndDigest() throws Exception {
    DockerIgnore ignore = DockerIgnore.of(List.of("**/*.key"));
    ContextSnapshot a = ContextSnapshot.take(tree(tmp.resolve("a"), false), ignore, ContentHashCache.disabled());
    ContextSnapshot b = ContextSnapshot.take(tree(tmp.resolve("b"), true), ignore, ContentHashCache.disabled());
    assertEquals(paths(a), paths(b));
    assertEquals(a.digest(), b.digest());
    assertEquals(144, a.fileCount(), "12 x 3 x 4 files; the ignored key left out");
    assertEquals(144, a.hashedFiles());
    assertTrue(paths(a).contains("d3/link SYMLINK"), paths(a).toString());
    assertTrue(paths(a).indexOf("d3 DIRECTORY") < paths(a).indexOf("d3/s0 DIRECTORY"), "parents before children");
  }

  @Test
  void subtreeDigest_changeInOneDirectory_changesItAndItsParentsOnly() throws Exception {
    DockerIgnore ignore = DockerIgnore.of(List.of("**/*.key"));
    ContextSnapshot before = ContextSnapshot.take(tree(tmp.resolve("before"), false), ignore, ContentHashCache.disabled());
    Path after = tree(tmp.resolve("after"), true);
    Files.writeString(after.resolve("d4/s1/f0.txt"), "changed\n");
    Files.writeString(after.resolve("d5/s2/other.key"), "ignored, so no change\n");
    ContextSnapshot changed = ContextSnapshot.take(after, ignore, ContentHashCache.disabled());
    for (String dir : List.of("", "d4", "d4/s1")) {
      assertTrue(before.subtreeDigest(dir).isPresent(), dir);
      assertNotEquals(before.subtreeDigest(dir), changed.subtreeDigest(dir), dir);
    }
    for (String dir : List.of("d3", "d4/s0", "d4/s2", "d5", "d5/s2")) {
      assertTrue(before.subtreeDigest(dir).isPresent(), dir);
      assertEquals(before.subtreeDigest(dir), changed.subtreeDigest(dir), dir);
    }
    assertEquals(Optional.empty(), before.subtreeDigest("d4/s1/f0.txt"), "a file has none");
    assertEquals(Optional.empty(), before.subtreeDigest("missing"));
  }

  @Test
  void subtreeDigest_fileLetBackInBelowAnExcludedDirectory_noneForItsAncestors() throws Exception {
    ContextSnapshot s = ContextSnapshot.take(tree(tmp.resolve("reinclude"), false),
        DockerIgnore.of(List.of("d4", "!d4/s1/f0.txt")), ContentHashCache.disabled());
    assertTrue(s.tree().isImplied("d4"), "the tree implies the excluded directory");
    assertEquals(Optional.empty(), s.subtreeDigest(""), "the root's listing has an implied directory");
    assertEquals(Optional.empty(), s.subtreeDigest("d4"));
    assertTrue(s.subtreeDigest("d3").isPresent(), "directories beside it keep theirs");
    assertTrue(s.subtreeDigest("d4/s1").isPresent() || s.tree().isImplied("d4/s1"));
  }

  /**
   * Pins the context digest's format (one line per entry: path, type, mode, size, digest or link
   * target): provenance records it, so a change must be deliberate.
   */
  @Test
  void digest_ofAKnownTree_hasThePinnedValue() throws Exception {
    ContextSnapshot s = ContextSnapshot.take(tree(tmp.resolve("pinned"), false), DockerIgnore.of(List.of("**/*.key")),
        ContentHashCache.disabled());
    assertEquals("sha256:5baec0943c7de6606745c23755d4777e62b6a50909fb914f9662f7b402bf9ada", s.digest().toString());
  }

  @Test
  void take_undecodableNameDeepInTheTree_isOneClearError() throws Exception {
    Path root = tree(tmp.resolve("ctx"), false);
    Path deep = Files.createDirectories(root.resolve("d7/s1/deeper"));
    // a name that is not UTF-8 (byte 0xff), made by the shell: Java cannot write one
    Process p = new ProcessBuilder("sh", "-c", "printf x > \"$(printf '%s/bad\\377name' \"$1\")\"", "sh", deep.toString()).start();
    assertEquals(0, p.waitFor());
    IOException e = assertThrows(IOException.class, () -> ContextSnapshot.take(root, DockerIgnore.none(), ContentHashCache.disabled()));
    assertTrue(e.getMessage().startsWith("cannot decode the file name " + deep), e.getMessage());
  }
}
