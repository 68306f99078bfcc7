package io.jscan.builder.fs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Paths inside an image or a build context, always {@code /}-separated and independent of the host.
 *
 * <p>The builder keeps paths <em>relative to the root</em>: no leading {@code /} or {@code ./}, no
 * trailing {@code /}, no {@code .} or {@code ..} components, and the root itself is the empty
 * string (the same form as core's {@code FsEntry}). Dockerfile paths are absolute
 * ({@code /app/x}) and are turned into this form with {@link #cleanAbsolute}.
 */
public final class PathNames {
  private PathNames() {}

  /**
   * Tree order: a directory comes before its children, and siblings are ordered by the Unicode code
   * points of their names (which is the byte order of their UTF-8 encoding). Unlike plain string
   * order it keeps a directory's entries together ({@code a/b} before {@code a-b}), and unlike
   * {@link String#compareTo} it does not depend on UTF-16 surrogates.
   */
  public static final Comparator<String> TREE_ORDER = PathNames::compareTreeOrder;

  /**
   * Go's {@code path.Clean} of {@code "/" + path}, returned in relative form: {@code ..} at the
   * root stays at the root, as it does inside a container's root file system.
   */
  public static String cleanAbsolute(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
        continue;
      }
      parts.add(part);
    }
    return String.join("/", parts);
  }

  /**
   * Cleans a path that must stay inside its root: like {@link #cleanAbsolute} but a {@code ..} that
   * would climb above the root makes the result empty-handed.
   *
   * @return the relative clean path, or {@code null} when the path leaves the root
   */
  public static String cleanInside(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.remove(parts.size() - 1);
        continue;
      }
      parts.add(part);
    }
    return String.join("/", parts);
  }

  /** {@code dir/name} in relative form ({@code name} when {@code dir} is the root). */
  public static String join(String dir, String name) {
    if (dir.isEmpty()) {
      return name;
    }
    if (name.isEmpty()) {
      return dir;
    }
    return dir + "/" + name;
  }

  /** The parent in relative form; the root's parent is the root. */
  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  /** The last component ({@code ""} for the root). */
  public static String baseName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /** The components of a relative path ({@code []} for the root). */
  public static List<String> components(String path) {
    return path.isEmpty() ? List.of() : List.of(path.split("/"));
  }

  /** {@code /path}: how messages and history show an image path. */
  public static String display(String relative) {
    return "/" + relative;
  }

  /** Whether {@code path} is {@code ancestor} or lies below it. */
  public static boolean isAtOrBelow(String path, String ancestor) {
    return ancestor.isEmpty() || path.equals(ancestor) || path.startsWith(ancestor + "/");
  }

  private static int compareTreeOrder(String a, String b) {
    // fast path over UTF-16 units: up to the first difference, equal units mean equal code points,
    // and at a difference of two non-surrogates the units are the code points
    int n = Math.min(a.length(), b.length());
    int k = 0;
    while (k < n && a.charAt(k) == b.charAt(k)) {
      k++;
    }
    if (k == n) {
      return Integer.compare(a.length(), b.length());
    }
    char ca = a.charAt(k);
    char cb = b.charAt(k);
    if (Character.isSurrogate(ca) || Character.isSurrogate(cb)) {
      return compareCodePoints(a, b);
    }
    // the separator sorts before every other character, so a directory's entries stay together
    if (ca == '/') {
      return -1;
    }
    if (cb == '/') {
      return 1;
    }
    return Character.compare(ca, cb);
  }

  /** Code point by code point: a name outside the Basic Multilingual Plane sorts after every name inside it. */
  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        if (ca == '/') {
          return -1;
        }
        if (cb == '/') {
          return 1;
        }
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
