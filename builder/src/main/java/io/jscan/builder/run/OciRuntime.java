package io.jscan.builder.run;

import io.jscan.builder.BuildException;
import io.jscan.core.FailureKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An OCI runtime that runs RUN steps: {@code runc} (the default when installed) or {@code crun},
 * or another runtime with runc's command line given by path. jscan writes the bundle itself and
 * calls {@code RUNTIME --log=FILE --log-format=json run --bundle DIR ID}; the runtime's own errors
 * go to the log file, so they are told apart from the command's output and exit status.
 *
 * @param name how messages name it ({@code runc}, {@code crun}, or the file name of a path)
 */
public record OciRuntime(String name, Path executable) {
  public OciRuntime {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(executable, "executable");
  }

  /** Where executables are looked for besides {@code $PATH}: runc is in /usr/sbin on Debian, often not on a user's PATH. */
  private static final List<String> SYSTEM_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

  /**
   * Finds the runtime to use.
   *
   * @param choice {@code runc}, {@code crun}, a path, or empty for runc when installed, else crun
   */
  public static OciRuntime locate(Optional<String> choice) throws BuildException {
    return locate(choice, OciRuntime::find);
  }

  /** {@link #locate(Optional)} with a given way of finding commands (tests). */
  static OciRuntime locate(Optional<String> choice, java.util.function.Function<String, Optional<Path>> find) throws BuildException {
    if (choice.isPresent() && choice.get().contains("/")) {
      Path p = Path.of(choice.get());
      if (!Files.isExecutable(p)) {
        throw BuildException.badInput("--runtime " + choice.get(), "not an executable file");
      }
      return new OciRuntime(p.getFileName().toString(), p.toAbsolutePath());
    }
    if (choice.isPresent()) {
      String n = choice.get();
      return find.apply(n).map(p -> new OciRuntime(n, p)).orElseThrow(() -> BuildException.badInput(n + " not found",
          "install it with `apt-get install " + n + "`" + (n.equals("runc") ? " (or choose --runtime crun)"
              : n.equals("crun") ? " (or choose --runtime runc)" : " or give --runtime a path")));
    }
    Optional<Path> runc = find.apply("runc");
    if (runc.isPresent()) {
      return new OciRuntime("runc", runc.get());
    }
    Optional<Path> crun = find.apply("crun");
    if (crun.isPresent()) {
      return new OciRuntime("crun", crun.get());
    }
    throw BuildException.badInput("runc not found", "RUN needs an OCI runtime: install it with `apt-get install runc` (or"
        + " install crun and choose --runtime crun)");
  }

  static Optional<Path> find(String command) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(SYSTEM_DIRS);
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, command);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The command line that runs a bundle in the foreground; stdio pass through to the container. */
  List<String> runCommand(Path bundle, String id, Path log) {
    return List.of(executable.toString(), "--log=" + log, "--log-format=json", "run", "--bundle", bundle.toString(), id);
  }

  /** Kills and removes a container, if it exists (best effort; a missing container is not an error). */
  void deleteForce(String id) {
    try {
      Process p = new ProcessBuilder(executable.toString(), "delete", "--force", id)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      // the runtime is gone: so is anything it could delete
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The runtime's error messages from its JSON log ({@code "level":"error"} lines), in order.
   * runc and crun both write {@code {"level":"error","msg":"..."}} when they cannot run a bundle.
   */
  static List<String> errors(Path log) {
    List<String> out = new ArrayList<>();
    try {
      if (!Files.exists(log)) {
        return out;
      }
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      for (String line : new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        try {
          com.fasterxml.jackson.databind.JsonNode n = json.readTree(line);
          String level = n.path("level").asText("");
          if (level.equals("error") || level.equals("fatal")) {
            out.add(n.path("msg").asText(line));
          }
        } catch (IOException notJson) {
          out.add(line.strip());
        }
      }
    } catch (IOException e) {
      out.add("(its log " + log + " could not be read: " + e.getMessage() + ")");
    }
    return out;
  }

  /**
   * The error for a runtime that refused to run a step, with what it said and what to try. A
   * command that cannot be started (no such executable) is the Dockerfile's fault: bad input.
   */
  BuildException refused(String step, List<String> messages) {
    String said = String.join("; ", messages);
    if (said.contains("cgroups in hybrid mode not supported")) {
      return new BuildException(FailureKind.BAD_INPUT, step, name + " refused to run the step: \"" + said + "\"; this machine"
          + " mixes cgroup v1 and v2 (hybrid mode), which crun does not support: use --runtime runc, or move the"
          + " controllers out of cgroup v2 (mount each one listed in /sys/fs/cgroup/unified/cgroup.controllers as a"
          + " v1 hierarchy)");
    }
    if (said.contains("unable to start container process") || said.contains("executable file not found")
        || said.contains("no such file or directory") && said.contains("exec")) {
      return new BuildException(FailureKind.BAD_INPUT, step, "the command could not be started: " + said);
    }
    if (said.contains("RLIMIT") || said.contains("setrlimit")) {
      return new BuildException(FailureKind.UNEXPECTED, step, name + " refused to run the step: \"" + said + "\"; the limits"
          + " jscan asked for exceed what this process may set");
    }
    return new BuildException(FailureKind.UNEXPECTED, step, name + " refused to run the step: \"" + said + "\"; check that"
        + " jscan runs as root and that " + name + " works here (`" + name + " --version`), or try --runtime "
        + (name.equals("runc") ? "crun" : "runc"));
  }
}
