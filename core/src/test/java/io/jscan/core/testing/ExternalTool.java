package io.jscan.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real third-party programs the integration tests run (skopeo, podman, runc, docker-registry, ...).
 * Outside CI a missing tool skips the test; with {@code CI=true} it fails it, because CI's test
 * command installs every tool first (DEVELOPERS.md "Real components, not mocks").
 */
public final class ExternalTool {
  private ExternalTool() {}

  /** The tool's path; skips the test (or fails it in CI) when it is not on the PATH. */
  public static Path require(String name) {
    Optional<Path> found = find(name);
    if (found.isEmpty()) {
      String message = name + " is not installed (run the README's test command, which installs it)";
      if (inCi()) {
        Assertions.fail(message + "; CI=true, so a missing tool is a failure");
      }
      Assumptions.abort(message);
    }
    return found.get();
  }

  public static Optional<Path> find(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : path.split(":")) {
      for (String candidate : new String[] {dir, "/usr/sbin", "/sbin"}) {
        Path p = Paths.get(candidate, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }
}
