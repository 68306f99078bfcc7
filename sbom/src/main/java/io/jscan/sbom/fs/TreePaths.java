package io.jscan.sbom.fs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** Path arithmetic inside a {@link FileTree}: normalising, and following symlinks the way the kernel does. */
public final class TreePaths {
  private TreePaths() {}

  private static final int MAX_LINKS = 40;

  /** {@code /a/./b//c/} → {@code a/b/c}; {@code ..} pops (never above the root); empty for the root. */
  public static String normalise(String path) {
    if (isPlain(path)) {
      return path.startsWith("/") ? path.substring(1) : path;
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }

  /** {@code /a/b} or {@code a/b}: no empty, {@code .} or {@code ..} component and no trailing slash. */
  private static boolean isPlain(String path) {
    int start = path.startsWith("/") ? 1 : 0;
    if (start >= path.length() || path.endsWith("/")) {
      return false;
    }
    int segmentStart = start;
    for (int i = start; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        int len = i - segmentStart;
        if (len == 0 || (len == 1 && path.charAt(segmentStart) == '.')
            || (len == 2 && path.charAt(segmentStart) == '.' && path.charAt(segmentStart + 1) == '.')) {
          return false;
        }
        segmentStart = i + 1;
      }
    }
    return true;
  }

  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  static Optional<FileMeta> resolve(FileTree tree, String path) {
    Deque<String> pending = new ArrayDeque<>(List.of(normalise(path).split("/")));
    List<String> resolved = new ArrayList<>();
    int links = 0;
    FileMeta current = null;
    while (!pending.isEmpty()) {
      String part = pending.pollFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!resolved.isEmpty()) {
          resolved.remove(resolved.size() - 1);
        }
        current = null;
        continue;
      }
      resolved.add(part);
      String candidate = String.join("/", resolved);
      Optional<FileMeta> entry = tree.stat(candidate);
      if (entry.isEmpty()) {
        return Optional.empty();
      }
      current = entry.get();
      if (current.kind() == FileMeta.Kind.SYMLINK) {
        if (++links > MAX_LINKS) {
          return Optional.empty();
        }
        String target = current.linkTarget().orElseThrow();
        resolved.remove(resolved.size() - 1);
        if (target.startsWith("/")) {
          resolved.clear();
        }
        List<String> targetParts = List.of(target.split("/"));
        for (int i = targetParts.size() - 1; i >= 0; i--) {
          pending.addFirst(targetParts.get(i));
        }
        current = null;
      } else if (!pending.isEmpty() && current.kind() != FileMeta.Kind.DIRECTORY) {
        // a file used as a directory: only legal if nothing is left to resolve
        boolean rest = pending.stream().anyMatch(p -> !p.isEmpty() && !p.equals("."));
        if (rest) {
          return Optional.empty();
        }
      }
    }
    if (current == null && !resolved.isEmpty()) {
      return tree.stat(String.join("/", resolved));
    }
    return Optional.ofNullable(current);
  }
}
