package io.jscan.builder.fs;

import io.jscan.core.fs.FsEntry;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * An in-memory directory tree of metadata only (no file content): a build context after
 * {@code .dockerignore}, or the root file system a stage has reached. Paths are in
 * {@link PathNames} relative form; the root ({@code ""}) is always a directory.
 *
 * <p>Parents always exist: inserting {@code a/b/c} creates {@code a} and {@code a/b} as
 * <em>implied</em> directories (mode 0755, owner 0:0) until an explicit entry for them arrives,
 * which is what extracting a layer tar does too.
 *
 * <p>Symbolic links are resolved the way a container runtime resolves them inside its root
 * ({@link #resolve}): absolute targets start again at the root and {@code ..} never climbs above
 * it. For a build context, where leaving the root means reading the host's files, the strict
 * mode reports such a link instead ({@link Resolution#leftRoot()}).
 */
public final class FileTree {
  /** Linux's limit on symbolic links followed while resolving one path (MAXSYMLINKS is 40; 255 as in containerd). */
  static final int MAX_LINKS = 255;

  /**
   * One entry of the tree.
   *
   * @param layerIndex the image layer (0 = lowest) the entry comes from, or -1 when it does not
   *     come from a layer (context files, implied directories, entries of a layer being built)
   */
  public record Node(
      String path,
      FsEntry.Type type,
      int mode,
      long uid,
      long gid,
      long size,
      Optional<String> linkTarget,
      int devMajor,
      int devMinor,
      int layerIndex) {
    public Node {
      if (path == null || path.startsWith("/") || path.endsWith("/")) {
        throw new IllegalArgumentException("not a relative clean path: " + path);
      }
      mode &= 07777;
    }

    public boolean isDirectory() {
      return type == FsEntry.Type.DIRECTORY;
    }

    public boolean isSymlink() {
      return type == FsEntry.Type.SYMLINK;
    }

    /** A plain directory owned by root: what an implied parent looks like. */
    public static Node directory(String path, int mode, long uid, long gid) {
      return new Node(path, FsEntry.Type.DIRECTORY, mode, uid, gid, 0, Optional.empty(), 0, 0, -1);
    }
  }

  /**
   * Where a path leads after its symbolic links are followed.
   *
   * @param path the resolved path (relative form); meaningful unless {@code leftRoot}
   * @param node what is at {@code path}, if anything
   * @param leftRoot a link (absolute, or climbing with {@code ..}) pointed outside the root; only
   *     reported in strict mode
   * @param blockedBy a non-directory found where a directory was needed, if any
   */
  public record Resolution(String path, Optional<Node> node, boolean leftRoot, Optional<String> blockedBy) {
    public boolean exists() {
      return node.isPresent();
    }
  }

  /** Thrown when a path goes through more than {@value #MAX_LINKS} symbolic links (a loop). */
  public static final class TooManyLinksException extends Exception {
    private static final long serialVersionUID = 1L;

    public TooManyLinksException(String path) {
      super("too many levels of symbolic links resolving " + PathNames.display(path));
    }
  }

  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, TreeSet<String>> children = new HashMap<>();
  private final Set<String> implied = new HashSet<>();

  public FileTree() {
    nodes.put("", Node.directory("", 0755, 0, 0));
    children.put("", new TreeSet<>(PathNames.TREE_ORDER));
  }

  /**
   * The tree of {@code entries} as {@link #put} one by one would make it, for entries that come
   * in tree order ({@link PathNames#TREE_ORDER}: a directory before what is in it, each path once),
   * as a walk of a directory yields them. Each directory's children are then appended in order and
   * its set is built without comparing names; an entry whose parent has not come yet, that
   * repeats a path or that is out of order is {@link #put} as usual, after the others.
   */
  public static FileTree inTreeOrder(List<Node> entries) {
    FileTree t = new FileTree();
    Map<String, List<String>> ordered = new HashMap<>();
    ordered.put("", new ArrayList<>());
    List<Node> others = new ArrayList<>();
    for (Node n : entries) {
      String path = n.path();
      List<String> siblings = path.isEmpty() ? null : ordered.get(PathNames.parent(path));
      if (siblings == null || t.nodes.containsKey(path)
          || (!siblings.isEmpty() && PathNames.TREE_ORDER.compare(siblings.get(siblings.size() - 1), path) >= 0)) {
        others.add(n);
        continue;
      }
      t.nodes.put(path, n);
      siblings.add(path);
      if (n.isDirectory()) {
        ordered.put(path, new ArrayList<>());
      }
    }
    for (Map.Entry<String, List<String>> e : ordered.entrySet()) {
      TreeSet<String> set = new TreeSet<>(PathNames.TREE_ORDER);
      set.addAll(new SortedNames(e.getValue())); // TreeSet builds from a sorted set in linear time
      t.children.put(e.getKey(), set);
    }
    for (Node n : others) {
      t.put(n);
    }
    return t;
  }

  /** Names already in {@link PathNames#TREE_ORDER}, shown to {@link TreeSet#addAll} as the sorted set they are. */
  private static final class SortedNames extends AbstractSet<String> implements SortedSet<String> {
    private final List<String> names;

    SortedNames(List<String> names) {
      this.names = names;
    }

    @Override
    public Iterator<String> iterator() {
      return names.iterator();
    }

    @Override
    public int size() {
      return names.size();
    }

    @Override
    public Comparator<? super String> comparator() {
      return PathNames.TREE_ORDER;
    }

    @Override
    public SortedSet<String> subSet(String from, String to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedSet<String> headSet(String to) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedSet<String> tailSet(String from) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String first() {
      return names.get(0);
    }

    @Override
    public String last() {
      return names.get(names.size() - 1);
    }
  }

  /** A copy sharing nothing with this tree. */
  public FileTree copy() {
    FileTree c = new FileTree();
    c.nodes.putAll(nodes);
    children.forEach((k, v) -> {
      TreeSet<String> set = new TreeSet<>(PathNames.TREE_ORDER);
      set.addAll(v);
      c.children.put(k, set);
    });
    c.implied.addAll(implied);
    return c;
  }

  public Optional<Node> get(String path) {
    return Optional.ofNullable(nodes.get(path));
  }

  public int size() {
    return nodes.size() - 1;
  }

  /** Whether {@code path} exists only because something below it does. */
  public boolean isImplied(String path) {
    return implied.contains(path);
  }

  /**
   * Adds or replaces an entry, as extracting a tar entry does: a non-directory replaces whatever
   * was there (and everything below it); a directory over a directory only updates its metadata.
   */
  public void put(Node node) {
    String path = node.path();
    if (path.isEmpty()) {
      if (node.isDirectory()) {
        nodes.put("", node);
      }
      return;
    }
    ensureParents(path);
    Node existing = nodes.get(path);
    if (existing != null && !(existing.isDirectory() && node.isDirectory())) {
      remove(path);
    }
    nodes.put(path, node);
    implied.remove(path);
    children.get(PathNames.parent(path)).add(path);
    if (node.isDirectory()) {
      children.computeIfAbsent(path, k -> new TreeSet<>(PathNames.TREE_ORDER));
    }
  }

  /**
   * Adds {@code node} unless its path is already taken by an explicit entry: for trees filled top
   * layer first, where the first entry seen for a path wins (a directory seen before only as a
   * parent takes the metadata of its explicit entry).
   */
  public void putIfAbsent(Node node) {
    Node existing = nodes.get(node.path());
    if (existing == null) {
      put(node);
    } else if (implied.contains(node.path()) && node.isDirectory()) {
      put(node);
    }
  }

  private void ensureParents(String path) {
    String parent = PathNames.parent(path);
    if (parent.isEmpty()) {
      return;
    }
    Node p = nodes.get(parent);
    if (p != null && p.isDirectory()) {
      return;
    }
    ensureParents(parent);
    if (p != null) {
      remove(parent);
    }
    nodes.put(parent, Node.directory(parent, 0755, 0, 0));
    implied.add(parent);
    children.get(PathNames.parent(parent)).add(parent);
    children.put(parent, new TreeSet<>(PathNames.TREE_ORDER));
  }

  /** Removes {@code path} and everything below it (a whiteout). */
  public void remove(String path) {
    if (path.isEmpty()) {
      clearChildren("");
      return;
    }
    Node n = nodes.remove(path);
    if (n == null) {
      return;
    }
    implied.remove(path);
    TreeSet<String> siblings = children.get(PathNames.parent(path));
    if (siblings != null) {
      siblings.remove(path);
    }
    TreeSet<String> below = children.remove(path);
    if (below != null) {
      for (String child : new ArrayList<>(below)) {
        removeBelow(child);
      }
    }
  }

  private void removeBelow(String path) {
    nodes.remove(path);
    implied.remove(path);
    TreeSet<String> below = children.remove(path);
    if (below != null) {
      for (String child : below) {
        removeBelow(child);
      }
    }
  }

  /** Removes everything below {@code dir} but keeps {@code dir} (an opaque whiteout). */
  public void clearChildren(String dir) {
    TreeSet<String> below = children.get(dir);
    if (below == null) {
      return;
    }
    for (String child : new ArrayList<>(below)) {
      remove(child);
    }
  }

  /** The entries directly inside {@code dir}, in tree order (empty when it is not a directory). */
  public List<Node> children(String dir) {
    TreeSet<String> names = children.get(dir);
    if (names == null) {
      return List.of();
    }
    List<Node> out = new ArrayList<>(names.size());
    for (String p : names) {
      out.add(nodes.get(p));
    }
    return out;
  }

  /** Every entry below {@code dir} (not {@code dir} itself), in tree order: a directory before its content. */
  public List<Node> subtree(String dir) {
    List<Node> out = new ArrayList<>();
    Deque<Node> stack = new ArrayDeque<>();
    List<Node> first = children(dir);
    for (int i = first.size() - 1; i >= 0; i--) {
      stack.push(first.get(i));
    }
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      out.add(n);
      if (n.isDirectory()) {
        List<Node> c = children(n.path());
        for (int i = c.size() - 1; i >= 0; i--) {
          stack.push(c.get(i));
        }
      }
    }
    return out;
  }

  /**
   * Follows the symbolic links of {@code path} inside this tree.
   *
   * @param path a path in relative form, or any form with {@code .} and {@code ..}
   * @param followFinal whether a link in the last component is followed too
   * @param strict report links that leave the root instead of keeping them inside it
   */
  public Resolution resolve(String path, boolean followFinal, boolean strict) throws TooManyLinksException {
    Deque<String> pending = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (!part.isEmpty()) {
        pending.addLast(part);
      }
    }
    List<String> current = new ArrayList<>();
    int hops = 0;
    while (!pending.isEmpty()) {
      String part = pending.removeFirst();
      if (part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (current.isEmpty()) {
          if (strict) {
            return new Resolution("", Optional.empty(), true, Optional.empty());
          }
          continue;
        }
        current.remove(current.size() - 1);
        continue;
      }
      String candidate = current.isEmpty() ? part : String.join("/", current) + "/" + part;
      Node node = nodes.get(candidate);
      if (node == null) {
        // nothing here: the rest cannot go through links either
        List<String> rest = new ArrayList<>(current);
        rest.add(part);
        rest.addAll(pending);
        String resolved = PathNames.cleanAbsolute(String.join("/", rest));
        return new Resolution(resolved, Optional.empty(), false, Optional.empty());
      }
      boolean last = pending.isEmpty();
      if (node.isSymlink() && (!last || followFinal)) {
        if (++hops > MAX_LINKS) {
          throw new TooManyLinksException(path);
        }
        String target = node.linkTarget().orElse("");
        if (target.startsWith("/")) {
          if (strict) {
            return new Resolution(candidate, Optional.of(node), true, Optional.empty());
          }
          current.clear();
        }
        List<String> parts = new ArrayList<>();
        for (String t : target.split("/")) {
          if (!t.isEmpty()) {
            parts.add(t);
          }
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
          pending.addFirst(parts.get(i));
        }
        continue;
      }
      if (!last && !node.isDirectory()) {
        return new Resolution(candidate, Optional.empty(), false, Optional.of(candidate));
      }
      current.add(part);
    }
    String resolved = String.join("/", current);
    return new Resolution(resolved, Optional.ofNullable(nodes.get(resolved)), false, Optional.empty());
  }
}
