package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.builder.context.ContextSnapshot;
import io.jscan.builder.fs.FileTree;
import io.jscan.builder.layer.ContentSource;
import io.jscan.builder.layer.LayerFiles;
import io.jscan.core.JscanException;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.image.Layer;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.ChainIds;
import io.jscan.core.oci.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where COPY takes files from: the build context, or the root file system of another stage or an
 * image ({@code --from}). Both are {@link FileTree}s of metadata; content is fetched only when a
 * layer is actually written.
 */
interface SourceTree {

  FileTree tree();

  /** Whether a symbolic link may not lead outside the root (the context: outside is the host). */
  boolean strict();

  /** How messages name it ("the build context", "stage build", "image busybox:1.36"). */
  String describe();

  /** Whether {@code path} exists but was left out on purpose (.dockerignore), for messages. */
  default boolean ignoredOnDisk(String path) {
    return false;
  }

  /** What pins the content of a node in a cache key (a content digest, or the image's ChainID). */
  String identity(FileTree.Node node);

  /**
   * One digest for everything below the directory {@code dir}, when this source keeps them (the
   * build context does: {@link ContextSnapshot#subtreeDigest}); a cache key may use it in place of
   * listing every entry below {@code dir} with its {@link #identity}.
   */
  default Optional<Digest> subtreeDigest(String dir) throws JscanException {
    return Optional.empty();
  }

  /** Fetches the content of these regular files before the layer is written (one pass per layer). */
  void prepare(List<FileTree.Node> files) throws JscanException;

  /** The content of a regular file (after {@link #prepare}). */
  ContentSource content(FileTree.Node file) throws JscanException;

  /** The build context. */
  static SourceTree context(ContextSnapshot snapshot) {
    return new SourceTree() {
      @Override
      public FileTree tree() {
        return snapshot.tree();
      }

      @Override
      public boolean strict() {
        return true;
      }

      @Override
      public String describe() {
        return "the build context";
      }

      @Override
      public boolean ignoredOnDisk(String path) {
        return snapshot.isIgnoredOnDisk(path);
      }

      @Override
      public String identity(FileTree.Node node) {
        return node.type() == FsEntry.Type.FILE ? snapshot.file(node.path()).orElseThrow().digest().toString() : "";
      }

      @Override
      public Optional<Digest> subtreeDigest(String dir) {
        return snapshot.subtreeDigest(dir);
      }

      @Override
      public void prepare(List<FileTree.Node> files) {}

      @Override
      public ContentSource content(FileTree.Node file) {
        return snapshot.file(file.path()).orElseThrow().content();
      }
    };
  }

  /** A stage's or an image's root file system, from its layers' listings. */
  static SourceTree image(String description, List<Layer> layers, FileTree tree, Path workDir) {
    return new ImageSourceTree(description, layers, tree, workDir);
  }

  /** Files of an image, extracted into the work directory when a layer needs them. */
  final class ImageSourceTree implements SourceTree {
    private final String description;
    private final List<Layer> layers;
    private final FileTree tree;
    private final Path workDir;
    private final String chainId;
    private final Map<String, Path> extracted = new HashMap<>();

    ImageSourceTree(String description, List<Layer> layers, FileTree tree, Path workDir) {
      this.description = description;
      this.layers = layers;
      this.tree = tree;
      this.workDir = workDir;
      this.chainId = layers.isEmpty() ? "empty" : ChainIds.top(layers.stream().map(Layer::diffId).toList()).toString();
    }

    @Override
    public FileTree tree() {
      return tree;
    }

    @Override
    public boolean strict() {
      return false;
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public String identity(FileTree.Node node) {
      return chainId; // the ChainID pins every file of the image
    }

    /** The regular file holding a node's content (a hard link's target). */
    private FileTree.Node contentNode(FileTree.Node node) {
      if (node.type() == FsEntry.Type.HARDLINK) {
        return tree.get(node.linkTarget().orElse("")).filter(n -> n.type() == FsEntry.Type.FILE).orElse(node);
      }
      return node;
    }

    @Override
    public void prepare(List<FileTree.Node> files) throws JscanException {
      Map<Integer, Set<String>> byLayer = new HashMap<>();
      for (FileTree.Node f : files) {
        FileTree.Node c = contentNode(f);
        if (c.type() == FsEntry.Type.FILE && c.layerIndex() >= 0 && !extracted.containsKey(c.path())) {
          byLayer.computeIfAbsent(c.layerIndex(), k -> new HashSet<>()).add(c.path());
        }
      }
      try {
        Path dir = workDir.resolve("extract");
        Files.createDirectories(dir);
        for (Map.Entry<Integer, Set<String>> e : byLayer.entrySet()) {
          Layer layer = layers.get(e.getKey());
          Set<String> missing = LayerFiles.read(layer, e.getValue(), description + " layer " + (e.getKey() + 1), (path, in) -> {
            Path tmp = AtomicFiles.tempName(dir, "f-");
            try (OutputStream out = Files.newOutputStream(tmp)) {
              in.transferTo(out);
            }
            extracted.put(path, tmp);
          });
          if (!missing.isEmpty()) {
            throw BuildException.badInput(description, "layer " + (e.getKey() + 1) + " does not hold " + missing.iterator().next());
          }
        }
      } catch (IOException e) {
        throw BuildException.io("extracting files from " + description, e);
      }
    }

    @Override
    public ContentSource content(FileTree.Node file) throws JscanException {
      Path p = extracted.get(contentNode(file).path());
      if (p == null) {
        throw BuildException.badInput(description, "no content for /" + file.path());
      }
      return ContentSource.ofFile(p);
    }

    /** The image's ChainID, for cache keys. */
    String chainId() {
      return chainId;
    }
  }
}
