package io.jscan.builder.layer;

import io.jscan.builder.fs.FileTree;
import io.jscan.builder.fs.PathNames;
import io.jscan.core.FailureKind;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.fs.MergedFilesystem;
import io.jscan.core.image.Layer;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.text.Printable;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The entries of a layer without their content, keyed by diff_id: what the builder needs to know
 * about a stage's root file system (does {@code /app} exist, is {@code /var/run} a link, who owns
 * {@code /tmp}) without decompressing every layer on every build.
 *
 * <p>A listing is a pure function of the layer's uncompressed bytes, so it is cached by diff_id in
 * the store's private directory ({@code .jscan/builder/listings/}), written atomically the first
 * time a layer is listed (for layers the builder writes: when it writes them). An unreadable
 * listing is read again from the layer.
 */
public final class LayerListings {
  /**
   * v2: layers are read with core's TarReader, as a runtime reads them (v1 listings were made by
   * Commons Compress, which applies global PAX headers, and must not be trusted).
   */
  private static final String MAGIC = "jscan-layer-listing-v2";

  /** What a listing item stands for. */
  public enum Kind {
    ENTRY,
    /** {@code .wh.NAME}: removes {@code path} from the layers below */
    WHITEOUT,
    /** {@code DIR/.wh..wh..opq}: removes {@code path}'s children from the layers below */
    OPAQUE
  }

  /** One tar header of a layer, as a path and metadata. */
  public record Item(
      Kind kind, String path, FsEntry.Type type, int mode, long uid, long gid, long size, Optional<String> linkTarget,
      int devMajor, int devMinor) {}

  private final Optional<Path> directory;
  private final Path tempDir;
  private final Map<Digest, List<Item>> memory = new HashMap<>();

  /**
   * @param directory where listings are kept across builds (empty: only for this build)
   * @param tempDir staging directory on the same file system
   */
  public LayerListings(Optional<Path> directory, Path tempDir) {
    this.directory = directory;
    this.tempDir = tempDir;
  }

  /** The listing of {@code layer}: from memory, from the cache, or read from the layer (and cached). */
  public List<Item> of(Layer layer, String what) throws OciException {
    Digest diffId = layer.diffId();
    List<Item> known = memory.get(diffId);
    if (known != null) {
      return known;
    }
    Optional<List<Item>> stored = load(diffId);
    if (stored.isPresent()) {
      memory.put(diffId, stored.get());
      return stored.get();
    }
    List<Item> items = read(layer, what);
    memory.put(diffId, items);
    store(diffId, items);
    return items;
  }

  /** Records the listing of a layer the builder just wrote. */
  public void remember(Digest diffId, List<LayerEntry> entries) {
    List<Item> items = new ArrayList<>(entries.size());
    for (LayerEntry e : entries) {
      // a RUN layer holds whiteouts and opaque markers: list them as what they mean, as read() does
      String name = PathNames.baseName(e.path());
      String parent = PathNames.parent(e.path());
      if (name.equals(MergedFilesystem.OPAQUE_MARKER)) {
        items.add(new Item(Kind.OPAQUE, parent, FsEntry.Type.DIRECTORY, 0, 0, 0, 0, Optional.empty(), 0, 0));
      } else if (name.startsWith(".wh..wh.")) {
        continue;
      } else if (name.startsWith(MergedFilesystem.WHITEOUT_PREFIX)) {
        items.add(new Item(Kind.WHITEOUT, PathNames.join(parent, name.substring(MergedFilesystem.WHITEOUT_PREFIX.length())),
            FsEntry.Type.FILE, 0, 0, 0, 0, Optional.empty(), 0, 0));
      } else {
        items.add(new Item(Kind.ENTRY, e.path(), e.type(), e.mode(), e.uid(), e.gid(), e.size(), e.linkTarget(), e.devMajor(),
            e.devMinor()));
      }
    }
    memory.put(diffId, items);
    store(diffId, items);
  }

  /**
   * Applies one layer's listing to a tree, as extracting it would: its whiteouts first (they only
   * hide what the layers below had, image-spec layer.md), then its entries.
   */
  public static void apply(FileTree tree, List<Item> listing, int layerIndex) {
    for (Item i : listing) {
      if (i.kind() == Kind.WHITEOUT) {
        tree.remove(i.path());
      } else if (i.kind() == Kind.OPAQUE) {
        tree.clearChildren(i.path());
      }
    }
    for (Item i : listing) {
      if (i.kind() == Kind.ENTRY) {
        tree.put(new FileTree.Node(i.path(), i.type(), i.mode(), i.uid(), i.gid(), i.size(), i.linkTarget(), i.devMajor(),
            i.devMinor(), layerIndex));
      }
    }
  }

  /**
   * Reads a layer's tar headers with core's {@link TarReader}, so the listing has the entries a
   * runtime extracts. Paths leaving the root, a non-directory path twice in the layer (extraction
   * keeps the last copy, a reader of single files the first) and entry types no runtime extracts
   * are integrity failures, as in core's MergedFilesystem.
   */
  static List<Item> read(Layer layer, String what) throws OciException {
    List<Item> items = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (InputStream in = layer.openUncompressed()) {
      TarReader tar = new TarReader(new BufferedInputStream(in, 65536));
      for (Optional<TarEntry> next; (next = tar.next()).isPresent(); ) {
        TarEntry h = next.get();
        String path = PathNames.cleanInside(h.name());
        if (path == null) {
          throw new OciException(FailureKind.INTEGRITY, what, "path \"" + Printable.escape(h.name()) + "\" leaves the root");
        }
        if (path.isEmpty()) {
          continue;
        }
        String name = PathNames.baseName(path);
        String parent = PathNames.parent(path);
        if (name.equals(MergedFilesystem.OPAQUE_MARKER)) {
          items.add(new Item(Kind.OPAQUE, parent, FsEntry.Type.DIRECTORY, 0, 0, 0, 0, Optional.empty(), 0, 0));
          continue;
        }
        if (name.startsWith(".wh..wh.")) {
          continue;
        }
        if (name.startsWith(MergedFilesystem.WHITEOUT_PREFIX)) {
          String target = name.substring(MergedFilesystem.WHITEOUT_PREFIX.length());
          if (target.isEmpty() || target.equals(".") || target.equals("..")) {
            throw new OciException(FailureKind.INTEGRITY, what, "invalid whiteout " + Printable.escape(path));
          }
          items.add(new Item(Kind.WHITEOUT, PathNames.join(parent, target), FsEntry.Type.FILE, 0, 0, 0, 0, Optional.empty(), 0, 0));
          continue;
        }
        FsEntry.Type type = MergedFilesystem.requireExtractable(h, path, what);
        if (!seen.add(path) && type != FsEntry.Type.DIRECTORY) {
          throw new OciException(FailureKind.INTEGRITY, what,
              path + " appears twice in the layer: extraction would keep the last copy, a scan the first");
        }
        Optional<String> link = Optional.empty();
        if (type == FsEntry.Type.SYMLINK) {
          link = Optional.of(h.linkName());
        } else if (type == FsEntry.Type.HARDLINK) {
          String target = PathNames.cleanInside(h.linkName());
          if (target == null || target.isEmpty()) {
            throw new OciException(FailureKind.INTEGRITY, what, "hard link " + Printable.escape(path) + " points outside the root");
          }
          link = Optional.of(target);
        }
        boolean device = type == FsEntry.Type.CHAR_DEVICE || type == FsEntry.Type.BLOCK_DEVICE;
        items.add(new Item(Kind.ENTRY, path, type, h.permissions(), h.uid(), h.gid(), type == FsEntry.Type.FILE ? h.size() : 0, link,
            device ? (int) h.devMajor() : 0, device ? (int) h.devMinor() : 0));
      }
    } catch (IOException e) {
      throw OciException.reading(what, e);
    }
    return items;
  }

  private Optional<List<Item>> load(Digest diffId) {
    if (directory.isEmpty()) {
      return Optional.empty();
    }
    Path f = directory.get().resolve(diffId.algorithm()).resolve(diffId.encoded());
    try (InputStream raw = Files.newInputStream(f);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 65536))) {
      if (!in.readUTF().equals(MAGIC)) {
        return Optional.empty();
      }
      int n = in.readInt();
      List<Item> items = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Kind kind = Kind.values()[in.readByte()];
        String path = in.readUTF();
        FsEntry.Type type = FsEntry.Type.values()[in.readByte()];
        int mode = in.readInt();
        long uid = in.readLong();
        long gid = in.readLong();
        long size = in.readLong();
        Optional<String> link = in.readBoolean() ? Optional.of(in.readUTF()) : Optional.empty();
        int major = in.readInt();
        int minor = in.readInt();
        items.add(new Item(kind, path, type, mode, uid, gid, size, link, major, minor));
      }
      return Optional.of(items);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // damaged: read the layer again
    }
  }

  private void store(Digest diffId, List<Item> items) {
    if (directory.isEmpty()) {
      return;
    }
    Path f = directory.get().resolve(diffId.algorithm()).resolve(diffId.encoded());
    if (Files.exists(f)) {
      return;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeUTF(MAGIC);
        out.writeInt(items.size());
        for (Item i : items) {
          out.writeByte(i.kind().ordinal());
          out.writeUTF(i.path());
          out.writeByte(i.type().ordinal());
          out.writeInt(i.mode());
          out.writeLong(i.uid());
          out.writeLong(i.gid());
          out.writeLong(i.size());
          out.writeBoolean(i.linkTarget().isPresent());
          if (i.linkTarget().isPresent()) {
            out.writeUTF(i.linkTarget().get());
          }
          out.writeInt(i.devMajor());
          out.writeInt(i.devMinor());
        }
      }
      AtomicFiles.write(f, bytes.toByteArray(), tempDir);
    } catch (IOException e) {
      // a listing not kept only costs reading the layer again next time
    }
  }
}
