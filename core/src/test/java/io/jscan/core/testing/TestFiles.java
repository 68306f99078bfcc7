package io.jscan.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** File chores of tests. */
public final class TestFiles {
  private TestFiles() {}

  /**
   * Deletes {@code dir} and everything below it, links as links (never followed). For a store that
   * holds a Debian root extracted for RUN: thousands of absolute links that JUnit would warn about
   * one by one when it deletes its temp directory.
   */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Makes a FIFO at {@code path} with mkfifo(1) (the JDK cannot); opening it for reading would block. */
  public static Path fifo(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(ExternalTool.require("mkfifo").toString(), path.toString())
        .redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("mkfifo " + path + ": " + said);
    }
    return path;
  }

  /** A sparse file of {@code size} bytes (as truncate -s does): no disk used, all zeros when read. */
  public static Path sparse(Path path, long size) throws IOException {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(path.toFile(), "rw")) {
      f.setLength(size);
    }
    return path;
  }

  /** A symbolic link at {@code link} to {@code /dev/zero}: a file that never ends. */
  public static Path linkToDevZero(Path link) throws IOException {
    return Files.createSymbolicLink(link, Path.of("/dev/zero"));
  }
}
