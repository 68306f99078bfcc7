package io.jscan.builder.run;

import io.jscan.builder.fs.PathNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lower directories of an overlay root, topmost first, read as overlayfs reads them: what a
 * path was before the command ran, without the mount.
 */
final class LowerStack {
  private final List<Path> lowers;
  /** per lower directory and path: what the path is there (cached ancestor checks) */
  private final Map<String, LowerKind> lowerKinds = new HashMap<>();

  private enum LowerKind {
    ABSENT,
    DIRECTORY,
    OPAQUE_DIRECTORY,
    WHITEOUT,
    OTHER
  }

  /** Where a path is in the lower directories, and its status there. */
  record Found(Path file, FileStatus status) {}

  /** @param lowersTopFirst the lower directories, topmost first */
  LowerStack(List<Path> lowersTopFirst) {
    this.lowers = List.copyOf(lowersTopFirst);
  }

  List<Path> directories() {
    return lowers;
  }

  /**
   * The path before the command: the topmost lower directory that has it, unless a lower
   * directory above hides it (a whiteout, an opaque or non-directory ancestor). Ancestors are
   * checked without following links, so nothing outside the lower directories is ever read.
   */
  Optional<Found> find(String path) throws IOException {
    List<String> parts = PathNames.components(path);
    for (int i = 0; i < lowers.size(); i++) {
      boolean hidesBelow = false;
      boolean present = true;
      StringBuilder ancestor = new StringBuilder();
      for (int c = 0; c < parts.size() - 1; c++) {
        if (c > 0) {
          ancestor.append('/');
        }
        ancestor.append(parts.get(c));
        LowerKind k = kind(i, ancestor.toString());
        if (k == LowerKind.ABSENT) {
          present = false;
          break;
        }
        if (k == LowerKind.WHITEOUT || k == LowerKind.OTHER) {
          return Optional.empty(); // this layer replaced an ancestor: nothing below it shows
        }
        if (k == LowerKind.OPAQUE_DIRECTORY) {
          hidesBelow = true;
        }
      }
      if (present) {
        Path file = lowers.get(i).resolve(path);
        Optional<FileStatus> st = FileStatus.of(file);
        if (st.isPresent()) {
          return st.get().isWhiteout() ? Optional.empty() : Optional.of(new Found(file, st.get()));
        }
      }
      if (hidesBelow) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private LowerKind kind(int layer, String dir) throws IOException {
    String key = layer + "\0" + dir;
    LowerKind known = lowerKinds.get(key);
    if (known != null) {
      return known;
    }
    Path p = lowers.get(layer).resolve(dir);
    Optional<FileStatus> st = FileStatus.of(p);
    LowerKind k;
    if (st.isEmpty()) {
      k = LowerKind.ABSENT;
    } else if (st.get().isWhiteout()) {
      k = LowerKind.WHITEOUT;
    } else if (st.get().isDirectory()) {
      k = LinuxFiles.getXattr(p, LinuxFiles.OVERLAY_OPAQUE).isPresent() ? LowerKind.OPAQUE_DIRECTORY : LowerKind.DIRECTORY;
    } else {
      k = LowerKind.OTHER;
    }
    lowerKinds.put(key, k);
    return k;
  }

}
