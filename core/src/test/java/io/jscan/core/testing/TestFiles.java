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
}
