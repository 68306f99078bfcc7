package io.jscan.builder.check;

import io.jscan.builder.fs.PathNames;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.ignore.DockerIgnore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Fresh copies of a build context that differ in everything a reproducible build must ignore:
 * the order files are created in, their mtimes and their permission bits beyond the execute bit
 * (as a different umask gives). What {@code .dockerignore} excludes is not copied; the ignore files
 * themselves always are.
 */
final class ContextCopies {
  private ContextCopies() {}

  /** How a copy differs. */
  enum Variant {
    /** sorted creation order, the copy's own mtimes, modes 0644/0755 */
    FORWARD,
    /** reverse creation order, mtime 2001-09-09T01:46:40Z, modes 0600/0700 (umask 077) */
    REVERSED
  }

  static final Instant REVERSED_MTIME = Instant.ofEpochSecond(1_000_000_000L);

  static void copy(Path from, Path to, DockerIgnore ignore, List<Path> alwaysCopy, Variant variant)
      throws IOException, DockerfileException {
    List<String> dirs = new ArrayList<>();
    List<String> files = new ArrayList<>();
    collect(from, "", ignore, dirs, files);
    for (Path p : alwaysCopy) {
      Path abs = p.toAbsolutePath().normalize();
      Path root = from.toAbsolutePath().normalize();
      if (abs.startsWith(root) && Files.isRegularFile(abs)) {
        String rel = root.relativize(abs).toString().replace(java.io.File.separatorChar, '/');
        if (!files.contains(rel)) {
          files.add(rel);
          for (String d = PathNames.parent(rel); !d.isEmpty() && !dirs.contains(d); d = PathNames.parent(d)) {
            dirs.add(d);
          }
        }
      }
    }
    dirs.sort(PathNames.TREE_ORDER);
    files.sort(PathNames.TREE_ORDER);
    if (variant == Variant.REVERSED) {
      Collections.reverse(files);
    }
    Files.createDirectories(to);
    for (String d : dirs) {
      Files.createDirectories(to.resolve(d));
    }
    for (String f : files) {
      Path src = from.resolve(f);
      Path dst = to.resolve(f);
      Files.createDirectories(dst.getParent());
      if (Files.isSymbolicLink(src)) {
        Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
        continue;
      }
      Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      boolean executable = Files.isExecutable(src);
      if (variant == Variant.REVERSED) {
        Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString(executable ? "rwx------" : "rw-------"));
        Files.setLastModifiedTime(dst, FileTime.from(REVERSED_MTIME));
      } else {
        Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        Files.setLastModifiedTime(dst, FileTime.from(Instant.now()));
      }
    }
    if (variant == Variant.REVERSED) {
      List<String> reversed = new ArrayList<>(dirs);
      Collections.reverse(reversed);
      Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
      for (String d : reversed) {
        Files.setPosixFilePermissions(to.resolve(d), owner);
        Files.setLastModifiedTime(to.resolve(d), FileTime.from(REVERSED_MTIME));
      }
    }
  }

  private static void collect(Path root, String rel, DockerIgnore ignore, List<String> dirs, List<String> files)
      throws IOException, DockerfileException {
    try (DirectoryStream<Path> listing = Files.newDirectoryStream(rel.isEmpty() ? root : root.resolve(rel))) {
      for (Path child : listing) {
        String path = PathNames.join(rel, child.getFileName().toString());
        if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
          if (ignore.canSkipDirectory(path)) {
            continue;
          }
          dirs.add(path);
          collect(root, path, ignore, dirs, files);
        } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(child)) {
          if (!ignore.isExcluded(path)) {
            files.add(path);
          }
        }
      }
    }
  }
}
