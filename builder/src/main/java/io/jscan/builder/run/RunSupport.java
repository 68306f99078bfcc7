package io.jscan.builder.run;

import io.jscan.builder.BuildException;
import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;
import io.jscan.core.image.Layer;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.OciException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the RUN steps of one build share: the OCI runtime (found on first use), this process's
 * {@link RunDirectory}, how root file systems are made (overlayfs when the kernel mounts one on
 * the store's file system, else a copy), and the cache of extracted layers that overlay roots
 * use as lower directories ({@code $JSCAN_HOME/.jscan/builder/rootfs/<diff_id hex>}, each written
 * once, under a temp name, then renamed; never changed afterwards).
 *
 * <p>Nothing here is touched by a build whose RUN steps all come from the layer cache: such a
 * build needs neither root nor a runtime.
 */
public final class RunSupport implements AutoCloseable {
  /** How RUN roots are made. */
  public enum RootMode {
    /** a kernel overlay mount of cached per-layer directories, in a private mount namespace */
    OVERLAY,
    /** the layers extracted into a fresh directory for every step */
    COPY
  }

  static final String LOWER_CACHE = ".jscan/builder/rootfs";
  private static final Map<Path, RootMode> PROBED = new ConcurrentHashMap<>();

  private final Path home;
  private final Optional<String> runtimeChoice;
  private final Optional<RootMode> forcedMode;
  private final Consumer<String> log;
  private OciRuntime runtime;
  private RunDirectory directory;
  private RootMode mode;

  /**
   * @param home the store's directory
   * @param runtimeChoice {@code --runtime}
   * @param forcedMode a root mode to use instead of probing (tests use it to compare the two)
   */
  public RunSupport(Path home, Optional<String> runtimeChoice, Optional<RootMode> forcedMode, Consumer<String> log) {
    this.home = home;
    this.runtimeChoice = runtimeChoice;
    this.forcedMode = forcedMode;
    this.log = log;
  }

  void log(String line) {
    log.accept(line);
  }

  /** Removes what dead jscan processes left behind (call when a build starts). */
  public static void cleanLeftovers(Path home, Consumer<String> log) {
    RunDirectory.cleanLeftovers(home, log);
  }

  /** The runtime, found the first time a step needs it; refuses to go on without root. */
  OciRuntime runtime() throws BuildException {
    if (runtime == null) {
      requireRoot();
      runtime = OciRuntime.locate(runtimeChoice);
      log.accept("RUN steps use " + runtime.name() + " (" + runtime.executable() + ")");
    }
    return runtime;
  }

  private static void requireRoot() throws BuildException {
    Object uid;
    try {
      uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      throw new BuildException(FailureKind.BAD_INPUT, "RUN", "cannot tell whether jscan runs as root (" + e.getMessage()
          + "); RUN steps need root and Linux");
    }
    requireRoot(uid);
  }

  static void requireRoot(Object uid) throws BuildException {
    if (!Integer.valueOf(0).equals(uid)) {
      throw new BuildException(FailureKind.BAD_INPUT, "RUN", "jscan runs RUN steps with an OCI runtime as root, and this"
          + " process runs as uid " + uid + ": run jscan build as root (sudo); rootless builds are not supported yet");
    }
  }

  RunDirectory directory() throws IOException {
    if (directory == null) {
      directory = RunDirectory.create(home);
    }
    return directory;
  }

  /** The root mode: overlay when a test mount in a private namespace succeeds on the store's file system. */
  RootMode mode() throws IOException {
    if (mode == null) {
      mode = forcedMode.isPresent() ? forcedMode.get() : PROBED.computeIfAbsent(home.toAbsolutePath().normalize(), h -> probe());
      log.accept("RUN roots: " + (mode == RootMode.OVERLAY ? "overlayfs (cached layer directories)" : "a copy of the layers"));
    }
    return mode;
  }

  private RootMode probe() {
    try {
      Path dir = directory().newStep();
      for (String d : List.of("lower", "upper", "work", "merged")) {
        Files.createDirectory(dir.resolve(d));
      }
      Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "--", "mount", "-t", "overlay", "overlay",
          "-o", "lowerdir=lower,upperdir=" + dir.resolve("upper") + ",workdir=" + dir.resolve("work") + ",redirect_dir=off,"
              + "metacopy=off,index=off", dir.resolve("merged").toString())
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .start();
      String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
      boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
      AtomicFiles.deleteTree(dir);
      if (!ok) {
        log.accept("overlayfs is not available here (" + (said.isEmpty() ? "mount failed" : said) + "): RUN roots are copies");
      }
      return ok ? RootMode.OVERLAY : RootMode.COPY;
    } catch (IOException e) {
      log.accept("overlayfs could not be tried (" + e.getMessage() + "): RUN roots are copies");
      return RootMode.COPY;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return RootMode.COPY;
    }
  }

  /**
   * The directory holding {@code layer} extracted for overlayfs; extracted the first time it is
   * asked for. Empty when the layer cannot be a lower directory of its own (it lacks entries for
   * directories it writes into: see LayerUnpacker); the step then copies its root.
   */
  Optional<Path> lowerDirectory(Layer layer, String what) throws JscanException {
    Path cache = home.resolve(LOWER_CACHE);
    Path target = cache.resolve(layer.diffId().encoded());
    Path unfit = cache.resolve(layer.diffId().encoded() + ".unfit");
    if (Files.isDirectory(target)) {
      return Optional.of(target);
    }
    if (Files.exists(unfit)) {
      return Optional.empty();
    }
    try {
      Files.createDirectories(cache);
      Path tmp = directory().newStep().resolve("lower");
      Files.createDirectory(tmp);
      if (LayerUnpacker.unpack(layer, what, tmp, LayerUnpacker.Whiteouts.OVERLAY)) {
        AtomicFiles.write(unfit, "has entries in directories it has no entry for\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            cache);
        AtomicFiles.deleteTree(tmp);
        log.accept("  " + what + " writes into directories it has no entry for: steps on it copy their root");
        return Optional.empty();
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        AtomicFiles.deleteTree(tmp); // another process extracted it meanwhile: the same bytes
      }
      return Optional.of(target);
    } catch (IOException e) {
      throw new OciException(FailureKind.UNEXPECTED, what, "extracting it for RUN: " + e.getMessage(), e);
    }
  }

  /** The directory of extracted layers (lower directories are named relative to it, keeping mount options short). */
  Path lowerCache() {
    return home.resolve(LOWER_CACHE);
  }

  @Override
  public void close() throws IOException {
    if (directory != null) {
      directory.close();
      directory = null;
    }
  }
}
