package io.jscan.sbom.fs;

import io.jscan.core.image.Layer;
import io.jscan.core.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One layer's part of an {@link ImageTree}, gathered while another reader streams the layer past:
 * the verifier reads every layer once, in parallel, for its integrity and file checks, and hands
 * each entry here too, so cataloguing during {@code jscan verify} costs no second read (for a
 * registry image, no second download).
 *
 * <p>Each layer keeps the metadata of all its entries, its whiteouts, and the content of the files
 * the {@link Selector}s match (small ones in memory, larger ones in the session's temp directory);
 * files only a marker selector matches are scanned as they stream and kept only with the marker.
 * {@link Session#merge} then applies the layers top down, as core's
 * {@link io.jscan.core.fs.MergedFilesystem} does (image-spec layer.md "Applying Changesets"): the
 * first copy of a path seen from the top wins, whiteouts and opaque markers hide the layers below
 * theirs, and a non-directory hides what lower layers had under it. Lower copies of versioned files
 * (package databases) are kept for {@link FileTree#history}, so no second pass is needed for them.
 *
 * <p>A capture is written by one thread (the one reading its layer).
 */
public final class LayerCapture {
  private final Session session;
  private final int layer;
  private final List<FileMeta> entries = new ArrayList<>();
  private final List<String> whiteouts = new ArrayList<>();
  private final List<String> opaques = new ArrayList<>();
  private final Map<String, StoredContent> contents = new HashMap<>();
  private final Set<String> markerFound = new HashSet<>();

  private LayerCapture(Session session, int layer) {
    this.session = session;
    this.layer = layer;
  }

  /**
   * Records an entry of the layer and says whether its content is wanted.
   *
   * @param path relative to the root, normalised ({@code usr/bin/app})
   * @param size a regular file's length (ignored for other kinds)
   * @param mode the tar header's mode (permission bits are kept)
   * @param linkTarget a symlink's target as written, or a hard link's normalised target path
   * @return a stream to copy the file's whole content into, then close; empty when nothing of it is kept
   */
  public Optional<OutputStream> entry(String path, FileMeta.Kind kind, long size, int mode, Optional<String> linkTarget) {
    FileMeta meta = new FileMeta(path, kind, kind == FileMeta.Kind.FILE ? size : 0, mode & 07777, layer, linkTarget);
    entries.add(meta);
    if (kind != FileMeta.Kind.FILE) {
      return Optional.empty(); // a hard link's content is read at its target
    }
    boolean plain = false;
    Selector marked = null;
    for (Selector s : session.selectors) {
      if (s.matches(meta)) {
        if (s.marker().isPresent()) {
          marked = s;
        } else {
          plain = true;
        }
      }
    }
    if (plain) {
      Selector markerSelector = marked;
      StoredContent.Spool spool = new StoredContent.Spool(session.scratch, session.memoryLimit);
      return Optional.of(new Finishing(spool, () -> {
        StoredContent stored = spool.keep();
        contents.put(path, stored);
        if (markerSelector != null && containsMarker(stored, markerSelector)) {
          markerFound.add(path);
        }
      }));
    }
    if (marked != null) {
      StoredContent.Spool spool = new StoredContent.Spool(session.scratch, session.memoryLimit);
      StreamingMarkerScan scan = new StreamingMarkerScan(marked.marker().orElseThrow(), marked.markerAlignment());
      return Optional.of(new Finishing(new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          spool.write(b, off, len);
          scan.update(b, off, len);
        }
      }, () -> {
        if (scan.found()) {
          contents.put(path, spool.keep());
          markerFound.add(path);
        } else {
          spool.discard();
        }
      }));
    }
    return Optional.empty();
  }

  /** A whiteout {@code .wh.NAME} of this layer: {@code path} is NAME's path; it hides NAME in the layers below. */
  public void whiteout(String path) {
    whiteouts.add(path);
  }

  /** An opaque marker in {@code directory} ("" for the root): the layers below contribute nothing under it. */
  public void opaque(String directory) {
    opaques.add(directory);
  }

  private static boolean containsMarker(StoredContent stored, Selector s) throws IOException {
    try (var in = stored.open()) {
      return MarkerScanner.copyAndScan(in, OutputStream.nullOutputStream(), s.marker().orElseThrow(), s.markerAlignment());
    }
  }

  /** A stream whose close runs a completion step once. */
  private static final class Finishing extends OutputStream {
    interface Step {
      void run() throws IOException;
    }

    private final OutputStream target;
    private final Step onClose;
    private boolean closed;

    Finishing(OutputStream target, Step onClose) {
      this.target = target;
      this.onClose = onClose;
    }

    @Override
    public void write(int b) throws IOException {
      target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        onClose.run();
      }
    }
  }

  /**
   * The captures of one image: the selectors, the temp directory their content spills into, and
   * the merge into a {@link FileTree}. Closing deletes the temp directory unless a merged tree
   * took it over (the tree deletes it when closed).
   */
  public static final class Session implements AutoCloseable {
    private final List<Selector> selectors;
    private final Path scratch;
    private final int memoryLimit;
    private final Map<Integer, LayerCapture> captured = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean handedOver;

    private Session(List<Selector> selectors, Path scratch, int memoryLimit) {
      this.selectors = List.copyOf(selectors);
      this.scratch = scratch;
      this.memoryLimit = memoryLimit;
    }

    /**
     * @param selectors what the catalogers read ({@code SbomGenerator.selectors()}); at most one marker selector
     * @param memoryLimit content up to this size stays in memory, larger content goes to a temp file
     */
    public static Session open(List<Selector> selectors, int memoryLimit) throws IOException {
      if (selectors.stream().filter(s -> s.marker().isPresent()).count() > 1) {
        throw new IllegalArgumentException("a capture supports one marker selector");
      }
      if (memoryLimit < 0) {
        throw new IllegalArgumentException("negative memory limit");
      }
      return new Session(selectors, Files.createTempDirectory("jscan-sbom-"), memoryLimit);
    }

    /**
     * The capture of the layer at {@code index} (0 for the lowest), made once; layers may be
     * captured concurrently, each by one thread.
     */
    public LayerCapture layer(int index) {
      if (index < 0) {
        throw new IllegalArgumentException("invalid layer index " + index);
      }
      return captured.computeIfAbsent(index, i -> new LayerCapture(this, i));
    }

    /**
     * The merged tree of the captured layers, one per entry of {@code layers} (lowest first).
     * {@code layers} are only read again if a cataloger asks for a file no selector kept.
     *
     * @throws IllegalStateException when a layer was not captured
     */
    public FileTree merge(List<Layer> layers, String description) {
      List<LayerCapture> captures = new ArrayList<>();
      for (int i = 0; i < layers.size(); i++) {
        LayerCapture c = captured.get(i);
        if (c == null) {
          throw new IllegalStateException("layer " + (i + 1) + " was not captured");
        }
        captures.add(c);
      }
      if (captured.size() != layers.size()) {
        throw new IllegalStateException(captured.size() + " layers captured for an image of " + layers.size());
      }
      Map<String, FileMeta> entries = new HashMap<>();
      Map<String, StoredContent> contents = new HashMap<>();
      Map<Selector, List<FileMeta>> selected = new IdentityHashMap<>();
      selectors.forEach(s -> selected.put(s, new ArrayList<>()));
      Map<String, List<LayerVersion>> histories = new HashMap<>();
      Set<String> seen = new HashSet<>();
      Set<String> nonDirectories = new HashSet<>();
      Set<String> deleted = new HashSet<>();
      Set<String> opaque = new HashSet<>();
      for (int i = captures.size() - 1; i >= 0; i--) {
        LayerCapture c = captures.get(i);
        Set<String> seenHere = new HashSet<>();
        List<String> nonDirectoriesHere = new ArrayList<>();
        for (FileMeta m : c.entries) {
          String path = m.path();
          // the first copy in a layer wins; a second one is an integrity failure the verifier reports
          if (!seenHere.add(path) || seen.contains(path) || hidden(path, deleted, opaque, nonDirectories)) {
            continue;
          }
          entries.put(path, m);
          ImageTree.addParentsOf(entries, m);
          if (m.kind() == FileMeta.Kind.DIRECTORY) {
            continue;
          }
          nonDirectoriesHere.add(path);
          select(m, c, captures, contents, selected, histories);
        }
        seen.addAll(seenHere);
        nonDirectories.addAll(nonDirectoriesHere);
        deleted.addAll(c.whiteouts);
        opaque.addAll(c.opaques);
      }
      handedOver = true;
      return ImageTree.assemble(description, layers, scratch, entries, contents, selected, histories);
    }

    private void select(FileMeta m, LayerCapture c, List<LayerCapture> captures, Map<String, StoredContent> contents,
        Map<Selector, List<FileMeta>> selected, Map<String, List<LayerVersion>> histories) {
      StoredContent stored = c.contents.get(m.path());
      for (Selector s : selectors) {
        if (!s.matches(m)) {
          continue;
        }
        if (m.kind() == FileMeta.Kind.HARDLINK) {
          selected.get(s).add(m);
          continue;
        }
        if (s.marker().isPresent() && !c.markerFound.contains(m.path())) {
          continue;
        }
        selected.get(s).add(m);
        if (stored == null) {
          continue; // read again from its layer if a cataloger asks
        }
        contents.put(m.path(), stored);
        if (s.versioned() && !histories.containsKey(m.path())) {
          List<LayerVersion> versions = new ArrayList<>();
          versions.add(new LayerVersion(m.layer(), stored));
          for (int j = m.layer() - 1; j >= 0; j--) {
            StoredContent older = captures.get(j).contents.get(m.path());
            if (older != null) {
              versions.add(new LayerVersion(j, older));
            }
          }
          histories.put(m.path(), versions);
        }
      }
    }

    /** As {@link io.jscan.core.fs.MergedFilesystem}: hidden by a whiteout, an opaque directory or a non-directory above. */
    private static boolean hidden(String path, Set<String> deleted, Set<String> opaque, Set<String> nonDirectories) {
      if (deleted.contains(path)) {
        return true;
      }
      for (String ancestor = TreePaths.parent(path); !ancestor.isEmpty(); ancestor = TreePaths.parent(ancestor)) {
        if (deleted.contains(ancestor) || opaque.contains(ancestor) || nonDirectories.contains(ancestor)) {
          return true;
        }
      }
      return opaque.contains("");
    }

    @Override
    public void close() {
      if (!handedOver) {
        try {
          AtomicFiles.deleteTree(scratch);
        } catch (IOException ignored) {
          // a temp directory left behind is removed with the system's temp files
        }
      }
    }
  }

  /** Finds a marker at aligned stream offsets as the stream is written (MarkerScanner's copyAndScan, push-style). */
  static final class StreamingMarkerScan {
    private final byte[] marker;
    private final int alignment;
    private byte[] window = new byte[1 << 16];
    private int carry;
    private long windowStart;
    private boolean found;

    StreamingMarkerScan(byte[] marker, int alignment) {
      this.marker = marker;
      this.alignment = alignment;
    }

    void update(byte[] b, int off, int len) {
      if (found || len == 0) {
        return;
      }
      int total = carry + len;
      if (window.length < total) {
        window = java.util.Arrays.copyOf(window, Math.max(window.length * 2, total));
      }
      System.arraycopy(b, off, window, carry, len);
      long firstAligned = ((windowStart + alignment - 1) / alignment) * alignment;
      outer:
      for (int i = (int) (firstAligned - windowStart); i + marker.length <= total; i += alignment) {
        for (int k = 0; k < marker.length; k++) {
          if (window[i + k] != marker[k]) {
            continue outer;
          }
        }
        found = true;
        return;
      }
      // keep the last marker.length - 1 bytes: a marker may span two writes
      int keep = Math.min(marker.length - 1, total);
      System.arraycopy(window, total - keep, window, 0, keep);
      windowStart += total - keep;
      carry = keep;
    }

    boolean found() {
      return found;
    }
  }
}
