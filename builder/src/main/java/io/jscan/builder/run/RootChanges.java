package io.jscan.builder.run;

import io.jscan.builder.fs.PathNames;
import io.jscan.builder.layer.ContentSource;
import io.jscan.builder.layer.LayerEntry;
import io.jscan.builder.layer.ReproducibleLayerBuilder;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.fs.MergedFilesystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a RUN command changed in its root file system, in a form that does not depend on how the
 * root was made (overlayfs or a copy), so that both give the same layer:
 *
 * <ul>
 *   <li>a path is <b>changed</b> when it is new, changed type, or its owner, mode, mtime (to the
 *       nanosecond), size, link target, device numbers or {@code security.capability} differ, or
 *       (a regular file) its content does; a changed directory is written, an unchanged one only
 *       as the parent of something written;
 *   <li>a name a directory had before and not after is <b>deleted</b>: a whiteout
 *       {@code .wh.NAME}, unless none of the directory's old names is left, when one opaque marker
 *       {@code .wh..wh..opq} says the same (that is what replacing a directory leaves; image-spec
 *       layer.md, "Whiteouts");
 *   <li>the names of one inode (hard links) are written together when any of them is written, as
 *       one file and links to it.
 * </ul>
 *
 * <p>Entries keep the owner, mode and capabilities the command left; their mtime is clamped to
 * SOURCE_DATE_EPOCH (a newer time becomes SOURCE_DATE_EPOCH, an older one stays: BuildKit's
 * rewrite-timestamp). Sockets are left out (tar cannot hold them).
 */
final class RootChanges {
  /**
   * One path of the root after the command.
   *
   * @param file where the path is on disk (a regular file's content is read from there)
   * @param linkTarget a symbolic link's target as written
   */
  record Item(String path, FileStatus status, Path file, Optional<String> linkTarget, Optional<byte[]> capability) {
    FsEntry.Type type() {
      return status.type().orElseThrow();
    }

    String inodeKey() {
      return status.device() + ":" + status.inode();
    }
  }

  private final Map<String, Item> changed = new TreeMap<>(PathNames.TREE_ORDER);
  private final Map<String, Item> directories = new HashMap<>();
  private final Map<String, List<Item>> inodes = new HashMap<>();
  private final Set<String> whiteouts = new TreeSet<>(PathNames.TREE_ORDER);
  private final Set<String> opaque = new TreeSet<>(PathNames.TREE_ORDER);

  /** Records a path of the root after the command (every directory the diff walked, every file that may be linked). */
  void seen(Item item) {
    if (item.type() == FsEntry.Type.DIRECTORY) {
      directories.put(item.path(), item);
    } else if (item.type() == FsEntry.Type.FILE && item.status().links() > 1) {
      inodes.computeIfAbsent(item.inodeKey(), k -> new ArrayList<>()).add(item);
    }
  }

  /** Records a path the command created or changed (after {@link #seen}). */
  void changed(Item item) {
    changed.put(item.path(), item);
  }

  /**
   * Records the deletions in one directory that exists before and after as a directory.
   *
   * @param before its names before the command
   * @param after its names after
   */
  void namesOf(String dir, Set<String> before, Set<String> after) {
    List<String> gone = new ArrayList<>();
    boolean anyLeft = false;
    for (String name : before) {
      if (after.contains(name)) {
        anyLeft = true;
      } else {
        gone.add(name);
      }
    }
    if (gone.isEmpty()) {
      return;
    }
    if (!anyLeft) {
      opaque.add(dir);
    } else {
      for (String name : gone) {
        whiteouts.add(PathNames.join(dir, name));
      }
    }
  }

  boolean isEmpty() {
    return changed.isEmpty() && whiteouts.isEmpty() && opaque.isEmpty();
  }

  /** The paths written as changed (for tests and debug output). */
  Set<String> changedPaths() {
    return changed.keySet();
  }

  Set<String> whiteouts() {
    return whiteouts;
  }

  Set<String> opaqueDirectories() {
    return opaque;
  }

  /** The layer's entries; times clamped to {@code epochSeconds}. */
  ReproducibleLayerBuilder toLayer(long epochSeconds) {
    ReproducibleLayerBuilder layer = new ReproducibleLayerBuilder(parent -> {
      Item dir = directories.get(parent);
      if (dir == null) {
        throw new IllegalStateException("the diff did not record the directory /" + parent);
      }
      return entry(dir, epochSeconds);
    });
    Map<String, Item> written = new TreeMap<>(PathNames.TREE_ORDER);
    written.putAll(changed);
    for (Item item : changed.values()) {
      if (item.type() == FsEntry.Type.FILE && item.status().links() > 1) {
        for (Item sibling : inodes.getOrDefault(item.inodeKey(), List.of())) {
          written.putIfAbsent(sibling.path(), sibling);
        }
      }
    }
    Map<String, String> firstOfInode = new HashMap<>();
    for (Item item : written.values()) {
      if (item.type() == FsEntry.Type.FILE && item.status().links() > 1) {
        String first = firstOfInode.putIfAbsent(item.inodeKey(), item.path());
        if (first != null) {
          LayerEntry file = entry(item, epochSeconds);
          layer.add(new LayerEntry(item.path(), FsEntry.Type.HARDLINK, file.mode(), file.uid(), file.gid(), 0, Optional.of(first), 0,
              0, Optional.empty(), file.mtime(), Map.of()));
          continue;
        }
      }
      layer.add(entry(item, epochSeconds));
    }
    for (String dir : opaque) {
      layer.add(marker(PathNames.join(dir, MergedFilesystem.OPAQUE_MARKER)));
    }
    for (String path : whiteouts) {
      layer.add(marker(PathNames.join(PathNames.parent(path), MergedFilesystem.WHITEOUT_PREFIX + PathNames.baseName(path))));
    }
    return layer;
  }

  /** A whiteout or opaque marker: an empty file, mode 0, root's, with the layer's time. */
  private static LayerEntry marker(String path) {
    return LayerEntry.file(path, 0, 0, 0, 0, ContentSource.ofBytes(new byte[0]));
  }

  static long clamp(long mtimeSeconds, long epochSeconds) {
    return Math.max(0, Math.min(mtimeSeconds, epochSeconds));
  }

  private static LayerEntry entry(Item item, long epochSeconds) {
    FileStatus st = item.status();
    OptionalLong mtime = OptionalLong.of(clamp(st.mtimeSeconds(), epochSeconds));
    Map<String, byte[]> xattrs = item.capability().isPresent()
        ? Map.of(LinuxFiles.SECURITY_CAPABILITY, item.capability().get())
        : Map.of();
    return switch (item.type()) {
      case DIRECTORY -> new LayerEntry(item.path(), FsEntry.Type.DIRECTORY, st.mode(), st.uid(), st.gid(), 0, Optional.empty(), 0, 0,
          Optional.empty(), mtime, Map.of());
      case FILE -> new LayerEntry(item.path(), FsEntry.Type.FILE, st.mode(), st.uid(), st.gid(), st.size(), Optional.empty(), 0, 0,
          Optional.of(ContentSource.ofFile(item.file())), mtime, xattrs);
      case SYMLINK -> new LayerEntry(item.path(), FsEntry.Type.SYMLINK, 0777, st.uid(), st.gid(), 0, item.linkTarget(), 0, 0,
          Optional.empty(), mtime, Map.of());
      case CHAR_DEVICE, BLOCK_DEVICE -> new LayerEntry(item.path(), item.type(), st.mode(), st.uid(), st.gid(), 0, Optional.empty(),
          st.rdevMajor(), st.rdevMinor(), Optional.empty(), mtime, Map.of());
      case FIFO -> new LayerEntry(item.path(), FsEntry.Type.FIFO, st.mode(), st.uid(), st.gid(), 0, Optional.empty(), 0, 0,
          Optional.empty(), mtime, Map.of());
      case HARDLINK -> throw new IllegalStateException("a file on disk is never a hard link entry");
    };
  }
}
