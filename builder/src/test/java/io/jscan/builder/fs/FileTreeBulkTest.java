package io.jscan.builder.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jscan.core.fs.FsEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@link FileTree#inTreeOrder} makes the tree that {@link FileTree#put} one by one makes. */
class FileTreeBulkTest {
  private static final String[] NAMES = {"a", "b", "B", "a.b", "a-b", "z", "é", "日本", "a b", "_"};

  /** A random tree's entries in tree order, with some directories left out (as .dockerignore leaves them). */
  private static List<FileTree.Node> randomEntries(Random random) {
    TreeSet<String> paths = new TreeSet<>(PathNames.TREE_ORDER);
    List<String> dirs = new ArrayList<>(List.of(""));
    for (int i = 0; i < 200; i++) {
      String parent = dirs.get(random.nextInt(dirs.size()));
      String path = PathNames.join(parent, NAMES[random.nextInt(NAMES.length)] + random.nextInt(3));
      if (paths.add(path) && random.nextInt(3) == 0) {
        dirs.add(path);
      }
    }
    List<FileTree.Node> out = new ArrayList<>();
    for (String p : paths) {
      boolean dir = dirs.contains(p);
      if (dir && random.nextInt(8) == 0) {
        continue; // a directory only implied by what is below it
      }
      out.add(dir
          ? FileTree.Node.directory(p, 0755, 0, 0)
          : random.nextBoolean()
              ? new FileTree.Node(p, FsEntry.Type.FILE, 0644, 0, 0, random.nextInt(100), Optional.empty(), 0, 0, -1)
              : new FileTree.Node(p, FsEntry.Type.SYMLINK, 0777, 0, 0, 0, Optional.of("x"), 0, 0, -1));
    }
    return out;
  }

  private static FileTree oneByOne(List<FileTree.Node> entries) {
    FileTree t = new FileTree();
    entries.forEach(t::put);
    return t;
  }

  private static List<String> describe(FileTree t) {
    List<String> out = new ArrayList<>();
    for (FileTree.Node n : t.subtree("")) {
      out.add(n + (t.isImplied(n.path()) ? " implied" : "") + " children " + t.children(n.path()));
    }
    out.add("root children " + t.children(""));
    return out;
  }

  @Test
  void inTreeOrder_walkOrder_sameTreeAsPuttingOneByOne() {
    Random random = new Random(20261128);
    for (int round = 0; round < 200; round++) {
      List<FileTree.Node> entries = randomEntries(random);
      assertEquals(describe(oneByOne(entries)), describe(FileTree.inTreeOrder(entries)), "round " + round);
    }
  }

  @Test
  void inTreeOrder_anyOtherOrder_stillTheSameTree() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      List<FileTree.Node> entries = randomEntries(random);
      FileTree expected = oneByOne(entries);
      List<FileTree.Node> shuffled = new ArrayList<>(entries);
      Collections.shuffle(shuffled, random);
      // put one by one, a directory after its content makes the content implied first; the bulk
      // path must give what put gives for the same order
      assertEquals(describe(oneByOne(shuffled)), describe(FileTree.inTreeOrder(shuffled)), "round " + round);
      assertEquals(expected.size(), FileTree.inTreeOrder(shuffled).size(), "round " + round);
    }
  }
}
