package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.builder.fs.FileTree;
import io.jscan.builder.fs.GoGlob;
import io.jscan.builder.fs.PathNames;
import io.jscan.builder.fs.UserDatabase;
import io.jscan.builder.layer.ContentSource;
import io.jscan.builder.layer.FileModes;
import io.jscan.builder.layer.LayerEntry;
import io.jscan.builder.layer.ReproducibleLayerBuilder;
import io.jscan.core.FailureKind;
import io.jscan.core.JscanException;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.build.ImageReference;
import io.jscan.dockerfile.build.StageSource;
import io.jscan.dockerfile.ignore.DockerIgnore;
import io.jscan.dockerfile.instructions.AddInstruction;
import io.jscan.dockerfile.instructions.CopyInstruction;
import io.jscan.dockerfile.instructions.InlineFile;
import io.jscan.dockerfile.shell.WordExpander;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * COPY and ADD: files from the build context, another stage or an image, heredocs, local tar
 * archives (ADD) and checksummed URLs (ADD), into one layer, with Docker's rules for the
 * destination:
 *
 * <ul>
 *   <li>a relative destination is relative to WORKDIR; a trailing {@code /} (or {@code .}) makes it
 *       a directory, as does an existing directory at that path;
 *   <li>a directory source copies its <em>contents</em>; a file source goes into a directory
 *       destination under its own name, or becomes the destination file;
 *   <li>several sources (or a wildcard matching several) need a directory destination;
 *   <li>wildcards follow Go's {@code filepath.Match}; {@code --exclude} patterns (with {@code **})
 *       match paths relative to the source; {@code --parents} keeps source paths below the root
 *       or below a {@code /./} pivot;
 *   <li>a source path is resolved following symbolic links; in the context a link that leads
 *       outside the context is an error, never followed out; links inside a copied directory are
 *       copied as links;
 *   <li>the destination is resolved through the stage's symbolic links (not with {@code --link},
 *       whose layer is made on an empty root and does not depend on the layers below);
 *   <li>a file may not replace a directory, nor a directory a file.
 * </ul>
 *
 * <p>Modes follow {@link FileModes}; owners are 0:0 for context files, kept for files from an
 * image, and {@code --chown} (names resolved in the stage's own /etc/passwd and /etc/group)
 * otherwise. Directories the copy creates get mode 0755 and the {@code --chown} owner. Every
 * entry's mtime is SOURCE_DATE_EPOCH.
 */
public final class CopyFilesStep implements BuildStep {
  private final String keyword;
  private final SourceLocation at;
  private final CopyInstruction copy;
  private final AddInstruction add;

  private CopyFilesStep(String keyword, SourceLocation at, CopyInstruction copy, AddInstruction add) {
    this.keyword = keyword;
    this.at = at;
    this.copy = copy;
    this.add = add;
  }

  public static CopyFilesStep copy(CopyInstruction copy) {
    return new CopyFilesStep("COPY", copy.location(), copy, null);
  }

  public static CopyFilesStep add(AddInstruction add) {
    return new CopyFilesStep("ADD", add.location(), null, add);
  }

  /** The instruction's words after expansion, flags validated. */
  record Spec(
      List<String> sources,
      List<InlineFile> inline,
      String destination,
      Optional<String> from,
      Optional<String> chown,
      Optional<FileModes.Chmod> chmod,
      boolean link,
      boolean parents,
      List<String> excludes,
      Optional<String> checksum,
      Optional<Boolean> unpack,
      boolean isAdd) {}

  /** One source as selected: what it is and where it goes (resolved against the stage later). */
  sealed interface Unit permits TreeUnit, ParentsUnit, UrlUnit, InlineUnit {}

  /**
   * A file or directory of a source tree.
   *
   * @param matchPath the path the source named or the wildcard matched (before following a link)
   * @param node what it resolved to
   * @param excludeBase paths are matched against {@code --exclude} relative to this
   */
  record TreeUnit(String matchPath, FileTree.Node node, String excludeBase) implements Unit {}

  /** {@code --parents}: everything below {@code root} that {@code includes} matches, paths kept. */
  record ParentsUnit(String root, DockerIgnore includes) implements Unit {}

  record UrlUnit(String url, String fileName) implements Unit {}

  record InlineUnit(InlineFile file) implements Unit {}

  @Override
  public void apply(StageState stage) throws JscanException {
    WordExpander expander = stage.expander();
    Spec spec = expand(expander);
    validate(spec);
    Set<String> usedArgs = new LinkedHashSet<>(expander.usedVariables());
    usedArgs.retainAll(stage.env().declaredArgs().keySet());

    String destWord = spec.destination();
    boolean destIsDir = destWord.endsWith("/") || destWord.equals(".") || destWord.isEmpty() || destWord.endsWith("/.");
    String destPath = destWord.startsWith("/")
        ? PathNames.cleanAbsolute(destWord)
        : PathNames.cleanAbsolute(stage.workdir() + "/" + destWord);

    SourceTree source = sourceTree(stage, spec);
    DockerIgnore excludes = compile(spec.excludes(), "--exclude");
    List<Unit> units = select(stage, spec, source);

    String createdBy = historyText(spec);
    boolean chownByName = spec.chown().isPresent() && !spec.chown().get().matches("[0-9]*(:[0-9]*)?");
    CacheKey key = stage.cacheKey(!spec.link() || chownByName)
        .add("instruction", createdBy)
        .add("destination", PathNames.display(destPath) + (destIsDir ? "/" : ""))
        .add("source", source.describe());
    for (String arg : usedArgs) {
      key.add("arg", arg + "=" + stage.env().declaredArgs().get(arg).orElse(""));
    }
    for (Unit u : units) {
      describeForKey(u, source, spec, excludes, key);
      if (u instanceof UrlUnit url) {
        // recorded before the cache is consulted: provenance lists it whether or not it is downloaded now
        stage.session().download(new io.jscan.builder.BuildResult.Download(
            url.url(), io.jscan.core.oci.Digest.parse(spec.checksum().orElseThrow()), stage.name()));
      }
    }
    Plan plan = new Plan(stage, spec, source, excludes, units, destPath, destIsDir);
    stage.commitLayer(createdBy, key, plan::produce);
  }

  // ---------------------------------------------------------------- expansion and validation

  private Spec expand(WordExpander e) throws JscanException {
    if (copy != null) {
      CopyInstruction c = copy.expand(e);
      return new Spec(c.sources(), c.inlineFiles(), c.destination(), c.from(), c.chown(), chmod(c.chmod()), c.link(), c.parents(),
          c.excludes(), Optional.empty(), Optional.empty(), false);
    }
    AddInstruction a = add.expand(e);
    if (a.keepGitDir().isPresent()) {
      throw BuildException.at(at, "ADD --keep-git-dir: adding Git repositories is not supported yet");
    }
    return new Spec(a.sources(), a.inlineFiles(), a.destination(), Optional.empty(), a.chown(), chmod(a.chmod()), a.link(), false,
        a.excludes(), a.checksum(), a.unpack(), true);
  }

  private Optional<FileModes.Chmod> chmod(Optional<String> spec) throws BuildException {
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new FileModes.Chmod(spec.get()));
    } catch (IllegalArgumentException e) {
      throw BuildException.at(at, e.getMessage());
    }
  }

  private void validate(Spec spec) throws BuildException {
    for (String src : spec.sources()) {
      if (isGit(src)) {
        throw BuildException.at(at, keyword + " " + src + ": adding Git repositories is not supported yet");
      }
      if (isUrl(src)) {
        if (!spec.isAdd()) {
          throw BuildException.at(at, "COPY " + src + ": source can't be a URL for COPY (use ADD --checksum=sha256:...)");
        }
        if (spec.checksum().isEmpty()) {
          throw BuildException.at(at, "ADD " + src + " has no --checksum=sha256:...: without it the downloaded content is not"
              + " pinned and the build could not be reproducible");
        }
      }
    }
    if (spec.checksum().isPresent()) {
      if (spec.sources().size() != 1) {
        throw BuildException.at(at, "ADD --checksum can't be specified for multiple sources");
      }
      if (!isUrl(spec.sources().get(0))) {
        throw BuildException.at(at, "ADD --checksum requires an HTTP(S) source");
      }
      try {
        io.jscan.core.oci.Digest d = io.jscan.core.oci.Digest.parse(spec.checksum().get());
        if (!d.isVerifiable()) {
          throw new IllegalArgumentException("unsupported digest algorithm " + d.algorithm());
        }
      } catch (IllegalArgumentException e) {
        throw BuildException.at(at, "ADD --checksum=" + spec.checksum().get() + ": " + e.getMessage());
      }
    }
    if (spec.parents() && spec.from().isEmpty() && spec.sources().stream().anyMatch(CopyFilesStep::isUrl)) {
      throw BuildException.at(at, "COPY --parents cannot copy URLs");
    }
  }

  static boolean isUrl(String src) {
    String lower = src.toLowerCase(Locale.ROOT);
    return (lower.startsWith("http://") || lower.startsWith("https://")) && !isGit(src);
  }

  static boolean isGit(String src) {
    String lower = src.toLowerCase(Locale.ROOT);
    return lower.startsWith("git@") || lower.startsWith("git://") || lower.startsWith("ssh://")
        || ((lower.startsWith("http://") || lower.startsWith("https://")) && (lower.contains(".git#") || lower.endsWith(".git")));
  }

  private DockerIgnore compile(List<String> patterns, String flag) throws BuildException {
    try {
      return DockerIgnore.of(patterns);
    } catch (DockerfileException e) {
      throw BuildException.at(at, keyword + " " + flag + ": " + e.detail());
    }
  }

  // ---------------------------------------------------------------- sources

  private SourceTree sourceTree(StageState stage, Spec spec) throws JscanException {
    BuildSession session = stage.session();
    if (spec.from().isEmpty()) {
      return SourceTree.context(session.context());
    }
    StageSource.Source from = null;
    for (StageSource s : stage.planned().sources()) {
      if (s.at().equals(at)) {
        from = s.source();
        break;
      }
    }
    if (from == null) {
      throw new IllegalStateException("the build plan has no --from source for " + at);
    }
    if (from instanceof StageSource.OfStage of) {
      Image image = session.stageImage(of.stageIndex());
      String name = session.dockerfile().stages().get(of.stageIndex()).displayName();
      return SourceTree.image("stage " + name, image.layers(), StageState.treeOf(image.layers(), session), session.workDir());
    }
    ImageReference ref = ((StageSource.OfImage) from).reference();
    Image image = ResolveBaseImageStep.resolveImage(ref, stage.platform(), at, stage.name(), "COPY --from", session).image();
    return SourceTree.image("image " + ref.original(), image.layers(), StageState.treeOf(image.layers(), session),
        session.workDir());
  }

  /** Resolves every source argument against its tree: wildcards, links, missing sources. */
  private List<Unit> select(StageState stage, Spec spec, SourceTree source) throws JscanException {
    List<Unit> units = new ArrayList<>();
    for (String src : spec.sources()) {
      if (isUrl(src)) {
        units.add(new UrlUnit(src, urlFileName(src)));
      } else if (spec.parents()) {
        units.add(parentsUnit(src, source));
      } else {
        units.addAll(treeUnits(src, source));
      }
    }
    for (InlineFile f : spec.inline()) {
      units.add(new InlineUnit(f));
    }
    return units;
  }

  /** A source path in relative form; in the context, one that climbs out of it is an error. */
  private String sourcePath(String src, SourceTree source) throws BuildException {
    if (source.strict()) {
      String clean = PathNames.cleanInside(src);
      if (clean == null) {
        throw BuildException.at(at, keyword + " source \"" + src + "\" is outside the build context");
      }
      return clean;
    }
    return PathNames.cleanAbsolute(src);
  }

  private List<TreeUnit> treeUnits(String src, SourceTree source) throws BuildException {
    String path = sourcePath(src, source);
    List<String> parts = PathNames.components(path);
    int firstWild = -1;
    for (int i = 0; i < parts.size(); i++) {
      if (GoGlob.containsWildcards(parts.get(i))) {
        firstWild = i;
        break;
      }
    }
    if (firstWild < 0) {
      FileTree.Node node = follow(src, path, source);
      return List.of(new TreeUnit(path, node, node.isDirectory() ? node.path() : PathNames.parent(path)));
    }
    String base = String.join("/", parts.subList(0, firstWild));
    String pattern = String.join("/", parts.subList(firstWild, parts.size()));
    FileTree.Node baseNode = follow(src, base, source);
    List<TreeUnit> out = new ArrayList<>();
    if (!baseNode.isDirectory()) {
      return out;
    }
    String skipBelow = null;
    for (FileTree.Node n : source.tree().subtree(baseNode.path())) {
      if (skipBelow != null && PathNames.isAtOrBelow(n.path(), skipBelow)) {
        continue;
      }
      skipBelow = null;
      String rel = n.path().substring(baseNode.path().isEmpty() ? 0 : baseNode.path().length() + 1);
      boolean match;
      try {
        match = GoGlob.matches(pattern, rel);
      } catch (IllegalArgumentException e) {
        throw BuildException.at(at, keyword + " source \"" + src + "\": " + e.getMessage());
      }
      if (match) {
        FileTree.Node target = n.isSymlink() ? follow(src, n.path(), source) : n;
        out.add(new TreeUnit(n.path(), target, baseNode.path()));
        if (n.isDirectory()) {
          skipBelow = n.path();
        }
      }
    }
    return out;
  }

  /** Resolves a source path following links; missing, excluded or escaping sources are errors. */
  private FileTree.Node follow(String src, String path, SourceTree source) throws BuildException {
    FileTree.Resolution r;
    try {
      r = source.tree().resolve(path, true, source.strict());
    } catch (FileTree.TooManyLinksException e) {
      throw BuildException.at(at, keyword + " source \"" + src + "\": " + e.getMessage());
    }
    if (r.leftRoot()) {
      throw BuildException.at(at, keyword + " source \"" + src + "\" is a symbolic link that points outside the build"
          + " context (" + PathNames.display(r.path()) + " -> " + r.node().flatMap(FileTree.Node::linkTarget).orElse("..")
          + "); jscan never follows links out of the context");
    }
    if (r.node().isEmpty()) {
      if (source.ignoredOnDisk(path)) {
        throw BuildException.at(at, keyword + " source \"" + src + "\" is excluded by .dockerignore");
      }
      throw BuildException.at(at, keyword + " source \"" + src + "\" not found in " + source.describe());
    }
    return r.node().get();
  }

  private ParentsUnit parentsUnit(String src, SourceTree source) throws BuildException {
    String root;
    String pattern;
    int pivot = src.indexOf("/./");
    if (pivot >= 0) {
      root = sourcePath(src.substring(0, pivot), source);
      pattern = src.substring(pivot + 3);
    } else {
      root = "";
      pattern = src;
    }
    String cleanPattern = sourcePath(pattern, source);
    FileTree.Node rootNode = follow(src, root, source);
    if (!rootNode.isDirectory()) {
      throw BuildException.at(at, keyword + " --parents source \"" + src + "\": " + PathNames.display(root) + " is not a directory");
    }
    if (!GoGlob.containsWildcards(root) && !GoGlob.containsWildcards(cleanPattern)) {
      follow(src, PathNames.join(rootNode.path(), cleanPattern), source); // required to exist
    }
    return new ParentsUnit(rootNode.path(), compile(List.of(cleanPattern), "--parents pattern"));
  }

  private static String urlFileName(String url) {
    try {
      String path = java.net.URI.create(url).getPath();
      String base = path == null ? "" : PathNames.baseName(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
      return base.isEmpty() || base.equals(".") ? "__unnamed__" : base;
    } catch (IllegalArgumentException e) {
      return "__unnamed__";
    }
  }

  // ---------------------------------------------------------------- cache key and history

  private void describeForKey(Unit u, SourceTree source, Spec spec, DockerIgnore excludes, CacheKey key) throws JscanException {
    if (u instanceof UrlUnit url) {
      key.add("url", url.url() + " " + spec.checksum().orElseThrow());
    } else if (u instanceof InlineUnit inline) {
      key.add("inline", inline.file().name() + " " + io.jscan.core.oci.Digest.sha256(inline.file().content()));
    } else {
      key.add("unit", u instanceof TreeUnit t ? "tree " + t.matchPath() : "parents " + ((ParentsUnit) u).root());
      Optional<Digest> below = u instanceof TreeUnit t && t.node().isDirectory() && excludes.patterns().isEmpty()
          ? source.subtreeDigest(t.node().path())
          : Optional.empty();
      if (below.isPresent()) {
        // without --exclude the unit is the directory and everything below it: the source's
        // subtree digest covers the same fields for each entry as the listing below would
        FileTree.Node n = ((TreeUnit) u).node();
        key.add("item", itemLine("", n, source));
        key.add("below", below.get().toString());
        return;
      }
      for (Item item : items(u, source, excludes)) {
        key.add("item", itemLine(item.relative(), item.node(), source));
      }
    }
  }

  private static String itemLine(String relative, FileTree.Node n, SourceTree source) {
    return relative + "\0" + n.type() + "\0" + Integer.toOctalString(n.mode()) + "\0" + n.uid() + ":" + n.gid()
        + "\0" + n.size() + "\0" + n.linkTarget().orElse("") + "\0" + n.devMajor() + "," + n.devMinor() + "\0"
        + source.identity(n);
  }

  private String historyText(Spec spec) {
    StringBuilder b = new StringBuilder(keyword);
    spec.from().ifPresent(f -> b.append(" --from=").append(f));
    if (spec.parents()) {
      b.append(" --parents");
    }
    if (spec.link()) {
      b.append(" --link");
    }
    spec.chown().ifPresent(c -> b.append(" --chown=").append(c));
    spec.chmod().ifPresent(c -> b.append(" --chmod=").append(c.spec()));
    spec.checksum().ifPresent(c -> b.append(" --checksum=").append(c));
    spec.unpack().ifPresent(u -> b.append(" --unpack=").append(u));
    for (String ex : spec.excludes()) {
      b.append(" --exclude=").append(ex);
    }
    for (String s : spec.sources()) {
      b.append(' ').append(s);
    }
    for (InlineFile f : spec.inline()) {
      b.append(" <<").append(f.name());
    }
    b.append(' ').append(spec.destination());
    return b.toString();
  }

  // ---------------------------------------------------------------- items

  /**
   * One entry of a source unit.
   *
   * @param relative its path below the unit's destination ({@code ""}: the destination itself)
   * @param node the source entry (a link's target for a top-level source that was a link)
   * @param top whether this is the unit's source itself (a file, or the copied directory)
   */
  record Item(String relative, FileTree.Node node, boolean top) {}

  /** Expands a unit into its entries, {@code --exclude} applied (never to the named source itself). */
  static List<Item> items(Unit u, SourceTree source, DockerIgnore excludes) throws JscanException {
    List<Item> out = new ArrayList<>();
    FileTree tree = source.tree();
    try {
      if (u instanceof TreeUnit t) {
        out.add(new Item("", t.node(), true));
        if (!t.node().isDirectory()) {
          return out;
        }
        String skipBelow = null;
        String dir = t.node().path();
        boolean anyExcludes = !excludes.patterns().isEmpty();
        for (FileTree.Node n : tree.subtree(dir)) {
          if (skipBelow != null && PathNames.isAtOrBelow(n.path(), skipBelow)) {
            continue;
          }
          skipBelow = null;
          String rel = relativeTo(n.path(), dir);
          if (!anyExcludes) {
            out.add(new Item(rel, n, false));
            continue;
          }
          // --exclude sees paths relative to the source (a wildcard's base for its matches)
          String forExclude = relativeTo(PathNames.join(t.matchPath(), rel), t.excludeBase());
          if (excludes.isExcluded(forExclude)) {
            if (n.isDirectory() && excludes.canSkipDirectory(forExclude)) {
              skipBelow = n.path();
            }
            if (!n.isDirectory() || excludes.canSkipDirectory(forExclude)) {
              continue;
            }
            continue; // an excluded directory with re-included content: only the content goes
          }
          out.add(new Item(rel, n, false));
        }
        return out;
      }
      ParentsUnit p = (ParentsUnit) u;
      for (FileTree.Node n : tree.subtree(p.root())) {
        String rel = relativeTo(n.path(), p.root());
        if (p.includes().isExcluded(rel) && !excludes.isExcluded(rel)) {
          out.add(new Item(rel, n, false));
        }
      }
      return out;
    } catch (DockerfileException e) {
      throw new BuildException(FailureKind.BAD_INPUT, e.file() + ":" + e.line(), e.detail(), e);
    }
  }

  private static String relativeTo(String path, String base) {
    if (base.isEmpty()) {
      return path;
    }
    if (path.equals(base)) {
      return "";
    }
    return path.substring(base.length() + 1);
  }

  // ---------------------------------------------------------------- producing the layer

  /** Everything needed to produce the layer on a cache miss. */
  private final class Plan {
    private final StageState stage;
    private final Spec spec;
    private final SourceTree source;
    private final DockerIgnore excludes;
    private final List<Unit> units;
    private final String destPath;
    private final boolean destIsDir;
    private FileTree lower;
    private FileTree work;
    private UserDatabase.Owner chownOwner;
    private ReproducibleLayerBuilder layer;

    Plan(StageState stage, Spec spec, SourceTree source, DockerIgnore excludes, List<Unit> units, String destPath, boolean destIsDir) {
      this.stage = stage;
      this.spec = spec;
      this.source = source;
      this.excludes = excludes;
      this.units = units;
      this.destPath = destPath;
      this.destIsDir = destIsDir;
    }

    ReproducibleLayerBuilder produce() throws JscanException, java.io.IOException {
      // --link: the layer is made on an empty root and never reads the layers below
      lower = spec.link() ? new FileTree() : stage.filesystem();
      work = lower.copy();
      chownOwner = null;
      if (spec.chown().isPresent()) {
        try {
          UserDatabase users = spec.link() && spec.chown().get().matches("[0-9]*(:[0-9]*)?") ? UserDatabase.empty() : stage.users();
          chownOwner = users.resolve(spec.chown().get());
        } catch (IllegalArgumentException e) {
          throw BuildException.at(at, keyword + " --chown=" + spec.chown().get() + ": " + e.getMessage());
        }
      }
      UserDatabase.Owner newDirOwner = chownOwner != null ? chownOwner : UserDatabase.Owner.ROOT;
      layer = new ReproducibleLayerBuilder(p -> MakeWorkdirStep.existingOrNew(lower, p, newDirOwner));

      // where the destination really is, and whether it is a directory already
      String destReal = realPath(destPath, true);
      boolean destExistsAsDir = work.get(destReal).map(FileTree.Node::isDirectory).orElse(false);
      boolean intoDir = destIsDir || destExistsAsDir;
      int sources = units.size();
      if (sources > 1 && !intoDir && !spec.parents()) {
        throw BuildException.at(at, "When using " + keyword + " with more than one source file, the destination must be a"
            + " directory and end with a / (" + spec.destination() + ")");
      }
      for (Unit u : units) {
        if (u instanceof UrlUnit url) {
          String target = intoDir ? PathNames.join(destPath, url.fileName()) : destPath;
          placeDownload(url, target);
        } else if (u instanceof InlineUnit inline) {
          String target = intoDir ? PathNames.join(destPath, inline.file().name()) : destPath;
          byte[] bytes = inline.file().content().getBytes(StandardCharsets.UTF_8);
          int mode = applyChmod(FileModes.REGULAR_FILE, false);
          UserDatabase.Owner o = owner(0, 0);
          place(target, LayerEntry.file("x", mode, o.uid(), o.gid(), bytes.length, ContentSource.ofBytes(bytes)));
        } else if (u instanceof ParentsUnit) {
          placeTree(u, destPath);
        } else {
          TreeUnit t = (TreeUnit) u;
          if (t.node().isDirectory()) {
            placeTree(u, destPath);
          } else {
            String target = intoDir ? PathNames.join(destPath, PathNames.baseName(t.matchPath())) : destPath;
            if (spec.isAdd() && spec.unpack().orElse(true) && source.strict()
                && ArchiveExtractor.isArchive(stage.session().context().file(t.node().path()).orElseThrow())) {
              ArchiveExtractor.extract(stage.session().context().file(t.node().path()).orElseThrow(), at, keyword,
                  stage.session().workDir(), (rel, entry) -> placeArchived(destPath, rel, entry));
            } else {
              placeTree(u, target);
            }
          }
        }
      }
      return layer;
    }

    private void placeTree(Unit u, String target) throws JscanException {
      List<Item> items = items(u, source, excludes);
      List<FileTree.Node> files = new ArrayList<>();
      for (Item i : items) {
        if (i.node().type() == FsEntry.Type.FILE || i.node().type() == FsEntry.Type.HARDLINK) {
          files.add(i.node());
        }
      }
      source.prepare(files);
      for (Item i : items) {
        String path = i.relative().isEmpty() ? target : PathNames.join(target, i.relative());
        if (path.isEmpty()) {
          continue; // the root directory itself is never an entry
        }
        place(path, entryFor(i.node()));
      }
    }

    /** A layer entry for a source node: the mode rule, --chmod, owner; the path is set by {@link #place}. */
    private LayerEntry entryFor(FileTree.Node n) throws JscanException {
      FileTree.Node content = n;
      if (n.type() == FsEntry.Type.HARDLINK) {
        content = source.tree().get(n.linkTarget().orElse("")).orElse(n);
      }
      UserDatabase.Owner o = owner(n.uid(), n.gid());
      return switch (n.type()) {
        case DIRECTORY -> LayerEntry.directory("x", applyChmod(n.mode(), true), o.uid(), o.gid());
        case SYMLINK -> LayerEntry.symlink("x", n.linkTarget().orElse(""), o.uid(), o.gid());
        case FILE, HARDLINK -> {
          if (content.type() != FsEntry.Type.FILE) {
            throw BuildException.at(at, keyword + ": hard link /" + n.path() + " in " + source.describe() + " has no target file");
          }
          yield LayerEntry.file("x", applyChmod(n.mode(), false), o.uid(), o.gid(), content.size(), source.content(content));
        }
        default -> new LayerEntry("x", n.type(), applyChmod(n.mode(), false), o.uid(), o.gid(), 0, Optional.empty(), n.devMajor(),
            n.devMinor(), Optional.empty());
      };
    }

    /** An archive entry below the destination directory; a hard link points at its target there. */
    private void placeArchived(String destDir, String rel, LayerEntry e) throws JscanException {
      LayerEntry entry = adjustArchived(e);
      if (entry.type() == FsEntry.Type.HARDLINK) {
        String target = realPath(PathNames.join(destDir, entry.linkTarget().orElseThrow()), false);
        entry = LayerEntry.hardlink(entry.path(), target, entry.mode(), entry.uid(), entry.gid());
      }
      place(PathNames.join(destDir, rel), entry);
    }

    private LayerEntry adjustArchived(LayerEntry e) {
      UserDatabase.Owner o = owner(e.uid(), e.gid());
      LayerEntry adjusted = e.withOwner(o.uid(), o.gid());
      if (e.type() != FsEntry.Type.SYMLINK && e.type() != FsEntry.Type.HARDLINK) {
        adjusted = adjusted.withMode(applyChmod(e.mode(), e.isDirectory()));
      }
      return adjusted;
    }

    private void placeDownload(UrlUnit url, String target) throws JscanException {
      java.nio.file.Path file = UrlDownloader.download(url.url(), spec.checksum().orElseThrow(), stage.session().workDir(), at);
      long size;
      try {
        size = java.nio.file.Files.size(file);
      } catch (java.io.IOException e) {
        throw BuildException.io("ADD " + url.url(), e);
      }
      ArchiveExtractor.Download d = new ArchiveExtractor.Download(file, size);
      if (spec.unpack().orElse(false) && ArchiveExtractor.isArchive(d)) {
        ArchiveExtractor.extract(d, url.url(), at, keyword, stage.session().workDir(),
            (rel, entry) -> placeArchived(destPath, rel, entry));
        return;
      }
      UserDatabase.Owner o = owner(0, 0);
      place(target, LayerEntry.file("x", applyChmod(FileModes.DOWNLOADED_FILE, false), o.uid(), o.gid(), size,
          ContentSource.ofFile(file)));
    }

    private UserDatabase.Owner owner(long uid, long gid) {
      return chownOwner != null ? chownOwner : new UserDatabase.Owner(uid, gid);
    }

    private int applyChmod(int mode, boolean directory) {
      return spec.chmod().map(c -> c.apply(mode, directory)).orElse(mode);
    }

    /**
     * Puts {@code entry} at the logical destination {@code path}: resolved through the links of the
     * stage (and of what this layer already placed), checked against what is there.
     */
    private void place(String path, LayerEntry entry) throws JscanException {
      String real = realPath(path, entry.isDirectory());
      if (real.isEmpty()) {
        return;
      }
      Optional<FileTree.Node> existing = work.get(real);
      if (existing.isPresent() && !work.isImplied(real)) {
        FileTree.Node e = existing.get();
        if (e.isDirectory() && !entry.isDirectory()) {
          throw BuildException.at(at, keyword + ": cannot replace the directory " + PathNames.display(real) + " with a file");
        }
        if (!e.isDirectory() && entry.isDirectory()) {
          throw BuildException.at(at, keyword + ": cannot copy a directory onto " + PathNames.display(real) + ", which is not a"
              + " directory");
        }
        if (e.isDirectory()) {
          return; // an existing directory keeps its mode and owner (BuildKit does not overwrite them)
        }
      } else if (existing.isPresent() && entry.isDirectory()) {
        // a directory so far only implied by this layer's own entries: give it its metadata
        layer.add(entry.withPath(real));
        work.put(node(real, entry));
        return;
      }
      LayerEntry placed = entry.withPath(real);
      layer.add(placed);
      work.put(node(real, placed));
    }

    private FileTree.Node node(String path, LayerEntry e) {
      return new FileTree.Node(path, e.type(), e.mode(), e.uid(), e.gid(), e.size(), e.linkTarget(), e.devMajor(), e.devMinor(),
          -1);
    }

    /** The path a destination really names in the stage: parents resolved through links; a directory through a final link too. */
    private String realPath(String path, boolean directory) throws BuildException {
      if (path.isEmpty()) {
        return "";
      }
      try {
        FileTree.Resolution parent = work.resolve(PathNames.parent(path), true, false);
        if (parent.blockedBy().isPresent()) {
          throw BuildException.at(at, keyword + ": cannot copy to " + PathNames.display(path) + ": "
              + PathNames.display(parent.blockedBy().get()) + " is not a directory");
        }
        if (parent.node().isPresent() && !parent.node().get().isDirectory()) {
          throw BuildException.at(at, keyword + ": cannot copy to " + PathNames.display(path) + ": "
              + PathNames.display(parent.path()) + " is not a directory");
        }
        String candidate = PathNames.join(parent.path(), PathNames.baseName(path));
        Optional<FileTree.Node> existing = work.get(candidate);
        if (directory && existing.isPresent() && existing.get().isSymlink()) {
          FileTree.Resolution through = work.resolve(candidate, true, false);
          if (through.node().isPresent() && through.node().get().isDirectory()) {
            return through.path();
          }
        }
        return candidate;
      } catch (FileTree.TooManyLinksException e) {
        throw BuildException.at(at, keyword + ": " + e.getMessage());
      }
    }
  }

  /** Lets tests and messages name the step. */
  @Override
  public String toString() {
    return keyword + " at " + at;
  }
}
