package io.jscan.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Crash-safe file replacement: write a temp file on the same file system, fsync it, rename it over
 * the target (rename(2) is atomic), then fsync the directory so the rename itself survives a power
 * loss. A reader therefore sees the old file or the new one, never a half-written one, whatever
 * moment the writer is killed at.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** A new, unique temp file name in {@code dir} (not created). */
  public static Path tempName(Path dir, String prefix) {
    return dir.resolve(prefix + UUID.randomUUID());
  }

  /** Writes {@code bytes} to {@code target} atomically, staging in {@code tempDir} (same file system). */
  public static void write(Path target, byte[] bytes, Path tempDir) throws IOException {
    Files.createDirectories(tempDir);
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = tempName(tempDir, ".tmp-" + target.getFileName() + "-");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      publish(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Flushes a file's content to the device. */
  public static void force(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Renames a complete, already-synced {@code tmp} over {@code target} and syncs the directory. */
  public static void publish(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + tmp + " to " + target + " atomically (different file systems?)", e);
    }
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  /** fsync on a directory, so that entries created or renamed in it are durable (Linux; a no-op where unsupported). */
  public static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems (and non-Linux systems) cannot open or sync a directory; the rename is
      // still atomic, only its durability across power loss is then up to the file system
    }
  }

  /** Deletes a file tree, ignoring what is already gone. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
