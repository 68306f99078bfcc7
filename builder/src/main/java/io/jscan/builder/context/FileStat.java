package io.jscan.builder.context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lstat(2)} says about a context file. Used only to decide whether a file may have
 * changed since its content was hashed (as BuildKit's and git's caches do: size, mtime, inode);
 * never written into an image.
 *
 * @param mode file type and permission bits, as in {@code st_mode}
 */
public record FileStat(int mode, long size, long mtimeNanos, long inode, long device) {
  static final int S_IFMT = 0170000;
  static final int S_IFDIR = 0040000;
  static final int S_IFREG = 0100000;
  static final int S_IFLNK = 0120000;

  /** Reads a path's status without following a symbolic link (one lstat). */
  public static FileStat of(Path path) throws IOException {
    PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    int type = a.isDirectory() ? S_IFDIR : a.isSymbolicLink() ? S_IFLNK : a.isRegularFile() ? S_IFREG : 0;
    int perms = 0;
    for (PosixFilePermission p : a.permissions()) {
      perms |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 = 0400 ... OTHERS_EXECUTE ordinal 8 = 0001
    }
    long inode = 0;
    long device = 0;
    Object key = a.fileKey();
    if (key != null) {
      // "(dev=HEX,ino=DECIMAL)", as the JDK's UnixFileKey prints it; parsed by hand, once per
      // context file, where a regular expression was a measurable part of an unchanged rebuild
      String k = key.toString();
      int dev = k.indexOf("(dev=");
      int ino = k.indexOf(",ino=");
      if (dev == 0 && ino > 5 && k.endsWith(")")) {
        try {
          device = Long.parseUnsignedLong(k, 5, ino, 16);
          inode = Long.parseUnsignedLong(k, ino + 5, k.length() - 1, 10);
        } catch (NumberFormatException e) {
          device = 0;
          inode = 0;
        }
      }
    }
    return new FileStat(type | perms, a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), inode, device);
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
