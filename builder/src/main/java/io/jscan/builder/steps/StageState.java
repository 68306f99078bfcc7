package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.builder.BuildResult.ResolvedImage;
import io.jscan.builder.fs.FileTree;
import io.jscan.builder.fs.PathNames;
import io.jscan.builder.fs.UserDatabase;
import io.jscan.builder.layer.LayerFiles;
import io.jscan.builder.layer.LayerListings;
import io.jscan.builder.layer.LayerWriter;
import io.jscan.builder.layer.ReproducibleLayerBuilder;
import io.jscan.core.JscanException;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.ChainIds;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.dockerfile.Stage;
import io.jscan.dockerfile.build.PlannedStage;
import io.jscan.dockerfile.build.StageEnvironment;
import io.jscan.dockerfile.shell.WordExpander;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A stage while its instructions are applied: the image config so far, the layers (the base's,
 * then the stage's own), the history, the variables, and — built only when a step needs it — the
 * root file system's metadata ({@link #filesystem()}).
 *
 * <p><b>Producing a layer.</b> Every step that changes files goes through {@link #commitLayer}:
 * the step computes a cache key from its inputs, and gives a {@link LayerProducer} that is called
 * only on a cache miss and returns the layer's entries. COPY and ADD produce entries from the
 * context or another image; the coming {@code RunCommandStep} will produce them from a diff of
 * the root file system after running a command (it can extract {@link #layers()} as the root and
 * use {@link #filesystem()} to compare against).
 */
public final class StageState {
  /** The comment of every history entry jscan adds. */
  public static final String HISTORY_COMMENT = "jscan.dockerfile.v0";

  /** Makes a layer's entries; called only when the layer cache has no layer for the step's key. */
  @FunctionalInterface
  public interface LayerProducer {
    ReproducibleLayerBuilder produce() throws JscanException, IOException;
  }

  private record Pending(History history, Optional<Layer> layer) {}

  private final BuildSession session;
  private final PlannedStage planned;
  private final Platform platform;
  private final Optional<Image> base;
  private final ImageConfig baseConfig;
  private final List<Layer> layers = new ArrayList<>();
  private final List<Pending> history = new ArrayList<>();
  private final MutableContainerConfig container;
  private final StageEnvironment env;
  private final Optional<ResolvedImage> root;
  private Optional<String> author;
  private boolean cmdSet;
  private FileTree tree;
  private UserDatabase users;
  /** what /etc/passwd and /etc/group resolved to when {@link #users} was read: a layer that changes neither keeps it */
  private List<Optional<FileTree.Node>> usersFrom = List.of();

  StageState(BuildSession session, PlannedStage planned, Platform platform, Optional<Image> base, ImageConfig baseConfig,
      Optional<ResolvedImage> root) throws OciException {
    this.session = session;
    this.planned = planned;
    this.platform = platform;
    this.base = base;
    this.baseConfig = baseConfig;
    this.root = root;
    if (base.isPresent()) {
      layers.addAll(base.get().layers());
    }
    this.container = new MutableContainerConfig(baseConfig.config());
    this.author = baseConfig.author();
    // BuildKit: "make sure that PATH is always set" (not for Windows)
    if (container.getEnv("PATH").isEmpty() && !"windows".equals(platform.os())) {
      container.env.add("PATH=" + DEFAULT_PATH);
    }
    this.env = session.plan().newStageEnvironment(container.env);
  }

  /** The PATH BuildKit and Docker give an image that has none (Linux). */
  public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  public BuildSession session() {
    return session;
  }

  public PlannedStage planned() {
    return planned;
  }

  public Stage stage() {
    return planned.stage();
  }

  /** The stage's name for messages. */
  public String name() {
    return planned.stage().displayName();
  }

  public Platform platform() {
    return platform;
  }

  public StageEnvironment env() {
    return env;
  }

  /** A word expander over the variables as they are now (one per instruction). */
  public WordExpander expander() {
    return env.expander();
  }

  MutableContainerConfig container() {
    return container;
  }

  void author(String newAuthor) {
    author = Optional.of(newAuthor);
  }

  boolean cmdSet() {
    return cmdSet;
  }

  void markCmdSet() {
    cmdSet = true;
  }

  /** The working directory in relative form ({@code ""} for {@code /}). */
  public String workdir() {
    return PathNames.cleanAbsolute(container.workingDir.orElse("/"));
  }

  /** The USER in effect, if any. */
  public Optional<String> user() {
    return container.user.filter(u -> !u.isEmpty());
  }

  /** The image the chain of bases of this stage starts from (empty for scratch). */
  public Optional<ResolvedImage> rootImage() {
    return root;
  }

  /** Every layer of the stage so far, the base image's first. */
  public List<Layer> layers() {
    return List.copyOf(layers);
  }

  /** The ChainID of {@link #layers()}; empty while there are none. */
  public Optional<Digest> chainId() {
    if (layers.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ChainIds.top(layers.stream().map(Layer::diffId).toList()));
  }

  /**
   * A cache key holding what every layer of this stage depends on; {@code dependsOnParent} false
   * leaves the parent ChainID out (COPY --link, whose layer does not read the file system below).
   */
  public CacheKey cacheKey(boolean dependsOnParent) {
    return new CacheKey()
        .add("parent", dependsOnParent ? chainId().map(Digest::toString).orElse("none") : "independent")
        .add("platform", platform.toString())
        .add("source-date-epoch", Long.toString(session.epochSeconds()))
        .add("compression", session.request().compression().name());
  }

  /** Appends a history entry that made no layer (ENV, LABEL, CMD...). */
  public void addHistory(String createdBy) {
    history.add(new Pending(history(createdBy, true), Optional.empty()));
  }

  private History history(String createdBy, boolean empty) {
    return new History(Optional.of(session.request().sourceDateEpoch().instant()), Optional.of(createdBy), Optional.empty(),
        Optional.of(HISTORY_COMMENT), empty);
  }

  /**
   * Adds the layer cached under {@code key}, or produces, writes and caches it. A producer that
   * returns no entries adds a history entry without a layer (BuildKit drops empty layers too).
   *
   * @return whether the layer came from the cache
   */
  public boolean commitLayer(String createdBy, CacheKey key, LayerProducer producer) throws JscanException {
    Digest digest = key.digest();
    Optional<Layer> cached = session.cachedLayer(digest);
    if (cached.isPresent()) {
      addLayer(cached.get(), createdBy, Optional.empty());
      session.countReused();
      session.log("  cached layer " + cached.get().descriptor().digest().shortHex());
      return true;
    }
    ReproducibleLayerBuilder entries;
    try {
      entries = producer.produce();
    } catch (IOException e) {
      throw BuildException.io(createdBy, e);
    }
    if (entries.isEmpty()) {
      addHistory(createdBy);
      return false;
    }
    LayerWriter.WrittenLayer written;
    try {
      written = LayerWriter.write(entries, session.epochSeconds(), session.request().compression(), session.workDir());
    } catch (IOException e) {
      throw BuildException.io("writing the layer of " + createdBy, e);
    }
    Layer layer = session.cacheLayer(digest, written.layer());
    session.listings().remember(layer.diffId(), written.entries());
    addLayer(layer, createdBy, Optional.of(written));
    session.countBuilt();
    session.log("  built layer " + layer.descriptor().digest().shortHex() + " (" + written.entries().size() + " entries, "
        + layer.descriptor().size() + " bytes)");
    return false;
  }

  private void addLayer(Layer layer, String createdBy, Optional<LayerWriter.WrittenLayer> written) throws OciException {
    layers.add(layer);
    history.add(new Pending(history(createdBy, false), Optional.of(layer)));
    if (tree == null) {
      users = null;
    }
    if (tree != null) {
      LayerListings.apply(tree, session.listings().of(layer, describe(layers.size() - 1)), layers.size() - 1);
    }
  }

  private String describe(int index) {
    return "layer " + (index + 1) + " " + layers.get(index).descriptor().digest();
  }

  /**
   * The stage's root file system as it is now (metadata only), built from the layers' listings the
   * first time it is asked for and kept up to date afterwards. Do not modify it.
   */
  public FileTree filesystem() throws OciException {
    if (tree == null) {
      tree = treeOf(layers, session);
    }
    return tree;
  }

  /** The metadata tree of an image's layers. */
  static FileTree treeOf(List<Layer> layers, BuildSession session) throws OciException {
    FileTree t = new FileTree();
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      LayerListings.apply(t, session.listings().of(l, "layer " + (i + 1) + " " + l.descriptor().digest()), i);
    }
    return t;
  }

  /** The users and groups of the stage's root file system ({@code /etc/passwd}, {@code /etc/group}). */
  public UserDatabase users() throws JscanException {
    List<Optional<FileTree.Node>> from = List.of(resolvedNode("etc/passwd"), resolvedNode("etc/group"));
    if (users == null || !from.equals(usersFrom)) {
      usersFrom = from;
      Map<String, byte[]> files = readFiles(layers, filesystem(), Set.of("etc/passwd", "etc/group"), session);
      users = UserDatabase.parse(Optional.ofNullable(files.get("etc/passwd")), Optional.ofNullable(files.get("etc/group")));
    }
    return users;
  }

  /** What a path of the root resolves to (links followed), for telling whether a layer changed it. */
  private Optional<FileTree.Node> resolvedNode(String path) throws OciException {
    try {
      return filesystem().resolve(path, true, false).node();
    } catch (FileTree.TooManyLinksException e) {
      return Optional.empty();
    }
  }

  /** Reads small regular files of a root file system (following links inside it); missing ones are left out. */
  static Map<String, byte[]> readFiles(List<Layer> layers, FileTree tree, Set<String> paths, BuildSession session)
      throws JscanException {
    Map<Integer, Map<String, String>> byLayer = new HashMap<>();
    for (String p : paths) {
      FileTree.Resolution r;
      try {
        r = tree.resolve(p, true, false);
      } catch (FileTree.TooManyLinksException e) {
        continue;
      }
      Optional<FileTree.Node> node = r.node();
      if (node.isPresent() && node.get().type() == FsEntry.Type.HARDLINK) {
        node = tree.get(node.get().linkTarget().orElse(""));
      }
      if (node.isPresent() && node.get().type() == FsEntry.Type.FILE && node.get().layerIndex() >= 0) {
        byLayer.computeIfAbsent(node.get().layerIndex(), k -> new HashMap<>()).put(node.get().path(), p);
      }
    }
    Map<String, byte[]> result = new HashMap<>();
    for (Map.Entry<Integer, Map<String, String>> e : byLayer.entrySet()) {
      Layer layer = layers.get(e.getKey());
      Map<String, String> wanted = e.getValue();
      LayerFiles.read(layer, wanted.keySet(), "layer " + (e.getKey() + 1) + " " + layer.descriptor().digest(),
          (path, in) -> result.put(wanted.get(path), in.readNBytes(1 << 20)));
    }
    return result;
  }

  /** Adds labels to the config (used for --label and the base-image labels of the final image). */
  public void addLabels(Map<String, String> labels) {
    container.labels.putAll(labels);
  }

  /** The image the stage has produced so far. */
  public Image toImage() throws OciException {
    ImageBuilder b = base.isPresent() ? ImageBuilder.from(base.get()) : ImageBuilder.fromScratch(platform);
    ImageConfig config = baseConfig
        .withConfig(container.build())
        .withAuthor(author)
        .withCreated(Optional.of(session.request().sourceDateEpoch().instant()));
    b.config(c -> config);
    for (Pending p : history) {
      if (p.layer().isPresent()) {
        b.addLayer(p.layer().get(), p.history());
      } else {
        b.addHistory(p.history());
      }
    }
    return b.build();
  }
}
