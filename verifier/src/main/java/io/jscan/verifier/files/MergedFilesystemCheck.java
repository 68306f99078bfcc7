package io.jscan.verifier.files;

import io.jscan.core.oci.Digest;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies the layers' entry lists in order to a tree of metadata (no content) and checks what only
 * the merged filesystem shows (image-spec layer.md "Applying Changesets"):
 *
 * <ul>
 *   <li>symlinks whose target, resolved in the merged tree as the kernel would (following other
 *       symlinks, {@code ..} going up), climbs above the root, checked when the layer that makes
 *       them is applied (that is when an extractor would follow them) and again in the final tree;
 *   <li>entries written through a symlink that leaves the root (an earlier layer plants
 *       {@code etc -> ../../host/etc}, a later one writes {@code etc/passwd});
 *   <li>hard links whose target does not exist, is a directory, or is reached through such a symlink;
 *   <li>whiteouts and opaque markers that hide nothing;
 *   <li>which file facts are still visible at the end, and which world-writable entries are not
 *       protected by a sticky directory.
 * </ul>
 *
 * <p>Memory is one small node per path of the merged filesystem.
 */
public final class MergedFilesystemCheck {
  private static final int MAX_SYMLINK_HOPS = 40; // Linux's MAXSYMLINKS

  /** The outcome: findings, facts with visibility settled, and counts of the final filesystem. */
  public record Result(List<Finding> findings, List<FileFact> facts, Counts counts) {
    public Result {
      findings = List.copyOf(findings);
      facts = List.copyOf(facts);
    }
  }

  /** What the merged filesystem holds. */
  public record Counts(long files, long directories, long symlinks, long hardLinks, long devices, long fifos) {}

  private static final class Node {
    final String name;
    Node parent;
    byte type;
    int mode;
    String link;
    int layer;
    Map<String, Node> children;

    Node(String name, Node parent, byte type, int mode, String link, int layer) {
      this.name = name;
      this.parent = parent;
      this.type = type;
      this.mode = mode;
      this.link = link;
      this.layer = layer;
      if (type == EntryMeta.DIRECTORY) {
        children = new HashMap<>();
      }
    }

    String path() {
      if (parent == null) {
        return "/";
      }
      StringBuilder b = new StringBuilder();
      for (Node n = this; n.parent != null; n = n.parent) {
        b.insert(0, n.name).insert(0, '/');
      }
      return b.toString();
    }
  }

  private enum Status {
    FOUND,
    MISSING,
    ESCAPE,
    LOOP
  }

  private record Resolution(Status status, Node node) {}

  private final Node root = new Node("", null, EntryMeta.DIRECTORY, 0755, null, 0);
  private final List<Finding> findings = new ArrayList<>();
  private final Set<String> reportedEscapes = new HashSet<>();
  private int hops;

  private MergedFilesystemCheck() {}

  /** Checks {@code layers}, given in manifest order (lowest first). */
  public static Result check(List<LayerContents> layers) {
    MergedFilesystemCheck check = new MergedFilesystemCheck();
    List<FileFact> facts = new ArrayList<>();
    Map<Integer, Digest> digests = new HashMap<>();
    for (LayerContents layer : layers) {
      check.apply(layer);
      facts.addAll(layer.facts());
      digests.put(layer.position, layer.digest);
    }
    check.finalSymlinks(check.root, digests);
    return new Result(check.findings, check.settle(facts), check.count());
  }

  private void apply(LayerContents layer) {
    int p = layer.position;
    Digest d = layer.digest;
    // whiteouts apply to the layers below only, so all of them go before the layer's own entries
    for (EntryMeta e : layer.entries) {
      if (e.type() == EntryMeta.OPAQUE) {
        Node dir = e.path().isEmpty() ? root : literal(e.path());
        if (dir == null || dir.children == null || dir.children.isEmpty()) {
          findings.add(Finding.integrityWarning(
              "opaque whiteout hides nothing: no lower layer has entries in this directory",
              Location.InImage.file(p, d, "/" + (e.path().isEmpty() ? "" : e.path() + "/") + ".wh..wh..opq")));
        } else {
          dir.children.clear();
        }
      } else if (e.type() == EntryMeta.WHITEOUT) {
        Node target = literal(e.path());
        if (target == null) {
          findings.add(Finding.integrityWarning(
              "whiteout hides nothing: no lower layer has /" + e.path(),
              Location.InImage.file(p, d, "/" + whiteoutName(e.path()))));
        } else {
          target.parent.children.remove(target.name);
        }
      }
    }
    for (EntryMeta e : layer.entries) {
      if (e.type() != EntryMeta.OPAQUE && e.type() != EntryMeta.WHITEOUT) {
        add(e, p, d);
      }
    }
  }

  private void add(EntryMeta e, int p, Digest d) {
    String[] parts = e.path().split("/");
    Node cur = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Node child = cur.children.get(parts[i]);
      if (child == null) {
        child = new Node(parts[i], cur, EntryMeta.DIRECTORY, 0755, null, p);
        cur.children.put(parts[i], child);
      } else if (child.type == EntryMeta.SYMLINK) {
        hops = 0;
        Resolution r = resolve(cur, child.link, true);
        if (r.status == Status.ESCAPE) {
          escape("is written through symlink " + child.path() + " -> " + child.link + ", which leaves the root", p, d, "/" + e.path());
          return;
        }
        if (r.status != Status.FOUND || r.node.children == null) {
          findings.add(Finding.integrity(
              "is written through symlink " + child.path() + " -> " + child.link + ", which is not a directory: extractors fail or disagree",
              Location.InImage.file(p, d, "/" + e.path())));
          return;
        }
        findings.add(Finding.integrityWarning(
            "is written through symlink " + child.path() + " -> " + child.link + " (it lands in " + r.node.path() + ")",
            Location.InImage.file(p, d, "/" + e.path())));
        child = r.node;
      } else if (child.children == null) {
        findings.add(Finding.integrity(
            "parent " + child.path() + " is not a directory: extractors fail or disagree", Location.InImage.file(p, d, "/" + e.path())));
        return;
      }
      cur = child;
    }
    String name = parts[parts.length - 1];
    Node existing = cur.children.get(name);
    if (e.type() == EntryMeta.DIRECTORY && existing != null && existing.type == EntryMeta.DIRECTORY) {
      existing.mode = e.mode();
      existing.layer = p;
      return;
    }
    if (e.type() == EntryMeta.HARDLINK && !hardLinkTargetOk(e, p, d)) {
      return;
    }
    Node node = new Node(name, cur, e.type(), e.mode(), e.link(), p);
    cur.children.put(name, node);
    if (e.type() == EntryMeta.SYMLINK) {
      hops = 0;
      if (resolve(cur, e.link(), true).status == Status.ESCAPE) {
        escape("symlink to \"" + e.link() + "\" resolves outside the root", p, d, node.path());
      }
    }
  }

  private boolean hardLinkTargetOk(EntryMeta e, int p, Digest d) {
    String target = e.link();
    int slash = target.lastIndexOf('/');
    Node dir = root;
    if (slash >= 0) {
      hops = 0;
      Resolution r = resolve(root, target.substring(0, slash), true);
      if (r.status == Status.ESCAPE) {
        escape("hard link to /" + target + " goes through a symlink that leaves the root", p, d, "/" + e.path());
        return false;
      }
      dir = r.status == Status.FOUND ? r.node : null;
    }
    Node t = dir == null || dir.children == null ? null : dir.children.get(target.substring(slash + 1));
    if (t == null) {
      findings.add(Finding.integrity(
          "hard link to /" + target + ", which does not exist: extraction fails", Location.InImage.file(p, d, "/" + e.path())));
      return false;
    }
    if (t.type == EntryMeta.DIRECTORY) {
      findings.add(Finding.integrity("hard link to directory /" + target, Location.InImage.file(p, d, "/" + e.path())));
      return false;
    }
    return true;
  }

  private void escape(String message, int p, Digest d, String path) {
    if (reportedEscapes.add(p + ":" + path)) {
      findings.add(Finding.integrity(message, Location.InImage.file(p, d, path)));
    }
  }

  /** Resolves {@code path} from directory {@code start} as the kernel does, noticing climbs above the root. */
  private Resolution resolve(Node start, String path, boolean followLast) {
    Node cur = path.startsWith("/") ? root : start;
    String[] parts = path.split("/");
    int last = parts.length - 1;
    while (last >= 0 && (parts[last].isEmpty() || parts[last].equals("."))) {
      last--;
    }
    for (int i = 0; i <= last; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (cur.parent == null) {
          return new Resolution(Status.ESCAPE, null);
        }
        cur = cur.parent;
        continue;
      }
      if (cur.children == null) {
        return new Resolution(Status.MISSING, null);
      }
      Node child = cur.children.get(part);
      if (child == null) {
        return new Resolution(Status.MISSING, null);
      }
      if (child.type == EntryMeta.SYMLINK && (i < last || followLast)) {
        if (++hops > MAX_SYMLINK_HOPS) {
          return new Resolution(Status.LOOP, null);
        }
        Resolution r = resolve(cur, child.link, true);
        if (r.status != Status.FOUND) {
          return r;
        }
        child = r.node;
      }
      cur = child;
    }
    return new Resolution(Status.FOUND, cur);
  }

  private void finalSymlinks(Node dir, Map<Integer, Digest> digests) {
    for (Node child : dir.children.values()) {
      if (child.type == EntryMeta.SYMLINK) {
        hops = 0;
        if (resolve(dir, child.link, true).status == Status.ESCAPE) {
          escape("symlink to \"" + child.link + "\" resolves outside the root in the merged filesystem",
              child.layer, digests.get(child.layer), child.path());
        }
      } else if (child.children != null) {
        finalSymlinks(child, digests);
      }
    }
  }

  /** Literal lookup: no symlink is followed (whiteouts name paths as stored). */
  private Node literal(String path) {
    Node cur = root;
    for (String part : path.split("/")) {
      if (cur.children == null) {
        return null;
      }
      cur = cur.children.get(part);
      if (cur == null) {
        return null;
      }
    }
    return cur;
  }

  private List<FileFact> settle(List<FileFact> facts) {
    List<FileFact> out = new ArrayList<>(facts.size());
    for (FileFact f : facts) {
      Node node = literal(f.path().substring(1));
      boolean visible = node != null && node.layer == f.layer() && node.type != EntryMeta.SYMLINK;
      if (f.kind() == FileFact.Kind.WORLD_WRITABLE) {
        // a world-writable directory is fine with the sticky bit (like /tmp, 1777); a world-writable
        // file is fine inside a sticky directory (only its owner can remove or rename it)
        boolean protectedBySticky = node != null && (node.type == EntryMeta.DIRECTORY
            ? (node.mode & 01000) != 0
            : node.parent != null && (node.parent.mode & 01000) != 0);
        if (!visible || protectedBySticky) {
          continue;
        }
      }
      out.add(f.withVisible(visible));
    }
    return out;
  }

  private Counts count() {
    long[] c = new long[6];
    countInto(root, c);
    return new Counts(c[0], c[1], c[2], c[3], c[4], c[5]);
  }

  private static void countInto(Node dir, long[] c) {
    for (Node n : dir.children.values()) {
      switch (n.type) {
        case EntryMeta.FILE -> c[0]++;
        case EntryMeta.DIRECTORY -> {
          c[1]++;
          countInto(n, c);
        }
        case EntryMeta.SYMLINK -> c[2]++;
        case EntryMeta.HARDLINK -> c[3]++;
        case EntryMeta.DEVICE -> c[4]++;
        case EntryMeta.FIFO -> c[5]++;
        default -> {}
      }
    }
  }

  private static String whiteoutName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? ".wh." + path : path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
  }
}
