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

  /**
   * The corpus root; fails the test (never skips) when it is missing, because CI always has it.
   * Order: {@code -Djscan.conformance=DIR}, {@code $JSCAN_CONFORMANCE}, then {@code shared/conformance}
   * beside the repository or beside one of its parent folders (a git worktree or a clone may sit a
   * level deeper than the main checkout).
   */
  public static Path root() {
    Path root = configured().orElseGet(Conformance::besideRepository);
    Assertions.assertTrue(
        Files.isDirectory(root), "conformance corpus not found at " + root + " (set -Djscan.conformance=DIR)");
    return root;
  }

  private static java.util.Optional<Path> configured() {
    for (String value : new String[] {System.getProperty("jscan.conformance"), System.getenv("JSCAN_CONFORMANCE")}) {
      if (value != null && !value.isBlank()) {
        return java.util.Optional.of(Paths.get(value).toAbsolutePath().normalize());
      }
    }
    return java.util.Optional.empty();
  }

  private static Path besideRepository() {
    Path repo = RepoPaths.repoRoot();
    for (Path dir = repo.getParent(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/conformance");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return repo.resolve("../shared/conformance").toAbsolutePath().normalize();
  }

  /** A folder of the corpus, e.g. {@code dockerfile-parser}. */
  public static Path dir(String name) {
    Path dir = root().resolve(name);
    Assertions.assertTrue(Files.isDirectory(dir), "conformance folder missing: " + dir);
    return dir;
  }
}
