package io.jscan.builder.run;

import io.jscan.builder.fs.PathNames;
import io.jscan.core.fs.FsEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The changes of a RUN on a copied root ({@link RootChanges}): the root's status is recorded
 * before the command ({@link #snapshot}) and compared with the root after it.
 *
 * <p>Content is not kept, so a regular file counts as changed when its metadata differ or when
 * its inode or its status-change time (ctime, which no process can set back) does: something
 * wrote it, changed its capabilities or linked it, even if the bytes came out the same. For
 * everything else the metadata decide, as in {@link OverlayDiff}.
 */
final class CopyDiff {
  private CopyDiff() {}

  /** The root before the command: every path's status and link target, and every directory's names. */
  static final class Snapshot {
    private final Map<String, FileStatus> status = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();
    private final Map<String, Set<String>> names = new HashMap<>();

    Optional<FileStatus> status(String path) {
      return Optional.ofNullable(status.get(path));
    }

    /** A directory's names before the command (empty when it was no directory). */
    Set<String> names(String dir) {
      return names.getOrDefault(dir, Set.of());
    }
  }

  static Snapshot snapshot(Path root) throws IOException {
    Snapshot s = new Snapshot();
    s.status.put("", FileStatus.of(root).orElseThrow());
    record(s, "", root);
    return s;
  }

  private static void record(Snapshot s, String rel, Path dir) throws IOException {
    Set<String> names = new TreeSet<>();
    for (String name : OverlayDiff.sortedNames(dir)) {
      Path file = dir.resolve(name);
      Optional<FileStatus> st = FileStatus.of(file);
      if (st.isEmpty()) {
        continue;
      }
      names.add(name);
      String path = PathNames.join(rel, name);
      s.status.put(path, st.get());
      if (st.get().is(FsEntry.Type.SYMLINK)) {
        s.links.put(path, Files.readSymbolicLink(file).toString());
      } else if (st.get().isDirectory()) {
        record(s, path, file);
      }
    }
    s.names.put(rel, names);
  }

  static RootChanges diff(Path root, Snapshot before) throws IOException {
    RootChanges changes = new RootChanges();
    walk(changes, before, "", root);
    return changes;
  }

  private static void walk(RootChanges changes, Snapshot before, String rel, Path dir) throws IOException {
    Set<String> names = new TreeSet<>();
    for (String name : OverlayDiff.sortedNames(dir)) {
      String path = PathNames.join(rel, name);
      Path file = dir.resolve(name);
      FileStatus st = FileStatus.of(file).orElse(null);
      if (st == null) {
        continue;
      }
      names.add(name);
      if (st.type().isEmpty()) {
        continue; // a socket
      }
      RootChanges.Item item = OverlayDiff.Items.of(path, file, st);
      changes.seen(item);
      FileStatus was = before.status.get(path);
      if (changed(item, was, before.links.get(path))) {
        changes.changed(item);
      }
      if (st.isDirectory()) {
        walk(changes, before, path, file);
      }
    }
    FileStatus was = before.status.get(rel);
    if (was != null && was.isDirectory()) {
      changes.namesOf(rel, before.names.getOrDefault(rel, Set.of()), names);
    }
  }

  private static boolean changed(RootChanges.Item item, FileStatus was, String wasLink) {
    if (was == null || !OverlayDiff.Items.sameMetadata(item.status(), was)) {
      return true;
    }
    return switch (item.type()) {
      case SYMLINK -> !item.linkTarget().orElse("").equals(wasLink);
      case FILE -> item.status().inode() != was.inode() || item.status().ctimeNanos() != was.ctimeNanos();
      default -> false;
    };
  }
}
