package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.builder.RunOptions;
import io.jscan.builder.fs.FileTree;
import io.jscan.builder.fs.PathNames;
import io.jscan.builder.fs.UserDatabase;
import io.jscan.builder.layer.ContentSource;
import io.jscan.builder.run.RuntimeConfig;
import io.jscan.builder.run.StepRun;
import io.jscan.core.JscanException;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.build.StageSource;
import io.jscan.dockerfile.instructions.CacheSharing;
import io.jscan.dockerfile.instructions.Mount;
import io.jscan.dockerfile.instructions.RunInstruction;
import io.jscan.dockerfile.instructions.SecurityMode;
import io.jscan.dockerfile.parser.Heredoc;
import io.jscan.dockerfile.parser.HeredocMarker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RUN: runs a command in the stage's root file system with an OCI runtime and records what it
 * changed as a layer (see {@link StepRun} for the root, the bundle and the diff).
 *
 * <p><b>Command.</b> As BuildKit's dispatchRun: the shell form runs through SHELL ({@code /bin/sh
 * -c}); the exec form as written. A shell-form RUN whose command is one heredoc runs the heredoc's
 * body as the shell's script, or, when the body starts with {@code #!}, as an executable file
 * mounted read-only at {@code /dev/pipes/NAME}; a RUN with heredocs inside a longer command line
 * gives the shell the line and the bodies, to read as heredocs itself.
 *
 * <p><b>Environment.</b> The stage's variables (image env, ENV) and every ARG in scope with a value,
 * as BuildKit gives them; HOME from the user's passwd entry when not set. USER is resolved in the
 * stage's own /etc/passwd and /etc/group (a uid without an entry runs with gid 0); the working
 * directory is WORKDIR, made by the runtime when missing.
 *
 * <p><b>Mounts</b> ({@code --mount}): {@code cache} (a directory under the store kept per id across
 * builds; {@code sharing=locked} and {@code private} take it exclusively), {@code secret} (from
 * {@code --secret}; a file at {@code /run/secrets/ID}, or an environment variable with {@code env=}),
 * {@code bind} (a read-only, or writable but discarded, copy of a path of the context or of a stage
 * or image) and {@code tmpfs}. Nothing below a mount's target goes into the layer.
 *
 * <p><b>Cache key.</b> The parent layers' ChainID, the command as run (shell and heredocs
 * included), every variable of the environment, USER as written (with the ChainID it fixes the
 * uid, groups and HOME), working directory, network mode, each mount's options and the content of
 * what bind mounts show; never a secret's content and never a cache mount's content (BuildKit's
 * rules).
 *
 * <p>A command that exits non-zero fails the build as bad input (exit code 2: the Dockerfile's
 * command failed), with its exit status and last lines of output; no layer is made.
 */
public final class RunCommandStep implements BuildStep {
  /** BuildKit mounts a shebang heredoc here (read-only, in the /dev tmpfs: never in the layer). */
  static final String PIPES = "/dev/pipes";
  private static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

  private final RunInstruction run;

  public RunCommandStep(RunInstruction run) {
    this.run = run;
  }

  /** The command and what it needs besides the root: an executable heredoc file. */
  record Command(List<String> args, Optional<Heredoc> scriptFile) {}

  @Override
  public void apply(StageState stage) throws JscanException {
    SourceLocation at = run.location();
    String step = at.file() + ":" + at.startLine();
    if (run.security() == SecurityMode.INSECURE) {
      throw BuildException.at(at, "RUN --security=insecure is not supported (jscan grants no extra privileges to a build)");
    }
    List<Mount> mounts;
    try {
      mounts = run.mounts(stage.expander());
    } catch (DockerfileException e) {
      throw BuildException.at(at, e.detail());
    }
    List<String> shell = stage.container().shell.orElse(DEFAULT_SHELL);
    Command command = command(shell);
    List<String> env = new ArrayList<>(stage.env().buildEnv());
    String userSpec = stage.user().orElse("0");
    String cwd = PathNames.display(stage.workdir());
    RuntimeConfig.Network network = switch (run.network()) {
      case DEFAULT -> RuntimeConfig.Network.DEFAULT;
      case NONE -> RuntimeConfig.Network.NONE;
      case HOST -> RuntimeConfig.Network.HOST;
    };

    String createdBy = historyText(command.args(), stage);
    CacheKey key = stage.cacheKey(true)
        .add("instruction", "RUN")
        .add("network", run.network().value());
    for (String a : command.args()) {
      key.add("arg", a);
    }
    command.scriptFile().ifPresent(h -> key.add("script-file", h.name() + "\n" + h.effectiveContent()));
    for (String e : env) {
      key.add("env", e);
    }
    // USER as written, not resolved: with the parent layers (their ChainID starts every key) it
    // determines the uid, gid, groups and HOME the command gets, so a step found in the cache
    // does not read the stage's /etc/passwd and /etc/group (the first RUN of a cached rebuild
    // spent about 0.14 s on that)
    key.add("user-spec", userSpec).add("cwd", cwd);
    List<PlannedMount> planned = plan(stage, mounts, cwd, key);

    StepRun[] prepared = new StepRun[1];
    List<FileLock> locks = new ArrayList<>();
    BuildSession session = stage.session();
    int number = session.currentStepNumber();
    try {
      stage.commitLayer(createdBy, key, () -> {
        UserDatabase.ExecUser user;
        try {
          user = stage.users().resolveExec(userSpec);
        } catch (IllegalArgumentException e) {
          throw BuildException.at(at, e.getMessage());
        }
        List<String> runEnv = new ArrayList<>(env);
        if (runEnv.stream().noneMatch(e -> e.startsWith("HOME="))) {
          runEnv.add("HOME=" + user.home());
        }
        RuntimeConfig.Process process = new RuntimeConfig.Process(command.args(), secretEnv(runEnv, planned, session), cwd, user.uid(),
            user.gid(), user.additionalGids());
        StepRun.Spec spec = new StepRun.Spec(step, stage.layers(), stage.filesystem(), process, network,
            scratch -> makeMounts(planned, command, scratch, session, locks));
        prepared[0] = StepRun.prepare(session.runSupport(), spec);
        long started = System.nanoTime();
        StepRun.Outcome outcome = prepared[0].run(line -> session.log("#" + number + " "
            + String.format(java.util.Locale.ROOT, "%.3f", (System.nanoTime() - started) / 1e9) + " " + line));
        session.log("#" + number + " DONE " + String.format(java.util.Locale.ROOT, "%.1fs", (System.nanoTime() - started) / 1e9));
        if (outcome.exitCode() != 0) {
          throw failed(at, outcome);
        }
        return prepared[0].layer(session.epochSeconds());
      });
    } finally {
      for (FileLock l : locks) {
        try {
          l.channel().close();
        } catch (IOException ignored) {
          // closing the channel releases the lock; nothing else to do
        }
      }
      if (prepared[0] != null) {
        try {
          prepared[0].close();
        } catch (IOException e) {
          session.log("  could not remove the step's directory: " + e.getMessage());
        }
      }
    }
  }

  /** {@code FILE:LINE: RUN failed with exit code N}, then the command's last lines of output. */
  static BuildException failed(SourceLocation at, StepRun.Outcome outcome) {
    List<String> lines = new ArrayList<>();
    if (!outcome.tail().isEmpty()) {
      lines.add("last " + outcome.tail().size() + " lines of its output:");
      for (String line : outcome.tail()) {
        lines.add("  " + line);
      }
    }
    return BuildException.at(at, "RUN failed with exit code " + outcome.exitCode(), lines);
  }

  // ---------------------------------------------------------------- command

  /** BuildKit's dispatchRun: shell form through SHELL, heredocs as scripts or shell input. */
  Command command(List<String> shell) {
    List<String> words = run.command().arguments();
    if (run.command().execForm()) {
      return new Command(words, Optional.empty());
    }
    String line = words.isEmpty() ? "" : words.get(0);
    List<String> args = new ArrayList<>(shell);
    if (run.heredocs().isEmpty()) {
      args.add(line);
      return new Command(args, Optional.empty());
    }
    Optional<HeredocMarker> only = HeredocMarker.parseLenient(line);
    if (only.isPresent()) {
      Heredoc h = run.heredocs().get(0);
      String body = h.effectiveContent();
      if (body.startsWith("#!")) {
        return new Command(List.of(PIPES + "/" + h.name()), Optional.of(h));
      }
      args.add(body);
      return new Command(args, Optional.empty());
    }
    StringBuilder full = new StringBuilder(line);
    for (Heredoc h : run.heredocs()) {
      full.append('\n').append(h.content()).append(h.name());
    }
    args.add(full.toString());
    return new Command(args, Optional.empty());
  }

  /**
   * The history text BuildKit writes: {@code RUN |N ARG=value... COMMAND}, the build arguments in
   * scope first (so that an image tells which values its RUN steps saw), then the command as run.
   */
  private static String historyText(List<String> args, StageState stage) {
    List<String> parts = new ArrayList<>();
    Map<String, Optional<String>> declared = stage.env().declaredArgs();
    List<String> withValues = new ArrayList<>();
    for (Map.Entry<String, Optional<String>> a : declared.entrySet()) {
      a.getValue().ifPresent(v -> withValues.add(a.getKey() + "=" + v));
    }
    if (!withValues.isEmpty()) {
      parts.add("|" + withValues.size());
      parts.addAll(withValues);
    }
    parts.addAll(args);
    return "RUN " + String.join(" ", parts);
  }

  // ---------------------------------------------------------------- mounts

  /** A mount resolved against the stage: what goes into the key is known before anything runs. */
  private record PlannedMount(Mount mount, String target, Optional<SourceTree> source, Optional<String> sourcePath,
      Optional<RunOptions.Secret> secret) {}

  private List<PlannedMount> plan(StageState stage, List<Mount> mounts, String cwd, CacheKey key) throws JscanException {
    SourceLocation at = run.location();
    List<PlannedMount> out = new ArrayList<>();
    List<StageSource> fromSources = new ArrayList<>();
    for (StageSource s : stage.planned().sources()) {
      if (s.at().equals(at)) {
        fromSources.add(s);
      }
    }
    int fromIndex = 0;
    for (Mount m : mounts) {
      Optional<StageSource> from = Optional.empty();
      if (m.from().isPresent() && fromIndex < fromSources.size()) {
        from = Optional.of(fromSources.get(fromIndex++));
      }
      String target = m.target().map(t -> t.startsWith("/") ? t : cwd + "/" + t).map(PathNames::cleanAbsolute)
          .map(PathNames::display).orElse("");
      StringBuilder desc = new StringBuilder(m.type().value()).append(" target=").append(target).append(m.readOnly() ? " ro" : " rw");
      switch (m.type()) {
        case SSH -> {
          if (m.required()) {
            throw BuildException.at(at, "RUN --mount=type=ssh is not supported (jscan forwards no SSH agent)");
          }
          continue; // an optional socket that is not there, as BuildKit does without --ssh
        }
        case TMPFS -> {
          if (target.isEmpty()) {
            throw BuildException.at(at, "--mount=type=tmpfs needs a target");
          }
          m.sizeLimit().ifPresent(s -> desc.append(" size=").append(s));
          out.add(new PlannedMount(m, target, Optional.empty(), Optional.empty(), Optional.empty()));
        }
        case CACHE -> {
          if (target.isEmpty()) {
            throw BuildException.at(at, "--mount=type=cache needs a target");
          }
          if (m.from().isPresent()) {
            throw BuildException.at(at, "--mount=type=cache,from=... is not supported yet");
          }
          desc.append(" id=").append(m.cacheId().orElse(target)).append(" sharing=")
              .append(m.sharing().orElse(CacheSharing.SHARED).value());
          out.add(new PlannedMount(m, target, Optional.empty(), Optional.empty(), Optional.empty()));
        }
        case SECRET -> {
          String id = m.source().or(m::cacheId).orElseGet(() -> PathNames.baseName(PathNames.cleanAbsolute(target)));
          Optional<RunOptions.Secret> secret = Optional.ofNullable(stage.session().request().run().secrets().get(id));
          if (secret.isEmpty()) {
            if (m.required()) {
              throw BuildException.at(at, "secret " + id + " not found: pass it with --secret id=" + id + ",src=FILE");
            }
            continue; // optional and not given: no mount (BuildKit)
          }
          boolean envOnly = m.env().isPresent() && m.target().isEmpty();
          String secretTarget = envOnly ? "" : target.isEmpty() ? "/run/secrets/" + id : target;
          // the id, never the content: a changed secret does not rebuild the step (BuildKit's rule)
          desc.append(" id=").append(id).append(" target=").append(secretTarget).append(" env=").append(m.env().orElse(""));
          out.add(new PlannedMount(m, secretTarget, Optional.empty(), Optional.of(id), secret));
        }
        case BIND -> {
          if (target.isEmpty()) {
            throw BuildException.at(at, "--mount=type=bind needs a target");
          }
          SourceTree source = bindSource(stage, m, from);
          String path = source.strict() ? PathNames.cleanInside(m.source().orElse("")) : PathNames.cleanAbsolute(m.source().orElse(""));
          if (path == null) {
            throw BuildException.at(at, "--mount source \"" + m.source().orElse("") + "\" is outside the build context");
          }
          desc.append(" from=").append(source.describe()).append(" source=").append(PathNames.display(path));
          FileTree.Node node = bindNode(source, path);
          describeContent(source, node, desc);
          out.add(new PlannedMount(m, target, Optional.of(source), Optional.of(path), Optional.empty()));
        }
        default -> throw new IllegalStateException("mount type " + m.type());
      }
      key.add("mount", desc.toString());
    }
    return out;
  }

  private SourceTree bindSource(StageState stage, Mount m, Optional<StageSource> from) throws JscanException {
    BuildSession session = stage.session();
    if (m.from().isEmpty()) {
      return SourceTree.context(session.context());
    }
    StageSource.Source source = from.orElseThrow(() -> new IllegalStateException("the build plan has no mount source for "
        + run.location())).source();
    if (source instanceof StageSource.OfStage of) {
      Image image = session.stageImage(of.stageIndex());
      String name = session.dockerfile().stages().get(of.stageIndex()).displayName();
      return SourceTree.image("stage " + name, image.layers(), StageState.treeOf(image.layers(), session), session.workDir());
    }
    io.jscan.dockerfile.build.ImageReference ref = ((StageSource.OfImage) source).reference();
    Image image = ResolveBaseImageStep.resolveImage(ref, stage.platform(), run.location(), stage.name(), "RUN --mount from", session)
        .image();
    return SourceTree.image("image " + ref.original(), image.layers(), StageState.treeOf(image.layers(), session),
        session.workDir());
  }

  private FileTree.Node bindNode(SourceTree source, String path) throws BuildException {
    if (path.isEmpty()) {
      return source.tree().get("").orElseThrow();
    }
    FileTree.Resolution r;
    try {
      r = source.tree().resolve(path, true, source.strict());
    } catch (FileTree.TooManyLinksException e) {
      throw BuildException.at(run.location(), "--mount source: " + e.getMessage());
    }
    if (r.leftRoot()) {
      throw BuildException.at(run.location(), "--mount source /" + path + " is a link that leads outside " + source.describe());
    }
    return r.node().orElseThrow(() -> BuildException.at(run.location(), "--mount source /" + path + " not found in "
        + source.describe()));
  }

  /** What a bind mount shows, for the cache key: every entry's metadata and content identity. */
  private static void describeContent(SourceTree source, FileTree.Node node, StringBuilder desc) {
    List<FileTree.Node> nodes = new ArrayList<>();
    nodes.add(node);
    if (node.isDirectory()) {
      nodes.addAll(source.tree().subtree(node.path()));
    }
    StringBuilder all = new StringBuilder();
    for (FileTree.Node n : nodes) {
      all.append(n.path()).append(' ').append(n.type()).append(' ').append(Integer.toOctalString(n.mode())).append(' ')
          .append(n.uid()).append(':').append(n.gid()).append(' ').append(n.linkTarget().orElse("")).append(' ')
          .append(source.identity(n)).append('\n');
    }
    desc.append(" content=").append(Digest.sha256(all.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** The environment plus secrets exposed as variables ({@code env=}). */
  private static List<String> secretEnv(List<String> env, List<PlannedMount> planned, BuildSession session) throws JscanException {
    List<String> out = new ArrayList<>(env);
    for (PlannedMount p : planned) {
      if (p.secret().isPresent() && p.mount().env().isPresent()) {
        String name = p.mount().env().get().isEmpty() ? p.sourcePath().orElseThrow() : p.mount().env().get();
        out.removeIf(e -> e.startsWith(name + "="));
        out.add(name + "=" + new String(p.secret().get().read(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** Makes the runtime mounts, their sources in the step's scratch directory or the store's cache directory. */
  private List<RuntimeConfig.Mount> makeMounts(List<PlannedMount> planned, Command command, Path scratch, BuildSession session,
      List<FileLock> locks) throws JscanException, IOException {
    List<RuntimeConfig.Mount> out = new ArrayList<>();
    if (command.scriptFile().isPresent()) {
      Heredoc h = command.scriptFile().get();
      Path pipes = Files.createDirectory(scratch.resolve("pipes"));
      Path script = pipes.resolve(h.name());
      Files.write(script, h.effectiveContent().getBytes(StandardCharsets.UTF_8));
      Files.setAttribute(script, "unix:mode", 0755);
      out.add(RuntimeConfig.Mount.bind(PIPES, pipes, true));
    }
    int n = 0;
    for (PlannedMount p : planned) {
      Mount m = p.mount();
      n++;
      switch (m.type()) {
        case TMPFS -> {
          List<String> options = new ArrayList<>(List.of("nosuid", "nodev", "mode=1777"));
          m.sizeLimit().ifPresent(s -> options.add("size=" + s));
          out.add(new RuntimeConfig.Mount(p.target(), "tmpfs", "tmpfs", options));
        }
        case CACHE -> out.add(RuntimeConfig.Mount.bind(p.target(), cacheDirectory(m, p.target(), session, locks), m.readOnly()));
        case SECRET -> {
          if (p.target().isEmpty()) {
            continue; // exposed as an environment variable only
          }
          Path file = scratch.resolve("secret-" + n);
          Files.write(file, p.secret().orElseThrow().read(), StandardOpenOption.CREATE_NEW);
          Files.setAttribute(file, "unix:uid", (int) m.uid().orElse(0), LinkOption.NOFOLLOW_LINKS);
          Files.setAttribute(file, "unix:gid", (int) m.gid().orElse(0), LinkOption.NOFOLLOW_LINKS);
          Files.setAttribute(file, "unix:mode", (int) m.mode().orElse(0400), LinkOption.NOFOLLOW_LINKS);
          out.add(RuntimeConfig.Mount.bind(p.target(), file, true));
        }
        case BIND -> {
          SourceTree source = p.source().orElseThrow();
          FileTree.Node node = bindNode(source, p.sourcePath().orElseThrow());
          Path copy = scratch.resolve("bind-" + n);
          materialise(source, node, copy);
          out.add(RuntimeConfig.Mount.bind(p.target(), copy, m.readOnly()));
        }
        default -> throw new IllegalStateException("mount type " + m.type());
      }
    }
    return out;
  }

  /** A cache mount's directory, made with its mode and owner the first time; locked when its sharing asks for it. */
  private static Path cacheDirectory(Mount m, String target, BuildSession session, List<FileLock> locks) throws IOException {
    String id = m.cacheId().orElse(target);
    Path parent = session.builderDir().resolve("run-cache");
    String name = Digest.sha256(id.getBytes(StandardCharsets.UTF_8)).encoded().substring(0, 32);
    Path dir = parent.resolve(name);
    Files.createDirectories(parent);
    CacheSharing sharing = m.sharing().orElse(CacheSharing.SHARED);
    if (sharing != CacheSharing.SHARED) {
      // private would get a second instance in BuildKit; one at a time is the same for sequential steps
      FileChannel ch = FileChannel.open(parent.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      locks.add(ch.lock());
    }
    if (!Files.isDirectory(dir)) {
      Path tmp = Files.createTempDirectory(parent, ".new-");
      Files.setAttribute(tmp, "unix:uid", (int) m.uid().orElse(0), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(tmp, "unix:gid", (int) m.gid().orElse(0), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(tmp, "unix:mode", (int) m.mode().orElse(0755), LinkOption.NOFOLLOW_LINKS);
      try {
        Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        Files.delete(tmp);
      }
    }
    return dir;
  }

  /** Writes a source node (a file, or a directory with everything below it) to {@code dest}, as the source describes it. */
  private static void materialise(SourceTree source, FileTree.Node node, Path dest) throws JscanException, IOException {
    List<FileTree.Node> nodes = new ArrayList<>();
    nodes.add(node);
    if (node.isDirectory()) {
      nodes.addAll(source.tree().subtree(node.path()));
    }
    List<FileTree.Node> files = nodes.stream().filter(x -> x.type() == FsEntry.Type.FILE || x.type() == FsEntry.Type.HARDLINK)
        .toList();
    source.prepare(files);
    Map<Path, FileTree.Node> dirs = new LinkedHashMap<>();
    for (FileTree.Node x : nodes) {
      String rel = x == node ? "" : x.path().substring(node.path().isEmpty() ? 0 : node.path().length() + 1);
      Path p = rel.isEmpty() ? dest : dest.resolve(rel);
      switch (x.type()) {
        case DIRECTORY -> {
          Files.createDirectories(p);
          dirs.put(p, x);
        }
        case FILE, HARDLINK -> {
          Files.createDirectories(p.getParent());
          ContentSource content = source.content(x);
          try (InputStream in = content.open(); OutputStream o = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW)) {
            in.transferTo(o);
          }
          owner(p, x);
        }
        case SYMLINK -> {
          Files.createDirectories(p.getParent());
          Files.createSymbolicLink(p, Path.of(x.linkTarget().orElse("")));
          Files.setAttribute(p, "unix:uid", (int) x.uid(), LinkOption.NOFOLLOW_LINKS);
          Files.setAttribute(p, "unix:gid", (int) x.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        default -> {
          // devices and FIFOs of an image are not shown through a bind mount copy
        }
      }
    }
    for (Map.Entry<Path, FileTree.Node> d : dirs.entrySet()) {
      owner(d.getKey(), d.getValue());
    }
  }

  private static void owner(Path p, FileTree.Node x) throws IOException {
    Files.setAttribute(p, "unix:uid", (int) x.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", (int) x.gid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:mode", x.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
  }
}
