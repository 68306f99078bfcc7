package io.jscan.builder.run;

import io.jscan.builder.fs.PathNames;
import io.jscan.core.FailureKind;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.fs.MergedFilesystem;
import io.jscan.core.image.Layer;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.OciException;
import io.jscan.core.text.Printable;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarFormatException;
import io.jscan.core.tar.TarReader;

/**
 * Extracts a layer's tar into a directory for a RUN step's root file system, with the owners,
 * modes, times, device numbers and capabilities its headers state (jscan runs as root).
 *
 * <p>Whiteouts (image-spec layer.md) are handled in one of two ways:
 * <ul>
 *   <li>{@link Whiteouts#OVERLAY}: the layer is extracted alone, as one lower directory of an
 *       overlay mount, so whiteouts become what overlayfs reads: {@code .wh.NAME} a character device
 *       0/0 named NAME, {@code .wh..wh..opq} the attribute {@code trusted.overlay.opaque=y} on its
 *       directory (Documentation/filesystems/overlayfs.rst, "whiteouts and opaque directories");
 *   <li>{@link Whiteouts#APPLY}: the layer is extracted over the layers below it (copy mode), so a
 *       whiteout removes what it names and an opaque marker removes its directory's older content.
 *       Either applies to the layers below only, never to entries of the same layer (layer.md), so
 *       entries this layer wrote are kept whatever the order of the tar.
 * </ul>
 *
 * <p>The layer is read with core's {@link TarReader}, as the runtime that will run the image reads
 * it (global PAX headers ignored, GNU sparse files expanded); an entry of a type no runtime
 * extracts is an integrity error.
 *
 * <p>Paths never leave the directory: a symbolic link met on the way to an entry's parent is
 * followed inside the directory, as a runtime follows it inside the container's root (an absolute
 * target starts again at the root, {@code ..} stops at it). A path with {@code ..} that climbs out
 * is an integrity error, as in core's MergedFilesystem.
 */
final class LayerUnpacker {
  /** How a layer's whiteouts are written; see the class comment. */
  enum Whiteouts {
    OVERLAY,
    APPLY
  }

  /** Linux's MAXSYMLINKS is 40; containerd allows 255. */
  private static final int MAX_LINKS = 255;
  /** Directories made because an entry needed them (no header of their own): fixed values, nothing from the clock. */
  static final int IMPLIED_DIRECTORY_MODE = 0755;

  private final Path root;
  private final Whiteouts whiteouts;
  private final String what;
  private final Map<String, Path> parents = new HashMap<>();
  private final Set<String> unpacked = new HashSet<>();
  private final List<Path> directories = new ArrayList<>();
  private final List<FileTime> directoryTimes = new ArrayList<>();
  /**
   * Whether the layer needed a directory it has no entry for (a whiteout in {@code /tmp} without a
   * {@code tmp/} entry). Extracted alone for overlayfs, such a directory would show its made-up
   * owner and mode instead of the lower layers' ({@code /tmp} 0755 instead of 1777), so a root
   * with such a layer is copied instead (RunSupport).
   */
  private boolean impliedDirectories;

  private LayerUnpacker(Path root, Whiteouts whiteouts, String what) {
    this.root = root;
    this.whiteouts = whiteouts;
    this.what = what;
  }

  /**
   * Extracts {@code layer} into {@code root} (which exists).
   *
   * @param what the layer as messages name it
   * @return whether a directory had to be made that the layer has no entry for (see
   *     {@link #impliedDirectories})
   */
  static boolean unpack(Layer layer, String what, Path root, Whiteouts whiteouts) throws OciException, IOException {
    LayerUnpacker u = new LayerUnpacker(root, whiteouts, what);
    try (InputStream in = layer.openUncompressed()) {
      TarReader tar = new TarReader(new BufferedInputStream(in, 1 << 16));
      for (Optional<TarEntry> h; (h = tar.next()).isPresent(); ) {
        u.entry(h.get(), tar.content());
      }
    } catch (TarFormatException | ContentMismatchException e) {
      throw OciException.reading(what, e); // the layer's bytes, not the disk: an integrity failure
    }
    u.finish();
    return u.impliedDirectories;
  }

  private void entry(TarEntry h, InputStream content) throws IOException, OciException {
    String path = PathNames.cleanInside(h.name());
    if (path == null) {
      throw new OciException(FailureKind.INTEGRITY, what, "path \"" + Printable.escape(h.name()) + "\" leaves the root");
    }
    if (path.isEmpty()) {
      if (h.isDirectory()) {
        applyMetadata(root, h, true);
      }
      return;
    }
    String name = PathNames.baseName(path);
    String parentPath = PathNames.parent(path);
    if (name.equals(MergedFilesystem.OPAQUE_MARKER)) {
      Path dir = directory(parentPath);
      if (whiteouts == Whiteouts.OVERLAY) {
        LinuxFiles.setXattr(dir, LinuxFiles.OVERLAY_OPAQUE, "y".getBytes(StandardCharsets.US_ASCII));
      } else {
        removeOlderContent(dir);
      }
      return;
    }
    if (name.startsWith(MergedFilesystem.WHITEOUT_PREFIX + MergedFilesystem.WHITEOUT_PREFIX)) {
      return; // other AUFS metadata (.wh..wh.plnk, ...): no meaning in an OCI layer
    }
    if (name.startsWith(MergedFilesystem.WHITEOUT_PREFIX)) {
      String hidden = name.substring(MergedFilesystem.WHITEOUT_PREFIX.length());
      if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
        throw new OciException(FailureKind.INTEGRITY, what, "invalid whiteout " + Printable.escape(path));
      }
      Path target = directory(parentPath).resolve(hidden);
      if (unpacked.contains(relative(target))) {
        return; // the same layer's entry wins over its whiteout
      }
      if (whiteouts == Whiteouts.OVERLAY) {
        removeExisting(target);
        LinuxFiles.mknod(target, LinuxFiles.S_IFCHR, 0, 0, 0);
      } else {
        removeExisting(target);
        parents.clear();
      }
      return;
    }
    MergedFilesystem.requireExtractable(h, path, what);
    Path target = directory(parentPath).resolve(name);
    String rel = relative(target);
    if (h.isDirectory()) {
      FileStatus existing = FileStatus.of(target).orElse(null);
      if (existing != null && !existing.isDirectory()) {
        removeExisting(target);
        existing = null;
      }
      if (existing == null) {
        Files.createDirectory(target);
      }
      applyMetadata(target, h, true);
      unpacked.add(rel);
      return;
    }
    removeExisting(target);
    if (h.isSymlink()) {
      Files.createSymbolicLink(target, Path.of(h.linkName()));
      parents.clear();
    } else if (h.isHardLink()) {
      String linked = PathNames.cleanInside(h.linkName());
      if (linked == null || linked.isEmpty()) {
        throw new OciException(FailureKind.INTEGRITY, what, "hard link " + Printable.escape(path) + " points outside the root");
      }
      Path existing = directory(PathNames.parent(linked)).resolve(PathNames.baseName(linked));
      if (FileStatus.of(existing).isEmpty()) {
        throw new IOException(what + ": hard link " + path + " points at " + linked + ", which is not in the layer");
      }
      Files.createLink(target, existing);
      unpacked.add(rel);
      return; // the link shares its target's inode: owner, mode and times are the target's
    } else if (h.isCharDevice() || h.isBlockDevice() || h.isFifo()) {
      int type = h.isCharDevice() ? LinuxFiles.S_IFCHR : h.isBlockDevice() ? LinuxFiles.S_IFBLK : LinuxFiles.S_IFIFO;
      LinuxFiles.mknod(target, type, h.permissions(), (int) h.devMajor(), (int) h.devMinor());
    } else {
      try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.transferTo(out);
      }
    }
    applyMetadata(target, h, false);
    unpacked.add(rel);
  }

  /** Owner, then mode (chown clears set-user-ID bits), capabilities, time; a directory's time waits for its content. */
  private void applyMetadata(Path target, TarEntry h, boolean directory) throws IOException {
    boolean symlink = h.isSymlink();
    LinuxFiles.chown(target, h.uid(), h.gid());
    if (!symlink) {
      LinuxFiles.chmod(target, h.permissions());
      for (Map.Entry<String, byte[]> xattr : h.xattrs().entrySet()) {
        // only what a command run on the tree needs; values are the header's raw bytes, so a
        // binary capability is written as it was archived
        String attribute = xattr.getKey();
        if (attribute.equals(LinuxFiles.SECURITY_CAPABILITY) || attribute.startsWith("user.")) {
          LinuxFiles.setXattr(target, attribute, xattr.getValue());
        }
      }
    }
    FileTime mtime = FileTime.from(h.modTime());
    if (directory) {
      directories.add(target);
      directoryTimes.add(mtime);
    } else {
      setTime(target, mtime);
    }
  }

  private static void setTime(Path target, FileTime mtime) throws IOException {
    LinuxFiles.setTimes(target, mtime.to(java.util.concurrent.TimeUnit.NANOSECONDS));
  }

  /** Sets directory times last, deepest first, so that creating their content does not change them again. */
  private void finish() throws IOException {
    for (int i = directories.size() - 1; i >= 0; i--) {
      setTime(directories.get(i), directoryTimes.get(i));
    }
  }

  /**
   * The directory at {@code relativePath}, resolved inside the root: links are followed inside it,
   * missing directories are made (0755, root's, time 0: fixed values).
   */
  private Path directory(String relativePath) throws IOException, OciException {
    Path known = parents.get(relativePath);
    if (known != null) {
      return known;
    }
    Deque<String> todo = new ArrayDeque<>(PathNames.components(relativePath));
    List<String> resolved = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (!resolved.isEmpty()) {
          resolved.remove(resolved.size() - 1);
        }
        continue;
      }
      Path p = root.resolve(String.join("/", resolved)).resolve(c);
      FileStatus st = FileStatus.of(p).orElse(null);
      if (st == null) {
        Files.createDirectory(p);
        LinuxFiles.chmod(p, IMPLIED_DIRECTORY_MODE);
        LinuxFiles.chown(p, 0, 0);
        directories.add(p);
        directoryTimes.add(FileTime.fromMillis(0));
        impliedDirectories = true;
        resolved.add(c);
      } else if (st.is(FsEntry.Type.SYMLINK)) {
        if (++links > MAX_LINKS) {
          throw new OciException(FailureKind.INTEGRITY, what, "too many levels of symbolic links resolving /" + Printable.escape(relativePath));
        }
        String target = Files.readSymbolicLink(p).toString();
        if (target.startsWith("/")) {
          resolved.clear();
        }
        List<String> parts = new ArrayList<>(List.of(target.split("/")));
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
      } else if (st.isDirectory()) {
        resolved.add(c);
      } else {
        throw new OciException(FailureKind.INTEGRITY, what, "/" + relativePath + " needs /" + String.join("/", resolved)
            + (resolved.isEmpty() ? "" : "/") + c + " to be a directory, and it is not");
      }
    }
    Path dir = resolved.isEmpty() ? root : root.resolve(String.join("/", resolved));
    parents.put(relativePath, dir);
    return dir;
  }

  private String relative(Path p) {
    return root.relativize(p).toString();
  }

  /** Removes whatever is at {@code target} (a directory with its content), never following a link. */
  private void removeExisting(Path target) throws IOException {
    FileStatus st = FileStatus.of(target).orElse(null);
    if (st == null) {
      return;
    }
    if (st.isDirectory()) {
      AtomicFiles.deleteTree(target);
      parents.clear();
    } else {
      Files.delete(target);
    }
  }

  /** An opaque directory in copy mode: everything below it that this layer did not write goes. */
  private void removeOlderContent(Path dir) throws IOException {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        String rel = relative(child);
        if (!unpacked.contains(rel)) {
          removeExisting(child);
        } else if (FileStatus.of(child).map(FileStatus::isDirectory).orElse(false)) {
          removeOlderContent(child);
        }
      }
    }
  }
}
