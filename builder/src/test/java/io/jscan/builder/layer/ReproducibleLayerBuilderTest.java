package io.jscan.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.ExternalTool;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar format: sorted entries with parents, ustar headers, PAX only where needed, readable by GNU tar. */
class ReproducibleLayerBuilderTest {
  @TempDir Path tmp;

  static LayerEntry file(String path, String content) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return LayerEntry.file(path, 0644, 0, 0, b.length, ContentSource.ofBytes(b));
  }

  static byte[] tar(ReproducibleLayerBuilder b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    b.writeTar(out, 1_700_000_000L);
    return out.toByteArray();
  }

  static List<TarArchiveEntry> read(byte[] tar) throws IOException {
    List<TarArchiveEntry> out = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void entries_areInTreeOrderWithParents_whateverTheInsertionOrder() throws Exception {
    ReproducibleLayerBuilder a = ReproducibleLayerBuilder.withRootParents();
    a.add(file("a-b", "1"));
    a.add(file("a/z/y", "2"));
    a.add(file("a/b", "3"));
    ReproducibleLayerBuilder b = ReproducibleLayerBuilder.withRootParents();
    b.add(file("a/b", "3"));
    b.add(file("a/z/y", "2"));
    b.add(file("a-b", "1"));
    assertEquals(List.of("a/", "a/b", "a/z/", "a/z/y", "a-b"), read(tar(a)).stream().map(TarArchiveEntry::getName).toList());
    assertTrue(java.util.Arrays.equals(tar(a), tar(b)));
  }

  @Test
  void write_usesUstarHeadersAndPaxOnlyForWhatUstarCannotHold() throws Exception {
    String longSplittable = "d".repeat(120) + "/" + "f".repeat(90);
    String longUnsplittable = "x".repeat(160);
    ReproducibleLayerBuilder b = ReproducibleLayerBuilder.withRootParents();
    b.add(file(longSplittable, "a"));
    b.add(file(longUnsplittable, "b"));
    b.add(file("caf\u00e9.txt", "c"));
    b.add(LayerEntry.file("big-ids", 0600, 10_000_000, 20_000_000, 1, ContentSource.ofBytes(new byte[] {1})));
    byte[] tar = tar(b);
    Map<String, TarArchiveEntry> byName = new java.util.HashMap<>();
    for (TarArchiveEntry e : read(tar)) {
      byName.put(e.getName(), e);
    }
    assertTrue(byName.get(longSplittable).getExtraPaxHeaders().isEmpty());
    assertEquals(10_000_000, byName.get("big-ids").getLongUserId());
    assertEquals(20_000_000, byName.get("big-ids").getLongGroupId());
    assertTrue(byName.containsKey(longUnsplittable));
    assertTrue(byName.containsKey("caf\u00e9.txt"));
    String text = new String(tar, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("ustar\u000000"), "POSIX ustar magic and version");
    for (String volatileRecord : List.of("atime=", "ctime=", "mtime=")) {
      assertTrue(!text.contains(volatileRecord), "no " + volatileRecord + " PAX record");
    }
    assertEquals(0, tar.length % 512);
    assertTrue(java.util.Arrays.equals(new byte[1024], java.util.Arrays.copyOfRange(tar, tar.length - 1024, tar.length)),
        "ends with exactly two zero blocks after the last entry");
  }

  @Test
  void write_hardLinkSortedBeforeItsTarget_swapsSoTheContentComesFirst() throws Exception {
    ReproducibleLayerBuilder b = ReproducibleLayerBuilder.withRootParents();
    b.add(file("z/file", "content"));
    b.add(LayerEntry.hardlink("a/link", "z/file", 0644, 0, 0));
    List<TarArchiveEntry> entries = read(tar(b));
    TarArchiveEntry first = entries.get(1);
    assertEquals("a/link", first.getName());
    assertEquals(7, first.getSize());
    TarArchiveEntry link = entries.get(3);
    assertEquals("z/file", link.getName());
    assertTrue(link.isLink());
    assertEquals("a/link", link.getLinkName());
  }

  @Test
  void write_contentThatChangedSize_fails() {
    ReproducibleLayerBuilder b = ReproducibleLayerBuilder.withRootParents();
    b.add(LayerEntry.file("f", 0644, 0, 0, 10, ContentSource.ofBytes(new byte[3])));
    IOException e = assertThrows(IOException.class, () -> tar(b));
    assertTrue(e.getMessage().contains("changed while it was read"), e.getMessage());
  }

  @Test
  void write_isReadByGnuTarWithTheSameNamesModesOwnersAndTimes() throws Exception {
    Path gnuTar = ExternalTool.require("tar");
    ReproducibleLayerBuilder b = ReproducibleLayerBuilder.withRootParents();
    b.add(file("app/hello.txt", "hello"));
    b.add(LayerEntry.symlink("app/link", "hello.txt", 0, 0));
    b.add(file("d".repeat(120) + "/" + "f".repeat(90), "long"));
    Path archive = tmp.resolve("layer.tar");
    Files.write(archive, tar(b));
    ProcessBuilder pb = new ProcessBuilder(gnuTar.toString(), "--numeric-owner", "--full-time", "-tvf", archive.toString())
        .redirectErrorStream(true);
    pb.environment().put("TZ", "UTC");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.matches("(?s).*-rw-r--r-- 0/0 +5 2023-11-14 22:13:20 app/hello.txt\n.*"), out);
    assertTrue(out.matches("(?s).*lrwxrwxrwx 0/0 +0 2023-11-14 22:13:20 app/link -> hello.txt\n.*"), out);
    assertTrue(out.contains("d".repeat(120) + "/" + "f".repeat(90)), out);
  }
}
