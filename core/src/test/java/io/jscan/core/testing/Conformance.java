package io.jscan.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assertions;

/**
 * Where the third-party conformance corpora live: {@code ../shared/conformance} beside the
 * repository, or {@code -Djscan.conformance=DIR}. They are read in place, never copied into the repo.
 */
public final class Conformance {
  private Conformance() {}

  /** The corpus root; fails the test (never skips) when it is missing, because CI always has it. */
  public static Path root() {
    String configured = System.getProperty("jscan.conformance");
    Path root;
    if (configured != null && !configured.isBlank()) {
      root = Paths.get(configured);
    } else {
      root = RepoPaths.repoRoot().resolve("../shared/conformance");
    }
    root = root.toAbsolutePath().normalize();
    Assertions.assertTrue(
        Files.isDirectory(root), "conformance corpus not found at " + root + " (set -Djscan.conformance=DIR)");
    return root;
  }

  /** A folder of the corpus, e.g. {@code dockerfile-parser}. */
  public static Path dir(String name) {
    Path dir = root().resolve(name);
    Assertions.assertTrue(Files.isDirectory(dir), "conformance folder missing: " + dir);
    return dir;
  }
}
