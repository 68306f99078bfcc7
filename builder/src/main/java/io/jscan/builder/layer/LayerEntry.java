package io.jscan.builder.layer;

import io.jscan.core.fs.FsEntry;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a layer the builder writes, made only of explicit values: nothing here is read from
 * the disk's metadata (Jib's ReproducibleLayerBuilder idea). The modification time is not part of
 * an entry: every entry of a layer gets the build's SOURCE_DATE_EPOCH.
 *
 * @param path relative clean path ({@code app/hello.txt}), never the root
 * @param mode permission bits only ({@code 07777})
 * @param size the content length of a regular file, 0 otherwise
 * @param linkTarget a symlink's target as written, or a hard link's target path (relative clean)
 * @param content a regular file's bytes
 */
public record LayerEntry(
    String path,
    FsEntry.Type type,
    int mode,
    long uid,
    long gid,
    long size,
    Optional<String> linkTarget,
    int devMajor,
    int devMinor,
    Optional<ContentSource> content) {

  public LayerEntry {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(type, "type");
    if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
      throw new IllegalArgumentException("layer entry path must be relative and clean: \"" + path + "\"");
    }
    for (String part : path.split("/")) {
      if (part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("layer entry path must be relative and clean: \"" + path + "\"");
      }
    }
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " of " + path + " has more than permission bits");
    }
    if (uid < 0 || gid < 0) {
      throw new IllegalArgumentException("negative owner of " + path);
    }
    if (type == FsEntry.Type.FILE) {
      if (content.isEmpty() || size < 0) {
        throw new IllegalArgumentException("regular file " + path + " needs content and a size");
      }
    } else if (size != 0 || content.isPresent()) {
      throw new IllegalArgumentException(type + " " + path + " has no content");
    }
    if ((type == FsEntry.Type.SYMLINK || type == FsEntry.Type.HARDLINK) != linkTarget.isPresent()) {
      throw new IllegalArgumentException(type + " " + path + (linkTarget.isPresent() ? " cannot have" : " needs") + " a link target");
    }
  }

  public static LayerEntry directory(String path, int mode, long uid, long gid) {
    return new LayerEntry(path, FsEntry.Type.DIRECTORY, mode, uid, gid, 0, Optional.empty(), 0, 0, Optional.empty());
  }

  public static LayerEntry file(String path, int mode, long uid, long gid, long size, ContentSource content) {
    return new LayerEntry(path, FsEntry.Type.FILE, mode, uid, gid, size, Optional.empty(), 0, 0, Optional.of(content));
  }

  public static LayerEntry symlink(String path, String target, long uid, long gid) {
    return new LayerEntry(path, FsEntry.Type.SYMLINK, 0777, uid, gid, 0, Optional.of(target), 0, 0, Optional.empty());
  }

  public static LayerEntry hardlink(String path, String target, int mode, long uid, long gid) {
    return new LayerEntry(path, FsEntry.Type.HARDLINK, mode, uid, gid, 0, Optional.of(target), 0, 0, Optional.empty());
  }

  public boolean isDirectory() {
    return type == FsEntry.Type.DIRECTORY;
  }

  public LayerEntry withPath(String newPath) {
    return new LayerEntry(newPath, type, mode, uid, gid, size, linkTarget, devMajor, devMinor, content);
  }

  public LayerEntry withOwner(long newUid, long newGid) {
    return new LayerEntry(path, type, mode, newUid, newGid, size, linkTarget, devMajor, devMinor, content);
  }

  public LayerEntry withMode(int newMode) {
    return new LayerEntry(path, type, newMode, uid, gid, size, linkTarget, devMajor, devMinor, content);
  }
}
