package io.jscan.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a one-file Go program (standard library only) as an oracle: Go's own {@code filepath.Match}
 * or {@code regexp}, which BuildKit uses, against jscan's ports. Offline (no proxy, a private
 * build cache); skips the test outside CI when Go is missing ({@link ExternalTool}).
 */
public final class GoPrograms {
  private GoPrograms() {}

  /** Builds {@code mainGo} in {@code workDir} and runs it with {@code stdin}; returns its standard output. */
  public static String run(Path workDir, String mainGo, String stdin) throws IOException, InterruptedException {
    Path go = ExternalTool.require("go");
    Path src = Files.createDirectories(workDir.resolve("src"));
    Files.writeString(src.resolve("go.mod"), "module example.com/oracle\n\ngo 1.18\n");
    Files.writeString(src.resolve("main.go"), mainGo);
    Path binary = workDir.resolve("oracle");
    ProcessBuilder build = new ProcessBuilder(go.toString(), "build", "-buildvcs=false", "-o", binary.toString(), ".")
        .directory(src.toFile()).redirectErrorStream(true).redirectOutput(workDir.resolve("go-build.log").toFile());
    build.environment().put("GOPROXY", "off");
    build.environment().put("GOFLAGS", "-mod=mod");
    build.environment().put("GOCACHE", workDir.resolve("gocache").toString());
    build.environment().put("GOPATH", workDir.resolve("gopath").toString());
    build.environment().put("HOME", workDir.toString());
    build.environment().put("CGO_ENABLED", "0");
    Process b = build.start();
    assertTrue(b.waitFor(5, TimeUnit.MINUTES), "go build finished");
    assertEquals(0, b.exitValue(), Files.readString(workDir.resolve("go-build.log")));
    Process p = new ProcessBuilder(binary.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getInputStream().readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the Go oracle finished");
    assertEquals(0, p.exitValue(), "the Go oracle's exit status");
    return new String(out.join(), StandardCharsets.UTF_8);
  }
}
