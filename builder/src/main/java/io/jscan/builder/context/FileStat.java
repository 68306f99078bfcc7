package io.jscan.builder.context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lstat(2)} says about a context file. Used only to decide whether a file may have
 * changed since its content was hashed (as git's index does); never written into an image.
 *
 * @param mode {@code st_mode}: file type and permission bits
 */
public record FileStat(int mode, long size, long mtimeNanos, long ctimeNanos, long inode, long device) {
  static final int S_IFMT = 0170000;
  static final int S_IFDIR = 0040000;
  static final int S_IFREG = 0100000;
  static final int S_IFLNK = 0120000;

  /** Reads a path's status without following a symbolic link. */
  public static FileStat of(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, "unix:mode,size,lastModifiedTime,ctime,ino,dev", LinkOption.NOFOLLOW_LINKS);
    return new FileStat(
        (Integer) a.get("mode"),
        (Long) a.get("size"),
        nanos((FileTime) a.get("lastModifiedTime")),
        nanos((FileTime) a.get("ctime")),
        (Long) a.get("ino"),
        (Long) a.get("dev"));
  }

  private static long nanos(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }

  public boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  public boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  public boolean isSymlink() {
    return (mode & S_IFMT) == S_IFLNK;
  }

  /** Whether any of the owner, group or other execute bits is set. */
  public boolean anyExecuteBit() {
    return (mode & 0111) != 0;
  }
}
