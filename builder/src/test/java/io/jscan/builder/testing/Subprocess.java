package io.jscan.builder.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@link BuildMain} in another JVM (another JDK, umask, time zone, locale), or starts it to kill it. */
public final class Subprocess {
  private Subprocess() {}

  /** What a finished process printed. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** The last line of stdout (BuildMain prints the digest there). */
    public String lastLine() {
      List<String> lines = stdout.strip().lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  /** The java launcher of the JDK running the tests. */
  public static Path currentJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * A shell command line that runs BuildMain with the tests' class path: {@code sh -c 'umask U; exec JAVA -cp CP ...'}.
   * The class path is this JVM's (surefire's manifest jar lists the real one).
   */
  public static List<String> buildMainCommand(Path java, String umask, List<String> args) {
    StringBuilder script = new StringBuilder("umask " + umask + "; exec " + quote(java.toString()) + " -cp "
        + quote(System.getProperty("java.class.path")) + " " + BuildMain.class.getName());
    for (String a : args) {
      script.append(' ').append(quote(a));
    }
    return List.of("sh", "-c", script.toString());
  }

  public static Process start(List<String> command, Map<String, String> env, Path logDir) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Files.createDirectories(logDir);
    pb.redirectOutput(logDir.resolve("stdout").toFile());
    pb.redirectError(logDir.resolve("stderr").toFile());
    return pb.start();
  }

  public static Result run(List<String> command, Map<String, String> env, Path logDir, long timeoutSeconds) throws Exception {
    Process p = start(command, env, logDir);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + command);
    }
    return new Result(p.exitValue(), Files.readString(logDir.resolve("stdout"), StandardCharsets.UTF_8),
        Files.readString(logDir.resolve("stderr"), StandardCharsets.UTF_8));
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** The arguments as a list. */
  public static List<String> args(String... a) {
    return new ArrayList<>(List.of(a));
  }
}
