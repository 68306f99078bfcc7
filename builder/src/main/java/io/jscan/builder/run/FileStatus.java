package io.jscan.builder.run;

import io.jscan.core.fs.FsEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lstat(2)} says about a file of a root file system while a RUN step works on it. Used
 * to tell what the command changed and to describe the layer's entries (owner, mode, time); never
 * a symbolic link's target's status.
 *
 * @param type the file's type; empty for a socket (tar cannot hold one)
 * @param mode permission bits with set-user-ID, set-group-ID and sticky ({@code 07777})
 * @param mtimeNanos modification time in nanoseconds since the epoch
 * @param ctimeNanos status-change time in nanoseconds (no process can set it: a changed file shows here)
 */
record FileStatus(
    Optional<FsEntry.Type> type,
    int mode,
    long uid,
    long gid,
    long size,
    long mtimeNanos,
    long ctimeNanos,
    long inode,
    long device,
    int links,
    int rdevMajor,
    int rdevMinor) {

  private static final String ATTRIBUTES = "unix:mode,uid,gid,size,lastModifiedTime,ctime,ino,dev,nlink,rdev";
  private static final int S_IFMT = 0170000;

  /** One lstat; empty when nothing is at {@code path}. */
  static Optional<FileStatus> of(Path path) throws IOException {
    Map<String, Object> a;
    try {
      a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    int raw = (Integer) a.get("mode");
    Optional<FsEntry.Type> type = switch (raw & S_IFMT) {
      case 0100000 -> Optional.of(FsEntry.Type.FILE);
      case 0040000 -> Optional.of(FsEntry.Type.DIRECTORY);
      case 0120000 -> Optional.of(FsEntry.Type.SYMLINK);
      case 0020000 -> Optional.of(FsEntry.Type.CHAR_DEVICE);
      case 0060000 -> Optional.of(FsEntry.Type.BLOCK_DEVICE);
      case 0010000 -> Optional.of(FsEntry.Type.FIFO);
      default -> Optional.empty();
    };
    long rdev = (Long) a.get("rdev");
    return Optional.of(new FileStatus(
        type,
        raw & 07777,
        Integer.toUnsignedLong((Integer) a.get("uid")),
        Integer.toUnsignedLong((Integer) a.get("gid")),
        (Long) a.get("size"),
        ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
        ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS),
        (Long) a.get("ino"),
        (Long) a.get("dev"),
        (Integer) a.get("nlink"),
        LinuxFiles.major(rdev),
        LinuxFiles.minor(rdev)));
  }

  boolean is(FsEntry.Type t) {
    return type.isPresent() && type.get() == t;
  }

  boolean isDirectory() {
    return is(FsEntry.Type.DIRECTORY);
  }

  /** overlayfs's whiteout: a character device 0/0 in the upper directory. */
  boolean isWhiteout() {
    return is(FsEntry.Type.CHAR_DEVICE) && rdevMajor == 0 && rdevMinor == 0;
  }

  /** Seconds since the epoch, rounded down (tar headers hold whole seconds). */
  long mtimeSeconds() {
    return Math.floorDiv(mtimeNanos, 1_000_000_000L);
  }
}
