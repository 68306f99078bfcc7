package io.jscan.core.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * podman with a store of its own (vfs driver under a test directory: nothing mounted, nothing
 * shared with the machine's podman) and the settings these VMs need (see
 * {@code ../shared/tools/container-runtime-setup.sh}): default ulimits at or below this process's
 * hard limits (root lacks CAP_SYS_RESOURCE here, podman's defaults would be refused) and
 * {@code --runtime runc} (crun refuses hybrid cgroups).
 */
public final class Podman implements AutoCloseable {
  private final Path podman;
  private final Path dir;
  private final Map<String, String> env;

  /** What a finished podman command printed. */
  public record Result(int code, String out, String err) {}

  public Podman(Path dir) throws Exception {
    this.podman = ExternalTool.require("podman");
    ExternalTool.require("runc");
    this.dir = Files.createDirectories(dir);
    long nofile = Math.min(hardLimit("-Hn"), 1048576);
    long nproc = Math.min(hardLimit("-Hu"), 32768);
    Path conf = dir.resolve("containers.conf");
    Files.writeString(conf, "[containers]\ndefault_ulimits = [\"nofile=" + nofile + ":" + nofile + "\", \"nproc=" + nproc + ":"
        + nproc + "\"]\n");
    this.env = Map.of("CONTAINERS_CONF", conf.toString());
  }

  private static long hardLimit(String flag) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", "ulimit " + flag).start();
    String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    return v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v);
  }

  /** Runs {@code podman --root ... ARGS}; fails the test unless it exits 0. */
  public Result ok(String... args) throws Exception {
    Result r = exec(args);
    Assertions.assertEquals(0, r.code(), "podman " + String.join(" ", args) + "\n" + r.out() + r.err());
    return r;
  }

  public Result exec(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(podman.toString(), "--root", dir.resolve("root").toString(), "--runroot",
        dir.resolve("run").toString(), "--storage-driver", "vfs"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    pb.redirectOutput(dir.resolve("out").toFile());
    pb.redirectError(dir.resolve("err").toFile());
    Process p = pb.start();
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      Assertions.fail("timed out: " + String.join(" ", command));
    }
    return new Result(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
  }

  /** Loads a docker-archive (the names it holds become podman's). */
  public void load(Path archive) throws Exception {
    ok("load", "-q", "-i", archive.toString());
  }

  /** {@code podman run --rm --runtime runc IMAGE COMMAND...}; its standard output. */
  public String run(String image, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "--rm", "--runtime", "runc", image));
    args.addAll(List.of(command));
    return ok(args.toArray(String[]::new)).out();
  }

  /** Removes podman's images and its store (vfs: plain directories, nothing mounted). */
  @Override
  public void close() throws Exception {
    exec("rmi", "-a", "-f");
    Path root = dir.resolve("root");
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
