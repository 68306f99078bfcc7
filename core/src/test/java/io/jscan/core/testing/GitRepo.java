package io.jscan.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Git work trees made by the real {@code git} for tests of what jscan takes from them (the last
 * commit's time as SOURCE_DATE_EPOCH): no user or system configuration is read, and the test's
 * identity and dates are given explicitly, so the commits are the same on every machine.
 */
public final class GitRepo {
  private GitRepo() {}

  /**
   * Runs {@code git -C dir ARGS} with {@code extra} in its environment (no {@code GIT_*} variables
   * of this process, no system config, {@code home} as HOME); returns its output, stripped.
   */
  public static String git(Path dir, Path home, Map<String, String> extra, String... args) throws Exception {
    Path git = ExternalTool.require("git");
    List<String> command = new ArrayList<>(List.of(git.toString(), "-c", "user.name=jscan tests", "-c", "user.email=tests@jscan.invalid",
        "-c", "init.defaultBranch=main", "-c", "commit.gpgSign=false", "-C", dir.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
    pb.environment().put("HOME", home.toString());
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().putAll(extra);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "git timed out: " + command);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    return out.strip();
  }

  /**
   * Makes {@code dir} a work tree whose one commit holds everything in it, committed at
   * {@code committerSeconds} (with a +05:30 offset: git's %ct is UTC seconds whatever the offset)
   * and authored at another time; returns the commit's id.
   */
  public static String commitAll(Path dir, Path home, long committerSeconds) throws Exception {
    git(dir, home, Map.of(), "init", "-q");
    git(dir, home, Map.of(), "add", "-A");
    git(dir, home, Map.of("GIT_COMMITTER_DATE", committerSeconds + " +0530", "GIT_AUTHOR_DATE", "1500000000 -0800"),
        "commit", "-q", "-m", "test commit");
    return git(dir, home, Map.of(), "rev-parse", "HEAD");
  }
}
