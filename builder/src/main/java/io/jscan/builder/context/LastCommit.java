package io.jscan.builder.context;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last commit of the git work tree a build context is in: the default SOURCE_DATE_EPOCH that
 * reproducible-builds.org recommends ("the last modification of the source", {@code git log -1
 * --pretty=%ct}). Asked of the {@code git} command, found on the PATH of the environment the build
 * was given (no git library).
 *
 * <p>The answer depends only on the repository: {@code %ct} is the committer time in UTC seconds,
 * whatever the machine's clock, time zone or locale. Uncommitted changes do not move it: the time
 * is the last commit's, the content is the work tree's.
 */
public final class LastCommit {
  /** git answers in milliseconds; this only bounds a hung one (a network file system, a lock). */
  private static final long TIMEOUT_SECONDS = 60;
  private static final Pattern ANSWER = Pattern.compile("(-?[0-9]+) ([0-9a-f]{40}|[0-9a-f]{64})");

  private LastCommit() {}

  /** What looking for the last commit gave. */
  public sealed interface Lookup permits Found, NotFound {}

  /**
   * @param commit the commit's full id (sha1 or sha256 object format)
   * @param committerSeconds its committer time, seconds since 1970-01-01T00:00:00Z
   */
  public record Found(String commit, long committerSeconds) implements Lookup {
    public Found {
      Objects.requireNonNull(commit, "commit");
      if (!commit.matches("[0-9a-f]{40}|[0-9a-f]{64}")) {
        throw new IllegalArgumentException("not a git commit id: " + commit);
      }
    }

    /** The abbreviated id git prints by default (7 hex digits). */
    public String shortCommit() {
      return commit.substring(0, 7);
    }
  }

  /** @param reason why there is none, a clause naming the directory ({@code "/src/app is not in a git work tree"}) */
  public record NotFound(String reason) implements Lookup {
    public NotFound {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The last commit of the work tree {@code directory} is in. */
  public static Lookup of(Path directory, Map<String, String> environment) {
    if (!Files.isDirectory(directory)) {
      return new NotFound(directory + " is not a directory");
    }
    Optional<Path> git = onPath("git", environment.get("PATH"));
    if (git.isEmpty()) {
      return new NotFound("there is no git command on the PATH");
    }
    ProcessBuilder pb = new ProcessBuilder(List.of(git.get().toString(),
        // a repository's config must not make log run gpg (log.showSignature) or anything else
        "-c", "log.showSignature=false", "-C", directory.toString(), "log", "-1", "--no-color", "--format=%ct %H"));
    pb.environment().clear();
    pb.environment().putAll(gitEnvironment(environment));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new NotFound("git could not be run (" + e.getMessage() + ")");
    }
    try {
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new NotFound("git did not answer within " + TIMEOUT_SECONDS + " s in " + directory);
      }
      String error = err.join();
      if (p.exitValue() != 0) {
        return new NotFound(explain(directory, error));
      }
      Matcher m = ANSWER.matcher(out.strip());
      if (!m.matches()) {
        return new NotFound("git log answered \"" + firstLine(out) + "\" in " + directory);
      }
      return new Found(m.group(2), Long.parseLong(m.group(1)));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new NotFound("interrupted while git ran");
    } catch (NumberFormatException e) {
      return new NotFound("git log gave a commit time out of range in " + directory);
    }
  }

  /**
   * The environment git runs with: the build's, without the {@code GIT_*} variables that would point
   * it at another repository or work tree than the context's ({@code GIT_DIR}, {@code GIT_WORK_TREE},
   * {@code GIT_INDEX_FILE}...), and with messages in English (they are matched below).
   */
  private static Map<String, String> gitEnvironment(Map<String, String> environment) {
    Map<String, String> env = new HashMap<>();
    environment.forEach((k, v) -> {
      if (!k.startsWith("GIT_") && !k.startsWith("LC_") && !k.equals("LANG") && !k.equals("LANGUAGE")) {
        env.put(k, v);
      }
    });
    env.put("LC_ALL", "C");
    return env;
  }

  private static String explain(Path directory, String error) {
    if (error.contains("not a git repository")) {
      return directory + " is not in a git work tree";
    }
    if (error.contains("does not have any commits yet") || error.contains("bad default revision")) {
      return directory + " is in a git work tree without a commit yet";
    }
    return "git log failed in " + directory + ": " + firstLine(error.replaceFirst("^(fatal|error): ", ""));
  }

  private static String firstLine(String s) {
    String line = s.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  /** The first 64 KiB of a stream (git log -1 writes one short line), reading the rest so git never blocks. */
  private static String read(InputStream in) {
    try (in) {
      String s = new String(in.readNBytes(64 << 10), StandardCharsets.UTF_8);
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return s;
    } catch (IOException e) {
      return "";
    }
  }

  /** The executable {@code name} in the first directory of {@code path} (a PATH value) that has one. */
  static Optional<Path> onPath(String name, String path) {
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue; // an empty entry means the working directory: never look there for a tool
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
