package io.jscan.builder.run;

import io.jscan.builder.fs.FileTree;
import io.jscan.builder.fs.PathNames;
import io.jscan.core.fs.FsEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The changes of a RUN on an overlay root ({@link RootChanges}), read from the upper directory
 * without the mount: everything the command touched is there (overlayfs copies a file up before
 * it is changed, makes a character device 0/0 for a deleted name and marks a directory that
 * replaced one with {@code trusted.overlay.opaque}); what was there before is read from the lower
 * directories, topmost first.
 *
 * <p>Copying up is not a change by itself (opening a file for writing copies it even if nothing
 * is written): an upper file whose metadata and content equal the lower one's is not written to
 * the layer, so the layer is the one a copied root gives.
 */
final class OverlayDiff {
  private final Path upper;
  private final LowerStack lowers;
  private final FileTree before;
  private final RootChanges changes = new RootChanges();

  /**
   * @param before the root's metadata before the command (the stage's layers)
   */
  private OverlayDiff(Path upper, LowerStack lowers, FileTree before) {
    this.upper = upper;
    this.lowers = lowers;
    this.before = before;
  }

  static RootChanges diff(Path upper, LowerStack lowers, FileTree before) throws IOException {
    OverlayDiff d = new OverlayDiff(upper, lowers, before);
    boolean rootOpaque = LinuxFiles.getXattr(upper, LinuxFiles.OVERLAY_OPAQUE).isPresent();
    d.walk("", upper, !rootOpaque);
    return d.changes;
  }

  private void walk(String rel, Path dir, boolean lowerVisible) throws IOException {
    Set<String> names = new TreeSet<>();
    Set<String> whiteouts = new HashSet<>();
    for (String name : sortedNames(dir)) {
      String path = PathNames.join(rel, name);
      Path file = dir.resolve(name);
      FileStatus st = FileStatus.of(file).orElse(null);
      if (st == null) {
        continue;
      }
      if (st.isWhiteout()) {
        whiteouts.add(name);
        continue;
      }
      names.add(name);
      if (st.type().isEmpty()) {
        continue; // a socket: exists, but no layer can hold it
      }
      RootChanges.Item item = Items.of(path, file, st);
      changes.seen(item);
      Optional<LowerStack.Found> was = lowers.find(path);
      if (changed(item, was)) {
        changes.changed(item);
      }
      if (st.isDirectory()) {
        boolean opaque = LinuxFiles.getXattr(file, LinuxFiles.OVERLAY_OPAQUE).isPresent();
        boolean wasDirectory = was.isPresent() && was.get().status().isDirectory();
        walk(path, file, lowerVisible && !opaque && wasDirectory);
      }
    }
    Optional<FileTree.Node> old = before.get(rel);
    if (old.isPresent() && old.get().isDirectory()) {
      Set<String> oldNames = new TreeSet<>();
      for (FileTree.Node child : before.children(rel)) {
        oldNames.add(PathNames.baseName(child.path()));
      }
      Set<String> after = new TreeSet<>(names);
      if (lowerVisible) {
        for (String n : oldNames) {
          if (!whiteouts.contains(n)) {
            after.add(n);
          }
        }
      }
      changes.namesOf(rel, oldNames, after);
    }
  }

  static List<String> sortedNames(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        names.add(p.getFileName().toString());
      }
    }
    String[] a = names.toArray(String[]::new);
    Arrays.sort(a, PathNames.TREE_ORDER);
    return List.of(a);
  }

  private boolean changed(RootChanges.Item item, Optional<LowerStack.Found> was) throws IOException {
    if (was.isEmpty()) {
      return true;
    }
    FileStatus a = item.status();
    FileStatus b = was.get().status();
    if (!Items.sameMetadata(a, b)) {
      return true;
    }
    return switch (item.type()) {
      case DIRECTORY -> false;
      case SYMLINK -> !item.linkTarget().equals(Optional.of(Files.readSymbolicLink(was.get().file()).toString()));
      case FILE -> !Items.sameCapability(item.capability(), LinuxFiles.getXattr(was.get().file(), LinuxFiles.SECURITY_CAPABILITY))
          || !sameContent(item.file(), was.get().file());
      default -> false;
    };
  }

  private static boolean sameContent(Path a, Path b) throws IOException {
    try (InputStream x = Files.newInputStream(a, LinkOption.NOFOLLOW_LINKS);
        InputStream y = Files.newInputStream(b, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bx = new byte[1 << 16];
      byte[] by = new byte[1 << 16];
      while (true) {
        int nx = x.readNBytes(bx, 0, bx.length);
        int ny = y.readNBytes(by, 0, by.length);
        if (nx != ny || !Arrays.equals(bx, 0, nx, by, 0, ny)) {
          return false;
        }
        if (nx < bx.length) {
          return true;
        }
      }
    }
  }

  /** Building items and comparing statuses, shared with {@link CopyDiff}. */
  static final class Items {
    private Items() {}

    static RootChanges.Item of(String path, Path file, FileStatus st) throws IOException {
      Optional<String> target = st.is(FsEntry.Type.SYMLINK) ? Optional.of(Files.readSymbolicLink(file).toString()) : Optional.empty();
      Optional<byte[]> capability = st.is(FsEntry.Type.FILE)
          ? LinuxFiles.getXattr(file, LinuxFiles.SECURITY_CAPABILITY)
          : Optional.empty();
      return new RootChanges.Item(path, st, file, target, capability);
    }

    /** Type, owner, mode, mtime, and for files the size, for devices the numbers. */
    static boolean sameMetadata(FileStatus a, FileStatus b) {
      if (!a.type().equals(b.type()) || a.uid() != b.uid() || a.gid() != b.gid() || a.mtimeNanos() != b.mtimeNanos()) {
        return false;
      }
      if (!a.is(FsEntry.Type.SYMLINK) && a.mode() != b.mode()) {
        return false;
      }
      if (a.is(FsEntry.Type.FILE) && a.size() != b.size()) {
        return false;
      }
      if ((a.is(FsEntry.Type.CHAR_DEVICE) || a.is(FsEntry.Type.BLOCK_DEVICE))
          && (a.rdevMajor() != b.rdevMajor() || a.rdevMinor() != b.rdevMinor())) {
        return false;
      }
      return true;
    }

    static boolean sameCapability(Optional<byte[]> a, Optional<byte[]> b) {
      return a.isPresent() == b.isPresent() && (a.isEmpty() || Arrays.equals(a.get(), b.get()));
    }
  }
}
