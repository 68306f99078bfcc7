package io.jscan.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentHashCacheTest {
  @TempDir Path tmp;

  private static final long NOW_MILLIS = 1_800_000_000_000L;
  private static final long OLD_NANOS = (NOW_MILLIS - 60_000) * 1_000_000L;

  private ContentHashCache load() {
    return ContentHashCache.load(tmp.resolve("hashes"), tmp.resolve("context"), tmp);
  }

  private Path cacheFile() throws Exception {
    try (var files = Files.list(tmp.resolve("hashes"))) {
      return files.findFirst().orElseThrow();
    }
  }

  private static FileStat stat(long size, long mtimeNanos, long inode) {
    return new FileStat(0100644, size, mtimeNanos, inode, 2049);
  }

  @Test
  void saveThenLoad_unchangedStatus_givesTheDigestBack() throws Exception {
    Files.createDirectories(tmp.resolve("hashes"));
    ContentHashCache first = load();
    FileStat a = stat(5, OLD_NANOS, 11);
    FileStat b = stat(7, OLD_NANOS, 12);
    first.record("a.txt", a, Digest.sha256("a"));
    first.record("dir/ünïcödé €.txt", b, Digest.sha256("b"));
    first.save(NOW_MILLIS);
    assertTrue(first.changed());

    ContentHashCache second = load();
    assertEquals(Optional.of(Digest.sha256("a")), second.lookup("a.txt", a));
    assertEquals(Optional.of(Digest.sha256("b")), second.lookup("dir/ünïcödé €.txt", b));
    assertEquals(Optional.empty(), second.lookup("a.txt", stat(6, OLD_NANOS, 11)), "size changed");
    assertEquals(Optional.empty(), second.lookup("a.txt", stat(5, OLD_NANOS + 1, 11)), "mtime changed");
    assertEquals(Optional.empty(), second.lookup("a.txt", stat(5, OLD_NANOS, 99)), "inode changed");
    assertEquals(Optional.empty(), second.lookup("a.txt", new FileStat(0100755, 5, OLD_NANOS, 11, 2049)), "mode changed");
    assertEquals(Optional.empty(), second.lookup("missing", a));

    // the same entries again: nothing to write
    second.record("a.txt", a, Digest.sha256("a"));
    second.record("dir/ünïcödé €.txt", b, Digest.sha256("b"));
    second.save(NOW_MILLIS);
    assertFalse(second.changed());

    // one digest differs: written again
    ContentHashCache third = load();
    third.record("a.txt", a, Digest.sha256("a, read again after an edit that kept size and mtime"));
    third.record("dir/ünïcödé €.txt", b, Digest.sha256("b"));
    third.save(NOW_MILLIS);
    assertTrue(third.changed());
    assertEquals(Optional.of(Digest.sha256("a, read again after an edit that kept size and mtime")), load().lookup("a.txt", a));
  }

  @Test
  void save_racyFile_isNotRemembered() throws Exception {
    ContentHashCache cache = load();
    FileStat racy = stat(5, (NOW_MILLIS - 500) * 1_000_000L, 11);
    cache.record("fresh.txt", racy, Digest.sha256("fresh"));
    cache.record("old.txt", stat(5, OLD_NANOS, 12), Digest.sha256("old"));
    cache.save(NOW_MILLIS);
    ContentHashCache loaded = load();
    assertEquals(Optional.empty(), loaded.lookup("fresh.txt", racy), "changed within the timestamp tick: read again");
    assertEquals(Optional.of(Digest.sha256("old")), loaded.lookup("old.txt", stat(5, OLD_NANOS, 12)));
  }

  @Test
  void load_damagedOrForeignFile_remembersNothing() throws Exception {
    ContentHashCache cache = load();
    FileStat a = stat(5, OLD_NANOS, 11);
    for (int i = 0; i < 50; i++) {
      cache.record("file" + i, a, Digest.sha256("content " + i));
    }
    cache.save(NOW_MILLIS);
    Path file = cacheFile();
    byte[] whole = Files.readAllBytes(file);
    for (int cut : List.of(3, 40, whole.length / 2, whole.length - 1)) {
      Files.write(file, Arrays.copyOf(whole, cut));
      assertEquals(Optional.empty(), load().lookup("file0", a), "truncated to " + cut + " bytes");
    }
    Files.write(file, "jscan-context-hashes-v2 and something else".getBytes(StandardCharsets.UTF_8));
    assertEquals(Optional.empty(), load().lookup("file0", a), "an older format");
    byte[] longer = Arrays.copyOf(whole, whole.length + 1);
    Files.write(file, longer);
    assertEquals(Optional.empty(), load().lookup("file0", a), "trailing bytes");
    Files.write(file, whole);
    assertEquals(Optional.of(Digest.sha256("content 49")), load().lookup("file49", a), "the intact file still loads");
  }
}
