package io.jscan.builder.run;

import io.jscan.builder.BuildException;
import io.jscan.builder.fs.FileTree;
import io.jscan.builder.fs.PathNames;
import io.jscan.builder.layer.ReproducibleLayerBuilder;
import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.image.Layer;
import io.jscan.core.io.AtomicFiles;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One RUN step from root file system to layer: {@link #prepare} makes the root (overlay or copy)
 * and the bundle, {@link #run} runs the command with the runtime, {@link #changes} diffs the root
 * into a layer, {@link #close} removes everything the step made. The layer's files are read from
 * the step's directory, so close only after the layer is written.
 */
public final class StepRun implements AutoCloseable {
  /** Linux's page-sized limit on mount options; longer overlay options fall back to a copy. */
  private static final int MAX_MOUNT_OPTIONS = 4000;
  /** How many lines of output a failure quotes. */
  public static final int TAIL_LINES = 20;

  /** Makes the step's own mounts once its directory exists (bind sources, secrets, caches). */
  @FunctionalInterface
  public interface MountMaker {
    List<RuntimeConfig.Mount> make(Path scratch) throws JscanException, IOException;
  }

  /**
   * What to run.
   *
   * @param step how messages name the step ({@code Dockerfile:7})
   * @param layers the stage's layers, lowest first: the root the command runs in
   * @param before the metadata of that root (the stage's file tree)
   */
  public record Spec(
      String step,
      List<Layer> layers,
      FileTree before,
      RuntimeConfig.Process process,
      RuntimeConfig.Network network,
      MountMaker mounts) {
    public Spec {
      Objects.requireNonNull(step, "step");
      layers = List.copyOf(layers);
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(process, "process");
      Objects.requireNonNull(network, "network");
      Objects.requireNonNull(mounts, "mounts");
    }
  }

  /** How the command ended: its exit status and the last lines it printed. */
  public record Outcome(int exitCode, List<String> tail) {
    public Outcome {
      tail = List.copyOf(tail);
    }
  }

  private final RunSupport support;
  private final Spec spec;
  private final Path dir;
  private final RunSupport.RootMode mode;
  private final Path rootfs;
  private final Path upper;
  private final LowerStack lowers;
  private final String overlayOptions;
  private final CopyDiff.Snapshot snapshot;
  private final List<String> stubs;

  private StepRun(RunSupport support, Spec spec, Path dir, RunSupport.RootMode mode, Path rootfs, Path upper, LowerStack lowers,
      String overlayOptions, CopyDiff.Snapshot snapshot, List<String> stubs) {
    this.support = support;
    this.spec = spec;
    this.dir = dir;
    this.mode = mode;
    this.rootfs = rootfs;
    this.upper = upper;
    this.lowers = lowers;
    this.overlayOptions = overlayOptions;
    this.snapshot = snapshot;
    this.stubs = stubs;
  }

  /** Makes the step's directory, root file system and bundle. */
  public static StepRun prepare(RunSupport support, Spec spec) throws JscanException {
    support.runtime(); // a missing runtime or root fails the step before anything is made
    Path dir = null;
    try {
      dir = support.directory().newStep();
      Path scratch = Files.createDirectory(dir.resolve("mounts"));
      List<RuntimeConfig.Mount> mounts = spec.mounts().make(scratch);
      RunSupport.RootMode mode = support.mode();
      Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
      Path upper = null;
      LowerStack lowers = null;
      String options = null;
      CopyDiff.Snapshot snapshot = null;
      if (mode == RunSupport.RootMode.OVERLAY) {
        List<Path> names = new ArrayList<>();
        boolean fit = true;
        for (int i = spec.layers().size() - 1; i >= 0 && fit; i--) {
          Layer l = spec.layers().get(i);
          Optional<Path> lower = support.lowerDirectory(l, "layer " + (i + 1) + " " + l.descriptor().digest());
          lower.ifPresent(names::add);
          fit = lower.isPresent();
        }
        if (names.isEmpty()) {
          names.add(Files.createDirectory(dir.resolve("empty"))); // FROM scratch: overlayfs needs a lower directory
        }
        upper = Files.createDirectory(dir.resolve("upper"));
        Path work = Files.createDirectory(dir.resolve("work"));
        lowers = new LowerStack(names);
        StringBuilder lowerOption = new StringBuilder();
        for (Path p : names) {
          if (lowerOption.length() > 0) {
            lowerOption.append(':');
          }
          // named relative to the cache (the runtime process starts there): options stay short
          lowerOption.append(p.startsWith(support.lowerCache()) ? support.lowerCache().relativize(p).toString() : p.toString());
        }
        options = "lowerdir=" + lowerOption + ",upperdir=" + upper + ",workdir=" + work
            + ",redirect_dir=off,metacopy=off,index=off";
        if (!fit || options.length() > MAX_MOUNT_OPTIONS || !plainPath(upper) || names.stream().anyMatch(p -> !plainPath(p))) {
          if (fit) {
            support.log("  " + spec.layers().size() + " layers or their paths do not fit overlay mount options: this step copies"
                + " the root");
          }
          mode = RunSupport.RootMode.COPY;
          AtomicFiles.deleteTree(upper);
          AtomicFiles.deleteTree(work);
          upper = null;
          lowers = null;
          options = null;
        } else {
          copyRootMetadata(lowers, upper);
        }
      }
      if (mode == RunSupport.RootMode.COPY) {
        LinuxFiles.chmod(rootfs, 0755);
        for (int i = 0; i < spec.layers().size(); i++) {
          Layer l = spec.layers().get(i);
          LayerUnpacker.unpack(l, "layer " + (i + 1) + " " + l.descriptor().digest(), rootfs, LayerUnpacker.Whiteouts.APPLY);
        }
        snapshot = CopyDiff.snapshot(rootfs);
      }
      List<String> destinations = new ArrayList<>(RuntimeConfig.STANDARD_DESTINATIONS);
      mounts.forEach(m -> destinations.add(m.destination()));
      List<String> stubs = stubs(destinations, spec.before());
      Path bundle = Files.createDirectory(dir.resolve("bundle"));
      long nofile = Math.min(RuntimeConfig.openFilesLimit().orElse(1024L), 1L << 20);
      RuntimeConfig.write(bundle, rootfs, spec.process(), spec.network(), mounts, nofile, resolvConf());
      return new StepRun(support, spec, dir, mode, rootfs, upper, lowers, options, snapshot, stubs);
    } catch (IOException e) {
      deleteQuietly(dir);
      throw new BuildException(FailureKind.UNEXPECTED, spec.step(), "preparing the RUN step: " + e.getMessage(), e);
    } catch (JscanException | RuntimeException e) {
      deleteQuietly(dir);
      throw e;
    }
  }

  private static boolean plainPath(Path p) {
    String s = p.toString();
    return s.indexOf(',') < 0 && s.indexOf(':') < 0 && s.indexOf('\\') < 0;
  }

  /** overlayfs shows the upper directory's own owner, mode and time for the root: make them the layers'. */
  private static void copyRootMetadata(LowerStack lowers, Path upper) throws IOException {
    Optional<LowerStack.Found> root = lowers.find("");
    int mode = root.map(r -> r.status().mode()).orElse(0755);
    LinuxFiles.chown(upper, root.map(r -> r.status().uid()).orElse(0L), root.map(r -> r.status().gid()).orElse(0L));
    LinuxFiles.chmod(upper, mode);
    if (root.isPresent()) {
      setMtime(upper, root.get().status().mtimeNanos());
    }
  }

  /**
   * The host's resolver configuration, as Docker and BuildKit give a build step on the host's
   * network; Google's public resolvers when the host has none (BuildKit's fallback).
   */
  private static byte[] resolvConf() {
    try {
      return Files.readAllBytes(Path.of("/etc/resolv.conf"));
    } catch (IOException e) {
      return "nameserver 8.8.8.8\nnameserver 8.8.4.4\n".getBytes(StandardCharsets.US_ASCII);
    }
  }

  /**
   * The paths the runtime will create in the root to mount on (mount points that did not exist):
   * not the command's doing, so they are removed before the diff. A destination inside an
   * earlier mount (/dev/pts in the /dev tmpfs) is not in the root; links are followed inside the
   * root, as the runtime follows them.
   */
  static List<String> stubs(List<String> destinations, FileTree before) {
    List<String> out = new ArrayList<>();
    List<String> earlier = new ArrayList<>();
    for (String destination : destinations) {
      String rel = PathNames.cleanAbsolute(destination);
      boolean inside = earlier.stream().anyMatch(e -> !e.equals(rel) && PathNames.isAtOrBelow(rel, e) && !e.isEmpty());
      earlier.add(rel);
      if (inside || rel.isEmpty()) {
        continue;
      }
      FileTree.Resolution r;
      try {
        r = before.resolve(rel, true, false);
      } catch (FileTree.TooManyLinksException e) {
        continue; // the runtime refuses it too
      }
      if (r.exists() || r.blockedBy().isPresent()) {
        continue;
      }
      String prefix = "";
      for (String part : PathNames.components(r.path())) {
        prefix = PathNames.join(prefix, part);
        if (before.get(prefix).isEmpty() && !out.contains(prefix)) {
          out.add(prefix);
        }
      }
    }
    return out;
  }

  /**
   * Runs the command, its output going to {@code lines} as it comes (stdout and stderr merged, one
   * call per line). Errors of the runtime itself are exceptions; the command's exit status, even
   * non-zero, is the outcome.
   */
  public Outcome run(Consumer<String> lines) throws JscanException {
    OciRuntime runtime = support.runtime();
    String id = "jscan-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
    Path log = dir.resolve("runtime.log");
    Path mounted = dir.resolve("mounted");
    List<String> command = new ArrayList<>();
    File cwd = dir.toFile();
    if (mode == RunSupport.RootMode.OVERLAY) {
      // the overlay lives in a private mount namespace of the runtime process: it goes away with
      // that process and its container, however jscan ends (RunDirectory)
      command.addAll(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
          "mount -t overlay overlay -o \"$1\" \"$2\" && : > \"$3\" && shift 3 && exec \"$@\"", "jscan-run", overlayOptions,
          rootfs.toString(), mounted.toString()));
      cwd = support.lowerCache().toFile();
      try {
        Files.createDirectories(support.lowerCache());
      } catch (IOException e) {
        throw new BuildException(FailureKind.UNEXPECTED, spec.step(), "making " + support.lowerCache() + ": " + e.getMessage(), e);
      }
    }
    command.addAll(runtime.runCommand(dir.resolve("bundle"), id, log));
    Deque<String> tail = new ArrayDeque<>();
    Process process;
    Thread killer = new Thread(() -> runtime.deleteForce(id), "jscan-run-cleanup");
    try {
      support.directory().recordContainer(runtime, id);
      process = new ProcessBuilder(command)
          .directory(cwd)
          .redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      support.directory().recordProcess(process.toHandle());
    } catch (IOException e) {
      throw new BuildException(FailureKind.UNEXPECTED, spec.step(), "starting " + runtime.name() + ": " + e.getMessage(), e);
    }
    // Ctrl-C or SIGTERM: the JVM's shutdown hooks run, the container must not outlive jscan
    Runtime.getRuntime().addShutdownHook(killer);
    int exit;
    try {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          lines.accept(line);
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
      }
      exit = process.waitFor();
    } catch (IOException e) {
      process.destroyForcibly();
      runtime.deleteForce(id);
      throw new BuildException(FailureKind.UNEXPECTED, spec.step(), "reading the output of " + runtime.name() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      runtime.deleteForce(id);
      throw new BuildException(FailureKind.UNEXPECTED, spec.step(), "interrupted");
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or ran
      }
    }
    if (mode == RunSupport.RootMode.OVERLAY && !Files.exists(mounted)) {
      throw new BuildException(FailureKind.UNEXPECTED, spec.step(), "mounting the overlay root failed: " + String.join(" / ", tail));
    }
    List<String> errors = OciRuntime.errors(log);
    if (!errors.isEmpty()) {
      runtime.deleteForce(id);
      throw runtime.refused(spec.step(), errors);
    }
    return new Outcome(exit, new ArrayList<>(tail));
  }

  /** What the command changed (mount points the runtime made are removed first). */
  RootChanges changes() throws IOException {
    Path root = mode == RunSupport.RootMode.OVERLAY ? upper : rootfs;
    removeStubs(root);
    if (mode == RunSupport.RootMode.OVERLAY) {
      return OverlayDiff.diff(upper, lowers, spec.before());
    }
    return CopyDiff.diff(rootfs, snapshot);
  }

  /** The layer of what the command changed, times clamped to {@code epochSeconds}; empty when nothing changed. */
  public ReproducibleLayerBuilder layer(long epochSeconds) throws JscanException {
    try {
      return changes().toLayer(epochSeconds);
    } catch (IOException e) {
      throw new BuildException(FailureKind.UNEXPECTED, spec.step(), "reading what the command changed: " + e.getMessage(), e);
    }
  }

  public RunSupport.RootMode mode() {
    return mode;
  }

  /**
   * Removes the mount points the runtime made, when they are still the empty file or directory it
   * made, and gives the directory that held them back its time, unless the command changed that
   * directory's names itself (BuildKit's mount stub cleaner does the same).
   */
  private void removeStubs(Path root) throws IOException {
    List<String> parents = new ArrayList<>();
    for (int i = stubs.size() - 1; i >= 0; i--) {
      String stub = stubs.get(i);
      Path p = root.resolve(stub);
      Optional<FileStatus> st = FileStatus.of(p);
      if (st.isEmpty()) {
        continue;
      }
      boolean empty = st.get().isDirectory() ? isEmptyDirectory(p) : st.get().is(FsEntry.Type.FILE) && st.get().size() == 0;
      if (!empty) {
        continue;
      }
      Files.delete(p);
      String parent = PathNames.parent(stub);
      if (!stubs.contains(parent) && !parents.contains(parent)) {
        parents.add(parent);
      }
    }
    for (String parent : parents) {
      Optional<FileStatus> was = before(parent);
      Path p = parent.isEmpty() ? root : root.resolve(parent);
      if (was.isPresent() && was.get().isDirectory() && FileStatus.of(p).map(FileStatus::isDirectory).orElse(false)
          && sameNames(parent, p)) {
        setMtime(p, was.get().mtimeNanos());
      }
    }
  }

  private Optional<FileStatus> before(String path) throws IOException {
    if (mode == RunSupport.RootMode.OVERLAY) {
      return lowers.find(path).map(LowerStack.Found::status);
    }
    return snapshot.status(path);
  }

  /** Whether the directory's names are the ones it had before (so only the stubs changed its time). */
  private boolean sameNames(String parent, Path dir) throws IOException {
    List<String> now = OverlayDiff.sortedNames(dir);
    if (mode == RunSupport.RootMode.COPY) {
      return new java.util.HashSet<>(now).equals(snapshot.names(parent));
    }
    // overlay: the upper directory holds only what changed; any new, deleted or replaced name shows there
    for (String name : now) {
      String path = PathNames.join(parent, name);
      FileStatus st = FileStatus.of(dir.resolve(name)).orElse(null);
      Optional<LowerStack.Found> was = lowers.find(path);
      if (st == null || st.isWhiteout() || was.isEmpty() || !st.type().equals(was.get().status().type())
          || st.isDirectory() && LinuxFiles.getXattr(dir.resolve(name), LinuxFiles.OVERLAY_OPAQUE).isPresent()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isEmptyDirectory(Path p) throws IOException {
    try (var s = Files.newDirectoryStream(p)) {
      return !s.iterator().hasNext();
    }
  }

  static void setMtime(Path p, long nanos) throws IOException {
    LinuxFiles.setTimes(p, nanos);
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      AtomicFiles.deleteTree(dir);
    } catch (IOException ignored) {
      // left to the process directory's removal
    }
  }

  @Override
  public void close() throws IOException {
    AtomicFiles.deleteTree(dir);
  }
}
