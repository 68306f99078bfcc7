package io.jscan.builder.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.fs.FsEntry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Paths, Go's filepath.Match, symbolic-link resolution inside a root, and /etc/passwd lookups. */
class FsTest {
  static FileTree.Node link(String path, String target) {
    return new FileTree.Node(path, FsEntry.Type.SYMLINK, 0777, 0, 0, 0, Optional.of(target), 0, 0, -1);
  }

  static FileTree.Node file(String path) {
    return new FileTree.Node(path, FsEntry.Type.FILE, 0644, 0, 0, 1, Optional.empty(), 0, 0, -1);
  }

  @Test
  void goGlob_matchesLikeFilepathMatch() {
    assertTrue(GoGlob.matches("*.txt", "a.txt"));
    assertFalse(GoGlob.matches("*.txt", "sub/a.txt"), "a star never crosses a separator");
    assertTrue(GoGlob.matches("*/a.txt", "sub/a.txt"));
    assertTrue(GoGlob.matches("index.?s", "index.js"));
    assertTrue(GoGlob.matches("arr[[]0].txt", "arr[0].txt"));
    assertTrue(GoGlob.matches("[^a-c]x", "dx"));
    assertFalse(GoGlob.matches("[^a-c]x", "bx"));
    assertTrue(GoGlob.matches("a\\*b", "a*b"));
    assertThrows(IllegalArgumentException.class, () -> GoGlob.matches("[]", "x"));
    assertTrue(GoGlob.containsWildcards("a*"));
    assertFalse(GoGlob.containsWildcards("a\\*"));
  }

  @Test
  void pathNames_cleanAndTreeOrder() {
    assertEquals("a/b", PathNames.cleanAbsolute("/../a/./b//"));
    assertEquals(null, PathNames.cleanInside("../x"));
    assertEquals("x", PathNames.cleanInside("a/../x"));
    List<String> sorted = new java.util.ArrayList<>(List.of("a-b", "a/b", "a", "\uD83D\uDE00", "\uFFFD"));
    sorted.sort(PathNames.TREE_ORDER);
    assertEquals(List.of("a", "a/b", "a-b", "\uFFFD", "\uD83D\uDE00"), sorted, "code point order, separator first");
  }

  /** The order spelt out: code point by code point, '/' before everything, a prefix first. */
  private static int referenceTreeOrder(String a, String b) {
    int[] x = a.codePoints().map(c -> c == '/' ? -1 : c).toArray();
    int[] y = b.codePoints().map(c -> c == '/' ? -1 : c).toArray();
    return java.util.Arrays.compare(x, y);
  }

  @Test
  void treeOrder_onRandomNamesWithSeparatorsAndSurrogatePairs_isCodePointOrderWithTheSeparatorFirst() {
    String[] pieces = {"a", "b", "-", "/", ".", "\uFFFD", "\uE000", "\uD83D\uDE00", "\uD83D\uDE01", "\u00E9"};
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder a = new StringBuilder();
      StringBuilder b = new StringBuilder();
      int shared = random.nextInt(4);
      for (int k = 0; k < shared; k++) {
        String p = pieces[random.nextInt(pieces.length)];
        a.append(p);
        b.append(p);
      }
      for (int k = random.nextInt(3); k > 0; k--) {
        a.append(pieces[random.nextInt(pieces.length)]);
      }
      for (int k = random.nextInt(3); k > 0; k--) {
        b.append(pieces[random.nextInt(pieces.length)]);
      }
      String x = a.toString();
      String y = b.toString();
      assertEquals(Integer.signum(referenceTreeOrder(x, y)), Integer.signum(PathNames.TREE_ORDER.compare(x, y)), x + " vs " + y);
    }
  }

  @Test
  void resolve_followsLinksInsideTheRoot_andStrictModeReportsEscapes() throws Exception {
    FileTree t = new FileTree();
    t.put(FileTree.Node.directory("run", 0755, 0, 0));
    t.put(link("var/run", "../run"));
    t.put(link("abs", "/run"));
    t.put(link("escape", "../../etc"));
    t.put(file("etc/passwd"));
    t.put(link("loop", "loop"));
    assertEquals("run/x", t.resolve("var/run/x", true, false).path());
    assertEquals("run", t.resolve("abs", true, false).path());
    assertTrue(t.resolve("abs", true, true).leftRoot());
    assertEquals("etc", t.resolve("escape", true, false).path(), "outside the root: kept at the root");
    assertTrue(t.resolve("escape", true, true).leftRoot());
    assertEquals(Optional.of("etc/passwd"), t.resolve("etc/passwd/x", true, false).blockedBy());
    assertThrows(FileTree.TooManyLinksException.class, () -> t.resolve("loop", true, false));
    assertTrue(t.resolve("var/run", false, false).node().orElseThrow().isSymlink());
  }

  @Test
  void userDatabase_resolvesNamesAndNumbers() {
    UserDatabase db = UserDatabase.parse(
        Optional.of("root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\n".getBytes()),
        Optional.of("root:x:0:\nstaff:x:50:\n".getBytes()));
    assertEquals(new UserDatabase.Owner(1000, 1001), db.resolve("app"));
    assertEquals(new UserDatabase.Owner(1000, 50), db.resolve("app:staff"));
    assertEquals(new UserDatabase.Owner(42, 42), db.resolve("42"));
    assertEquals(new UserDatabase.Owner(42, 7), db.resolve("42:7"));
    assertThrows(IllegalArgumentException.class, () -> db.resolve("nobody"));
    assertThrows(IllegalArgumentException.class, () -> db.resolve("app:nogroup"));
  }
}
