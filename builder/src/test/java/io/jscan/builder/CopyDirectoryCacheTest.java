package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.build;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache key of a COPY of a context directory: every kind of change below the directory must
 * miss the cache, and changes beside it, or the same tree elsewhere on disk, must not.
 */
class CopyDirectoryCacheTest {
  @TempDir Path tmp;

  private interface Change {
    void apply(Path context) throws Exception;
  }

  private static Path context(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("src/sub/deep"));
    Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nCOPY other.txt /\nCOPY src/ /app/\n");
    Files.writeString(dir.resolve("other.txt"), "outside the copied directory\n");
    Files.writeString(dir.resolve("src/a.txt"), "a\n");
    Files.writeString(dir.resolve("src/sub/b.txt"), "bbb\n");
    Files.writeString(dir.resolve("src/sub/deep/c.txt"), "ccc\n");
    Files.createSymbolicLink(dir.resolve("src/link"), Path.of("sub/b.txt"));
    return dir;
  }

  private static List<String> listing(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return new ArrayList<>(s.map(p -> root.relativize(p).toString()).sorted().toList());
    }
  }

  private void assertMisses(String what, Change change) throws Exception {
    Path ctx = context(tmp.resolve(what.replace(' ', '-')));
    try (LocalStore store = LocalStore.open(tmp.resolve("home-" + what.replace(' ', '-')))) {
      BuildResult first = build(store, request(ctx));
      change.apply(ctx);
      BuildResult second = build(store, request(ctx));
      assertEquals(1, second.layersBuilt(), what + ": the COPY of src/ must be rebuilt");
      assertEquals(1, second.layersReused(), what + ": the COPY of other.txt below it is unchanged");
      assertNotEquals(first.manifestDigest(), second.manifestDigest(), what);
      BuildResult third = build(store, request(ctx));
      assertEquals(0, third.layersBuilt(), what + ": then unchanged again");
      assertEquals(second.manifestDigest(), third.manifestDigest(), what);
    }
  }

  @Test
  void copyDirectory_contentChangedDeepBelow_missesTheCache() throws Exception {
    assertMisses("content same size", c -> Files.writeString(c.resolve("src/sub/deep/c.txt"), "CCC\n"));
  }

  @Test
  void copyDirectory_executeBitSet_missesTheCache() throws Exception {
    assertMisses("exec bit", c -> Files.setPosixFilePermissions(c.resolve("src/sub/b.txt"), PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  @Test
  void copyDirectory_fileAddedRemovedOrRenamed_missesTheCache() throws Exception {
    assertMisses("added", c -> Files.writeString(c.resolve("src/sub/deep/new.txt"), "new\n"));
    assertMisses("removed", c -> Files.delete(c.resolve("src/a.txt")));
    assertMisses("renamed", c -> Files.move(c.resolve("src/sub/b.txt"), c.resolve("src/sub/b2.txt")));
    assertMisses("empty dir added", c -> Files.createDirectory(c.resolve("src/sub/empty")));
  }

  @Test
  void copyDirectory_symlinkRetargetedOrFileTurnedDirectory_missesTheCache() throws Exception {
    assertMisses("link retargeted", c -> {
      Files.delete(c.resolve("src/link"));
      Files.createSymbolicLink(c.resolve("src/link"), Path.of("a.txt"));
    });
    assertMisses("file to dir", c -> {
      Files.delete(c.resolve("src/a.txt"));
      Files.createDirectories(c.resolve("src/a.txt"));
    });
  }

  @Test
  void copyDirectory_changeOutsideTheDirectory_keepsItsLayer() throws Exception {
    Path ctx = context(tmp.resolve("outside"));
    try (LocalStore store = LocalStore.open(tmp.resolve("home-outside"))) {
      BuildResult first = build(store, request(ctx));
      Files.writeString(ctx.resolve("unused.txt"), "not copied\n");
      Files.createDirectories(ctx.resolve("src2"));
      Files.writeString(ctx.resolve("src2/x.txt"), "a sibling whose name starts like the copied directory\n");
      BuildResult second = build(store, request(ctx));
      assertEquals(0, second.layersBuilt());
      assertEquals(first.manifestDigest(), second.manifestDigest());
      assertNotEquals(first.contextDigest(), second.contextDigest(), "the context itself did change");
    }
  }

  @Test
  void copyDirectory_sameTreeElsewhereOnDisk_hitsTheCache() throws Exception {
    Path one = context(tmp.resolve("one"));
    Path two = context(tmp.resolve("two"));
    try (LocalStore store = LocalStore.open(tmp.resolve("home-two"))) {
      BuildResult first = build(store, request(one));
      BuildResult second = build(store, request(two));
      assertEquals(0, second.layersBuilt(), "the key depends on the tree, not where it is on disk");
      assertEquals(first.manifestDigest(), second.manifestDigest());
      assertEquals(listing(one.resolve("src")), listing(two.resolve("src")));
    }
  }
}
