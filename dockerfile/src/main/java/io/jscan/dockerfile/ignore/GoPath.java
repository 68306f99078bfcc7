package io.jscan.dockerfile.ignore;

import java.util.ArrayList;
import java.util.List;

/** Go's {@code path/filepath} functions on Unix, which patternmatcher builds on. */
final class GoPath {
  private GoPath() {}

  /** {@code filepath.Clean}: the shortest lexically equivalent path. */
  static String clean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.charAt(0) == '/';
    List<String> out = new ArrayList<>();
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
        } else if (!rooted) {
          out.add("..");
        }
        continue;
      }
      out.add(part);
    }
    String joined = String.join("/", out);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }

  /** {@code filepath.Dir}: everything but the last element, cleaned. */
  static String dir(String path) {
    int slash = path.lastIndexOf('/');
    return clean(path.substring(0, slash + 1));
  }
}
