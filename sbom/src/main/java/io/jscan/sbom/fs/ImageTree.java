package io.jscan.sbom.fs;

import io.jscan.core.fs.FsEntry;
import io.jscan.core.fs.MergedFilesystem;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.OciException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An image's merged file system (core's {@link MergedFilesystem}: whiteouts and opaque
 * directories applied) as a {@link FileTree}.
 *
 * <p>One pass over the layers keeps the metadata of every entry and the content of the files the
 * given {@link Selector}s match: up to 1 MiB in memory, larger in a temp file (deleted by
 * {@link #close()}). Files a marker selector asks for are scanned as they stream past and kept
 * only when the marker is there. For {@linkplain Selector#versioned() package databases} written
 * by a layer above the first, a second pass reads the lower layers for their older copies. A file
 * no selector matched is read again from its layer if a cataloger asks for it anyway.
 */
public final class ImageTree implements FileTree {
  static final int MEMORY_LIMIT = 1 << 20;
  /** Executables are scanned for markers in memory up to this size, then in a temp file. */
  static final int SCAN_MEMORY_LIMIT = 64 << 20;

  private final String description;
  private final List<Layer> layers;
  private final Path scratch;
  private final Map<String, FileMeta> entries;
  private final Map<String, StoredContent> contents;
  private final Map<Selector, List<FileMeta>> selected;
  private final Map<String, List<LayerVersion>> histories;

  private ImageTree(
      String description, List<Layer> layers, Path scratch, Map<String, FileMeta> entries,
      Map<String, StoredContent> contents, Map<Selector, List<FileMeta>> selected, Map<String, List<LayerVersion>> histories) {
    this.description = description;
    this.layers = layers;
    this.scratch = scratch;
    this.entries = entries;
    this.contents = contents;
    this.selected = selected;
    this.histories = histories;
  }

  /**
   * A tree whose parts were gathered elsewhere (the verifier's single pass, see {@link LayerCapture}):
   * the visible entries, the content kept for them, what each selector matched and the older
   * copies of versioned files. {@code scratch} is deleted by {@link #close()}.
   */
  static ImageTree assemble(
      String description, List<Layer> layers, Path scratch, Map<String, FileMeta> entries,
      Map<String, StoredContent> contents, Map<Selector, List<FileMeta>> selected, Map<String, List<LayerVersion>> histories) {
    selected.replaceAll((s, list) -> list.stream().sorted(Comparator.comparing(FileMeta::path)).toList());
    return new ImageTree(description, layers, scratch, entries, contents, selected, histories);
  }

  /** Directories that only appear as parents of other entries (for trees assembled elsewhere). */
  static void addParentsOf(Map<String, FileMeta> entries, FileMeta meta) {
    addParents(entries, meta);
  }

  /** Reads {@code image}'s layers, keeping what {@code selectors} match. */
  public static ImageTree load(Image image, List<Selector> selectors) throws OciException, IOException {
    if (selectors.stream().filter(s -> s.marker().isPresent()).count() > 1) {
      // one streaming scan per file; a second marker would need a second pass
      throw new IllegalArgumentException("an image tree supports one marker selector");
    }
    List<Layer> layers = image.layers();
    Path scratch = Files.createTempDirectory("jscan-sbom-");
    try {
      Map<String, FileMeta> entries = new HashMap<>();
      Map<String, StoredContent> contents = new HashMap<>();
      Map<Selector, List<FileMeta>> selected = new IdentityHashMap<>();
      selectors.forEach(s -> selected.put(s, new ArrayList<>()));
      Buffers buffers = new Buffers(scratch);
      MergedFilesystem.walk(layers, (entry, content) -> {
        FileMeta meta = meta(entry, entry.layerIndex());
        entries.put(meta.path(), meta);
        addParents(entries, meta);
        if (meta.kind() != FileMeta.Kind.DIRECTORY) {
          keep(meta, content, selectors, selected, contents, buffers);
        }
        buffers.drain(content);
      });
      Map<String, List<LayerVersion>> histories = olderCopies(layers, selectors, selected, contents, scratch);
      selected.replaceAll((s, list) -> list.stream().sorted(Comparator.comparing(FileMeta::path)).toList());
      return new ImageTree("image " + image.digest(), layers, scratch, entries, contents, selected, histories);
    } catch (IOException | OciException | RuntimeException e) {
      AtomicFiles.deleteTree(scratch);
      throw e;
    }
  }

  private static FileMeta meta(FsEntry e, int layer) {
    FileMeta.Kind kind = switch (e.type()) {
      case FILE -> FileMeta.Kind.FILE;
      case DIRECTORY -> FileMeta.Kind.DIRECTORY;
      case SYMLINK -> FileMeta.Kind.SYMLINK;
      case HARDLINK -> FileMeta.Kind.HARDLINK;
      default -> FileMeta.Kind.OTHER;
    };
    return new FileMeta(e.path(), kind, e.size(), e.mode() & 07777, layer, e.linkTarget());
  }

  /** Directories that only appear as parents of other entries in the tars. */
  private static void addParents(Map<String, FileMeta> entries, FileMeta meta) {
    for (String dir = TreePaths.parent(meta.path()); !dir.isEmpty(); dir = TreePaths.parent(dir)) {
      if (entries.containsKey(dir)) {
        return;
      }
      entries.put(dir, new FileMeta(dir, FileMeta.Kind.DIRECTORY, 0, 0755, meta.layer(), Optional.empty()));
    }
  }

  /**
   * Buffers reused across entries: unread content is drained through one array (the tar reader's
   * own skipping allocates a buffer per entry), and executables are scanned in one growing spool.
   */
  private static final class Buffers {
    final Path scratch;
    final byte[] drain = new byte[1 << 16];
    final StoredContent.Spool scan;

    Buffers(Path scratch) {
      this.scratch = scratch;
      this.scan = new StoredContent.Spool(scratch, SCAN_MEMORY_LIMIT);
    }

    void drain(InputStream content) throws IOException {
      while (content.read(drain) >= 0) {
        // discard
      }
    }
  }

  private static void keep(
      FileMeta meta, InputStream content, List<Selector> selectors, Map<Selector, List<FileMeta>> selected,
      Map<String, StoredContent> contents, Buffers buffers) throws IOException {
    Path scratch = buffers.scratch;
    List<Selector> plain = new ArrayList<>();
    List<Selector> marked = new ArrayList<>();
    for (Selector s : selectors) {
      if (s.matches(meta)) {
        (s.marker().isPresent() ? marked : plain).add(s);
      }
    }
    if (plain.isEmpty() && marked.isEmpty()) {
      return;
    }
    if (meta.kind() == FileMeta.Kind.HARDLINK) {
      // content lives at the link target; it is read from there on demand
      plain.forEach(s -> selected.get(s).add(meta));
      marked.forEach(s -> selected.get(s).add(meta));
      return;
    }
    if (!plain.isEmpty()) {
      StoredContent.Spool spool = new StoredContent.Spool(scratch, MEMORY_LIMIT);
      content.transferTo(spool);
      StoredContent stored = spool.keep();
      contents.put(meta.path(), stored);
      plain.forEach(s -> selected.get(s).add(meta));
      for (Selector s : marked) {
        if (containsMarker(stored, s)) {
          selected.get(s).add(meta);
        }
      }
      return;
    }
    StoredContent.Spool spool = buffers.scan;
    Selector first = marked.get(0);
    boolean found = MarkerScanner.copyAndScan(content, spool, first.marker().orElseThrow(), first.markerAlignment());
    if (found) {
      StoredContent stored = spool.keepAndReset();
      contents.put(meta.path(), stored);
      for (Selector s : marked) {
        if (s == first || containsMarker(stored, s)) {
          selected.get(s).add(meta);
        }
      }
    } else {
      spool.discard();
    }
  }

  private static boolean containsMarker(StoredContent stored, Selector s) throws IOException {
    try (InputStream in = stored.open()) {
      return MarkerScanner.copyAndScan(in, java.io.OutputStream.nullOutputStream(), s.marker().orElseThrow(), s.markerAlignment());
    }
  }

  /**
   * Older copies of versioned files: each lower layer is walked on its own and the copies it wrote
   * of those paths are kept, top down.
   */
  private static Map<String, List<LayerVersion>> olderCopies(
      List<Layer> layers, List<Selector> selectors, Map<Selector, List<FileMeta>> selected,
      Map<String, StoredContent> contents, Path scratch) throws OciException, IOException {
    Map<String, List<LayerVersion>> histories = new HashMap<>();
    Map<String, Integer> wanted = new HashMap<>();
    for (Selector s : selectors) {
      if (!s.versioned()) {
        continue;
      }
      for (FileMeta f : selected.get(s)) {
        if (contents.containsKey(f.path())) {
          histories.put(f.path(), new ArrayList<>(List.of(new LayerVersion(f.layer(), contents.get(f.path())))));
          if (f.layer() > 0) {
            wanted.put(f.path(), f.layer());
          }
        }
      }
    }
    int top = wanted.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    for (int j = top - 1; j >= 0; j--) {
      int layer = j;
      Set<String> here = new HashSet<>();
      wanted.forEach((path, visibleLayer) -> {
        if (layer < visibleLayer) {
          here.add(path);
        }
      });
      if (here.isEmpty()) {
        continue;
      }
      Buffers buffers = new Buffers(scratch);
      MergedFilesystem.walk(List.of(layers.get(j)), (entry, content) -> {
        if (entry.type() == FsEntry.Type.FILE && here.contains(entry.path())) {
          StoredContent.Spool spool = new StoredContent.Spool(scratch, MEMORY_LIMIT);
          content.transferTo(spool);
          histories.get(entry.path()).add(new LayerVersion(layer, spool.keep()));
        }
        buffers.drain(content);
      });
    }
    return histories;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public int layerCount() {
    return layers.size();
  }

  @Override
  public List<FileMeta> select(Selector selector) {
    List<FileMeta> result = selected.get(selector);
    if (result == null) {
      throw new IllegalArgumentException(selector + " was not given when the image tree was loaded");
    }
    return result;
  }

  @Override
  public Optional<FileMeta> stat(String path) {
    return Optional.ofNullable(entries.get(TreePaths.normalise(path)));
  }

  @Override
  public synchronized Content content(FileMeta file) throws IOException {
    if (file.kind() == FileMeta.Kind.HARDLINK) {
      FileMeta target = stat(file.linkTarget().orElseThrow())
          .filter(t -> t.kind() == FileMeta.Kind.FILE)
          .orElseThrow(() -> new IOException("hard link " + file.absolutePath() + " points at a missing file"));
      return content(target);
    }
    if (file.kind() != FileMeta.Kind.FILE) {
      throw new IOException("not a regular file: " + file.absolutePath());
    }
    StoredContent stored = contents.get(file.path());
    if (stored == null) {
      stored = reread(file);
      contents.put(file.path(), stored);
    }
    return stored;
  }

  /** Reads a file no selector kept from its layer (one more pass over that layer). */
  private StoredContent reread(FileMeta file) throws IOException {
    StoredContent[] found = new StoredContent[1];
    Buffers buffers = new Buffers(scratch);
    try {
      MergedFilesystem.walk(List.of(layers.get(file.layer())), (entry, content) -> {
        if (found[0] == null && entry.type() == FsEntry.Type.FILE && entry.path().equals(file.path())) {
          StoredContent.Spool spool = new StoredContent.Spool(scratch, MEMORY_LIMIT);
          content.transferTo(spool);
          found[0] = spool.keep();
        }
        buffers.drain(content);
      });
    } catch (OciException e) {
      throw new IOException("reading " + file.absolutePath() + " again from layer " + (file.layer() + 1) + ": " + e.getMessage(), e);
    }
    if (found[0] == null) {
      throw new IOException(file.absolutePath() + " is not in layer " + (file.layer() + 1));
    }
    return found[0];
  }

  @Override
  public List<LayerVersion> history(FileMeta file) throws IOException {
    List<LayerVersion> h = histories.get(file.path());
    return h != null ? List.copyOf(h) : List.of(new LayerVersion(file.layer(), content(file)));
  }

  @Override
  public void close() {
    try {
      AtomicFiles.deleteTree(scratch);
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + scratch, e);
    }
  }
}
