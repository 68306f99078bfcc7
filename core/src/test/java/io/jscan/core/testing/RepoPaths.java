package io.jscan.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Paths inside this repository, for tests of any module (testdata/, policies/, the jscan script). */
public final class RepoPaths {
  private RepoPaths() {}

  /** The repository root: {@code -Djscan.repo} (set by the build) or the first parent holding {@code testdata/}. */
  public static Path repoRoot() {
    String configured = System.getProperty("jscan.repo");
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured).toAbsolutePath().normalize();
    }
    Path dir = Paths.get("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("testdata")) && Files.exists(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root above " + dir);
  }

  public static Path testdata(String relative) {
    return repoRoot().resolve("testdata").resolve(relative);
  }
}
