package io.jscan.builder.layer;

import io.jscan.core.fs.FsEntry;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entry of a layer the builder writes, made only of explicit values: nothing here is read from
 * the disk's metadata (Jib's ReproducibleLayerBuilder idea). An entry has no modification time of
 * its own unless a step gives it one ({@code mtime}): the layer's time, the build's
 * SOURCE_DATE_EPOCH, applies. RUN gives every entry its clamped time (BuildKit's
 * rewrite-timestamp: a file the command left older than SOURCE_DATE_EPOCH keeps its time).
 *
 * @param path relative clean path ({@code app/hello.txt}), never the root
 * @param mode permission bits only ({@code 07777})
 * @param size the content length of a regular file, 0 otherwise
 * @param linkTarget a symlink's target as written, or a hard link's target path (relative clean)
 * @param content a regular file's bytes
 * @param mtime seconds since the epoch for this entry, at most 077777777777; empty: the layer's time
 * @param xattrs extended attributes written as PAX {@code SCHILY.xattr.NAME} records (RUN keeps
 *     {@code security.capability}); values are raw bytes
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
    Optional<ContentSource> content,
    OptionalLong mtime,
    Map<String, byte[]> xattrs) {

  /** The largest time a ustar header holds (11 octal digits); PAX time records are never written. */
  public static final long MAX_MTIME = 077777777777L;

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
    Objects.requireNonNull(mtime, "mtime");
    if (mtime.isPresent() && (mtime.getAsLong() < 0 || mtime.getAsLong() > MAX_MTIME)) {
      throw new IllegalArgumentException("mtime " + mtime.getAsLong() + " of " + path + " does not fit a tar header");
    }
    SortedMap<String, byte[]> copy = new TreeMap<>();
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      if (x.getKey().isEmpty() || x.getKey().indexOf('=') >= 0 || x.getKey().indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid extended attribute name \"" + x.getKey() + "\" of " + path);
      }
      copy.put(x.getKey(), x.getValue().clone());
    }
    xattrs = Collections.unmodifiableSortedMap(copy);
  }

  /** An entry with the layer's time and no extended attributes. */
  public LayerEntry(String path, FsEntry.Type type, int mode, long uid, long gid, long size, Optional<String> linkTarget,
      int devMajor, int devMinor, Optional<ContentSource> content) {
    this(path, type, mode, uid, gid, size, linkTarget, devMajor, devMinor, content, OptionalLong.empty(), Map.of());
  }

  /** An extended attribute's value (a copy), if the entry has it. */
  public Optional<byte[]> xattr(String name) {
    byte[] v = xattrs.get(name);
    return v == null ? Optional.empty() : Optional.of(v.clone());
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
    return new LayerEntry(newPath, type, mode, uid, gid, size, linkTarget, devMajor, devMinor, content, mtime, xattrs);
  }

  public LayerEntry withOwner(long newUid, long newGid) {
    return new LayerEntry(path, type, mode, newUid, newGid, size, linkTarget, devMajor, devMinor, content, mtime, xattrs);
  }

  public LayerEntry withMode(int newMode) {
    return new LayerEntry(path, type, newMode, uid, gid, size, linkTarget, devMajor, devMinor, content, mtime, xattrs);
  }

  public LayerEntry withMtime(long seconds) {
    return new LayerEntry(path, type, mode, uid, gid, size, linkTarget, devMajor, devMinor, content, OptionalLong.of(seconds), xattrs);
  }
}
