package io.jscan.builder.run;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The few Linux calls RUN needs that no Java API reaches: extended attributes outside the
 * {@code user.} namespace ({@code security.capability}, overlayfs's {@code trusted.overlay.opaque})
 * and device nodes (overlayfs whiteouts are character devices 0/0, layers may hold devices and
 * FIFOs). Called through JNA on glibc's exported functions (glibc 2.33 or newer exports
 * {@code mknod}; Debian 12 and Ubuntu 22.04 have it). Symbolic links are never followed.
 */
final class LinuxFiles {
  private LinuxFiles() {}

  /** glibc's functions, declared with the C types of 64-bit Linux (size_t and ssize_t are 64 bits). */
  interface LibC extends Library {
    long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

    int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

    int mknod(String path, int mode, long dev) throws LastErrorException;

    int chmod(String path, int mode) throws LastErrorException;

    int lchown(String path, int uid, int gid) throws LastErrorException;

    /** {@code times}: atime seconds, nanoseconds, mtime seconds, nanoseconds (two struct timespec) */
    int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;
  }

  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;

  private static final class Holder {
    static final LibC LIBC = Native.load("c", LibC.class);
  }

  /** errno values (asm-generic/errno.h) */
  private static final int ENODATA = 61;
  private static final int ENOTSUP = 95;
  private static final int ERANGE = 34;

  /** The capability attribute runtimes apply on exec (kept in RUN layers, as Docker and containerd keep it). */
  static final String SECURITY_CAPABILITY = "security.capability";
  /** overlayfs: a directory of the upper layer that hides the lower layers' entries (Documentation/filesystems/overlayfs.rst). */
  static final String OVERLAY_OPAQUE = "trusted.overlay.opaque";

  static final int S_IFCHR = 0020000;
  static final int S_IFBLK = 0060000;
  static final int S_IFIFO = 0010000;

  /** An attribute's value; empty when the file does not have it or the file system has no attributes. */
  static Optional<byte[]> getXattr(Path path, String name) throws IOException {
    String p = path.toString();
    byte[] buffer = new byte[256];
    for (int attempt = 0; attempt < 4; attempt++) {
      try {
        long n = Holder.LIBC.lgetxattr(p, name, buffer, buffer.length);
        byte[] value = new byte[(int) n];
        System.arraycopy(buffer, 0, value, 0, (int) n);
        return Optional.of(value);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == ENODATA || e.getErrorCode() == ENOTSUP) {
          return Optional.empty();
        }
        if (e.getErrorCode() == ERANGE) {
          buffer = new byte[buffer.length * 16];
          continue;
        }
        throw new IOException("lgetxattr " + name + " of " + path + ": " + e.getMessage());
      }
    }
    throw new IOException("lgetxattr " + name + " of " + path + ": value keeps growing");
  }

  static void setXattr(Path path, String name, byte[] value) throws IOException {
    try {
      Holder.LIBC.lsetxattr(path.toString(), name, value, value.length, 0);
    } catch (LastErrorException e) {
      throw new IOException("lsetxattr " + name + " on " + path + ": " + e.getMessage());
    }
  }

  /** Makes a device node or FIFO ({@code type} is {@link #S_IFCHR}, {@link #S_IFBLK} or {@link #S_IFIFO}). */
  static void mknod(Path path, int type, int permissions, int major, int minor) throws IOException {
    try {
      Holder.LIBC.mknod(path.toString(), type | (permissions & 07777), makedev(major, minor));
    } catch (LastErrorException e) {
      throw new IOException("mknod " + path + ": " + e.getMessage());
    }
  }

  /**
   * Sets owner, mode and time by path, never opening the file: the JDK opens a file to change its
   * mode or times without following links, and opening a device node (a tty, a tape, /dev/ptmx)
   * does things, while opening a FIFO waits for a writer.
   */
  static void chown(Path path, long uid, long gid) throws IOException {
    try {
      Holder.LIBC.lchown(path.toString(), (int) uid, (int) gid);
    } catch (LastErrorException e) {
      throw new IOException("lchown " + path + ": " + e.getMessage());
    }
  }

  /** chmod(2) of a path that is not a symbolic link (Linux cannot change a link's mode). */
  static void chmod(Path path, int mode) throws IOException {
    try {
      Holder.LIBC.chmod(path.toString(), mode & 07777);
    } catch (LastErrorException e) {
      throw new IOException("chmod " + path + ": " + e.getMessage());
    }
  }

  /** Sets access and modification time (nanoseconds since the epoch) of the path itself, a link included. */
  static void setTimes(Path path, long nanos) throws IOException {
    long seconds = Math.floorDiv(nanos, 1_000_000_000L);
    long rest = Math.floorMod(nanos, 1_000_000_000L);
    try {
      Holder.LIBC.utimensat(AT_FDCWD, path.toString(), new long[] {seconds, rest, seconds, rest}, AT_SYMLINK_NOFOLLOW);
    } catch (LastErrorException e) {
      throw new IOException("utimensat " + path + ": " + e.getMessage());
    }
  }

  /** glibc's gnu_dev_makedev: 12 bits of major and 20 of minor in the classic positions, the rest above. */
  static long makedev(long major, long minor) {
    return ((major & 0x00000fffL) << 8) | ((major & 0xfffff000L) << 32) | (minor & 0x000000ffL) | ((minor & 0xffffff00L) << 12);
  }

  static int major(long dev) {
    return (int) (((dev >>> 8) & 0x00000fffL) | ((dev >>> 32) & 0xfffff000L));
  }

  static int minor(long dev) {
    return (int) ((dev & 0x000000ffL) | ((dev >>> 12) & 0xffffff00L));
  }
}
