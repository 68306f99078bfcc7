package io.jscan.builder.run;

import io.jscan.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Everything one jscan process's RUN steps leave on the machine while they run, in one directory,
 * {@code $JSCAN_HOME/.jscan/run/<id>/}, so that a process killed at any moment (even with SIGKILL)
 * can be cleaned up by the next one ({@link #cleanLeftovers}):
 *
 * <ul>
 *   <li>{@code owner}: the owning process's PID and start time (a PID alone may be reused);
 *   <li>{@code state}: one line per runtime process started ({@code process PID START}) and per
 *       container ({@code container RUNTIME ID}), each written <em>before</em> the thing it names
 *       exists, so nothing can run that the file does not name;
 *   <li>one directory per step: the bundle, the root file system (upper and work directories of
 *       an overlay, or a copy), secrets, bind-mount sources.
 * </ul>
 *
 * <p>The overlay is mounted in a private mount namespace of the runtime process, never in the
 * host's: when that process and its container are gone, so is the mount, however jscan ended.
 * The cleaner still unmounts anything it finds mounted below a dead process's directory.
 */
final class RunDirectory implements AutoCloseable {
  static final String DIRECTORY = ".jscan/run";
  /** A directory still being created is left alone this long: its owner may not have written its owner file yet. */
  private static final Duration STALE_AFTER = Duration.ofMinutes(1);

  private final Path dir;
  private int steps;

  private RunDirectory(Path dir) {
    this.dir = dir;
  }

  /** Makes this process's directory under {@code home} (readable by root only: secrets pass through it). */
  static RunDirectory create(Path home) throws IOException {
    Path parent = home.resolve(DIRECTORY);
    Files.createDirectories(parent);
    String id = UUID.randomUUID().toString();
    Path creating = parent.resolve("." + id + ".creating");
    Files.createDirectory(creating, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    ProcessHandle self = ProcessHandle.current();
    String owner = self.pid() + " " + startMillis(self).orElse(0L) + "\n";
    Files.writeString(creating.resolve("owner"), owner, StandardCharsets.US_ASCII);
    Path dir = parent.resolve(id);
    Files.move(creating, dir, StandardCopyOption.ATOMIC_MOVE);
    return new RunDirectory(dir);
  }

  Path path() {
    return dir;
  }

  /** A fresh directory for the next step. */
  Path newStep() throws IOException {
    Path step = dir.resolve("step-" + (++steps));
    Files.createDirectory(step);
    return step;
  }

  /** Records a container before it is created. */
  void recordContainer(OciRuntime runtime, String id) throws IOException {
    append("container " + runtime.executable() + " " + id + "\n");
  }

  /** Records a runtime process right after it started. */
  void recordProcess(ProcessHandle process) throws IOException {
    append("process " + process.pid() + " " + startMillis(process).orElse(0L) + "\n");
  }

  private void append(String line) throws IOException {
    Files.writeString(dir.resolve("state"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }

  @Override
  public void close() throws IOException {
    AtomicFiles.deleteTree(dir);
  }

  static Optional<Long> startMillis(ProcessHandle p) {
    return p.info().startInstant().map(Instant::toEpochMilli);
  }

  /**
   * Removes what dead jscan processes left: kills their runtime processes, force-deletes their
   * containers, unmounts whatever is still mounted below their directories, then removes those.
   * Directories of live processes are left alone. Best effort: what cannot be removed now is
   * tried again next time, and reported to {@code log}.
   */
  static void cleanLeftovers(Path home, Consumer<String> log) {
    Path parent = home.resolve(DIRECTORY);
    if (!Files.isDirectory(parent)) {
      return;
    }
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(parent)) {
      s.forEach(dirs::add);
    } catch (IOException e) {
      log.accept("could not list " + parent + ": " + e.getMessage());
      return;
    }
    for (Path d : dirs) {
      try {
        String name = d.getFileName().toString();
        if (name.startsWith(".")) {
          if (Files.getLastModifiedTime(d).toInstant().isBefore(Instant.now().minus(STALE_AFTER))) {
            unmountBelow(d);
            AtomicFiles.deleteTree(d);
          }
          continue;
        }
        if (ownerAlive(d)) {
          continue;
        }
        clean(d, log);
      } catch (IOException | RuntimeException e) {
        log.accept("could not clean up " + d + " (left by a jscan process that ended): " + e.getMessage());
      }
    }
  }

  private static boolean ownerAlive(Path d) throws IOException {
    Path owner = d.resolve("owner");
    if (!Files.exists(owner)) {
      return false;
    }
    String[] f = Files.readString(owner, StandardCharsets.US_ASCII).trim().split(" ");
    return alive(Long.parseLong(f[0]), Long.parseLong(f[1]));
  }

  private static boolean alive(long pid, long start) {
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    return p.isPresent() && p.get().isAlive() && startMillis(p.get()).map(s -> s == start).orElse(false);
  }

  private static void clean(Path d, Consumer<String> log) throws IOException {
    Path state = d.resolve("state");
    List<String> lines = Files.exists(state) ? Files.readAllLines(state, StandardCharsets.UTF_8) : List.of();
    for (String line : lines) {
      String[] f = line.split(" ");
      if (f.length == 3 && f[0].equals("process") && alive(Long.parseLong(f[1]), Long.parseLong(f[2]))) {
        ProcessHandle.of(Long.parseLong(f[1])).ifPresent(p -> {
          p.destroyForcibly();
          try {
            p.onExit().get(10, TimeUnit.SECONDS);
          } catch (Exception ignored) {
            // a process that does not die within 10 s is left to the container's delete below
          }
        });
      }
    }
    for (String line : lines) {
      String[] f = line.split(" ");
      if (f.length == 3 && f[0].equals("container")) {
        new OciRuntime(Path.of(f[1]).getFileName().toString(), Path.of(f[1])).deleteForce(f[2]);
      }
    }
    unmountBelow(d);
    AtomicFiles.deleteTree(d);
    log.accept("cleaned up after a jscan process that ended during a RUN: " + d.getFileName() + " (" + lines.size()
        + " runtime records)");
  }

  /** Unmounts (lazily, deepest first) every mount point at or below {@code d} in this mount namespace. */
  static void unmountBelow(Path d) throws IOException {
    String prefix = d.toAbsolutePath().normalize().toString();
    List<String> points = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        String point = unescape(f[4]);
        if (point.equals(prefix) || point.startsWith(prefix + "/")) {
          points.add(point);
        }
      }
    }
    points.sort(Comparator.comparingInt(String::length).reversed());
    for (String point : points) {
      try {
        Process p = new ProcessBuilder("umount", "-l", point).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** mountinfo escapes space, tab, newline and backslash as octal (\040). */
  static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
