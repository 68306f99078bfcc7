package io.jscan.core.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * The base images the RUN tests build FROM, made by the repository's recipes
 * ({@code scripts/make-busybox-base.sh}, {@code scripts/make-debian-base.sh}; both need root and
 * apt) and kept under the repository's {@code target/test-bases/} so that every test class and
 * module of one test run makes each only once (the Debian one takes 15-30 s). A file lock keeps
 * two JVMs from making one at the same time. Both are reproducible (SOURCE_DATE_EPOCH=1700000000),
 * so a kept copy is the same image a fresh one would be.
 */
public final class SharedBases {
  private SharedBases() {}

  /** A base image: its OCI layout (tag {@code latest} or {@code bookworm}) and a docker-archive of it when made. */
  public record Base(Path ociLayout, String tag, Path archive) {
    /** The reference jscan's FROM takes. */
    public String ociReference() {
      return "oci:" + ociLayout + ":" + tag;
    }
  }

  /** The busybox base: busybox-static with its applet links, /etc/passwd and /etc/group (root, nobody). */
  public static synchronized Base busybox() throws Exception {
    ExternalTool.require("umoci");
    ExternalTool.require("skopeo");
    Path dir = cacheDir().resolve("busybox");
    Path oci = dir.resolve("oci");
    Path archive = dir.resolve("busybox.tar");
    make(dir, List.of("bash", script("make-busybox-base.sh").toString(), "-o", oci.toString(), "-a", archive.toString()));
    return new Base(oci, "latest", archive);
  }

  /** The minimal Debian bookworm base (mmdebstrap minbase from this machine's apt mirror). */
  public static synchronized Base debian() throws Exception {
    ExternalTool.require("mmdebstrap");
    ExternalTool.require("umoci");
    ExternalTool.require("skopeo");
    Path dir = cacheDir().resolve("debian");
    Path oci = dir.resolve("oci");
    Path archive = dir.resolve("debian.tar");
    make(dir, List.of("bash", script("make-debian-base.sh").toString(), "-o", oci.toString(), "-a", archive.toString()));
    return new Base(oci, "bookworm", archive);
  }

  private static Path cacheDir() throws IOException {
    Path dir = RepoPaths.repoRoot().resolve("target").resolve("test-bases");
    Files.createDirectories(dir);
    return dir;
  }

  /** Runs the recipe unless its "done" marker exists; the marker is written last, so a killed run is redone. */
  private static void make(Path dir, List<String> command) throws Exception {
    Files.createDirectories(dir);
    Path done = dir.resolve("done");
    try (FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      if (Files.exists(done)) {
        return;
      }
      Path log = dir.resolve("make.log");
      ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(Map.of("SOURCE_DATE_EPOCH", "1700000000"));
      Process p = pb.start();
      if (!p.waitFor(600, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        Assertions.fail("timed out: " + command);
      }
      if (p.exitValue() != 0) {
        Assertions.fail(String.join(" ", command) + " failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      Files.writeString(done, "made by " + String.join(" ", command) + "\n");
    }
  }

  /** A recipe of the repository's {@code scripts/}. */
  public static Path script(String name) {
    Path script = RepoPaths.repoRoot().resolve("scripts").resolve(name);
    if (!Files.isRegularFile(script)) {
      Assertions.fail("scripts/" + name + " not found in the repository");
    }
    return script;
  }
}
