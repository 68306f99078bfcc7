package io.jscan.builder.layer;

import io.jscan.builder.fs.PathNames;
import io.jscan.core.fs.FsEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Collects the entries of one layer and writes them as a reproducible tar (Jib's
 * ReproducibleLayerBuilder idea): entries are built from explicit values only ({@link LayerEntry}),
 * sorted in {@link PathNames#TREE_ORDER}, every parent directory present, and written with
 * {@link TarWriter}'s fixed header format and one modification time.
 *
 * <p>Adding a path twice keeps the later entry (a later COPY source wins, as in BuildKit). A parent
 * directory nobody added is filled in by the {@code parents} function, which knows whether the
 * directory already exists below this layer (and keeps its mode and owner, so extracting the
 * layer does not change them) or is new.
 *
 * <p>Hard links must point at an entry of the same layer that is written before them; when a link
 * sorts before its target, the two swap roles (the first path in tree order holds the content).
 */
public final class ReproducibleLayerBuilder {
  private final Map<String, LayerEntry> entries = new TreeMap<>(PathNames.TREE_ORDER);
  private final Function<String, LayerEntry> parents;

  /**
   * @param parents the directory entry to write for a parent path no one added explicitly
   */
  public ReproducibleLayerBuilder(Function<String, LayerEntry> parents) {
    this.parents = parents;
  }

  /** A builder whose implied parents are plain 0755 directories owned by root. */
  public static ReproducibleLayerBuilder withRootParents() {
    return new ReproducibleLayerBuilder(p -> LayerEntry.directory(p, FileModes.DIRECTORY, 0, 0));
  }

  /** Adds or replaces an entry; a non-directory replacing a directory drops what was added below it. */
  public void add(LayerEntry entry) {
    LayerEntry existing = entries.get(entry.path());
    if (existing != null && existing.isDirectory() && !entry.isDirectory()) {
      entries.keySet().removeIf(p -> p.startsWith(entry.path() + "/"));
    }
    entries.put(entry.path(), entry);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Whether an entry was added at {@code path}. */
  public boolean contains(String path) {
    return entries.containsKey(path);
  }

  /** The entries as they will be written: sorted, parents filled in, hard links ordered. */
  public List<LayerEntry> entries() {
    Map<String, LayerEntry> all = new TreeMap<>(PathNames.TREE_ORDER);
    all.putAll(entries);
    for (String path : entries.keySet()) {
      for (String parent = PathNames.parent(path); !parent.isEmpty(); parent = PathNames.parent(parent)) {
        LayerEntry p = all.get(parent);
        if (p == null) {
          LayerEntry made = parents.apply(parent);
          if (!made.isDirectory() || !made.path().equals(parent)) {
            throw new IllegalStateException("parent of " + path + " must be the directory " + parent);
          }
          all.put(parent, made);
        } else if (!p.isDirectory()) {
          throw new IllegalStateException(parent + " is not a directory but has entries below it");
        }
      }
    }
    return orderHardLinks(new ArrayList<>(all.values()));
  }

  /** Writes the tar (entries, then the end-of-archive blocks) to {@code out}, which stays open. */
  public void writeTar(OutputStream out, long mtimeSeconds) throws IOException {
    TarWriter tar = new TarWriter(out, mtimeSeconds);
    for (LayerEntry e : entries()) {
      tar.write(e);
    }
    tar.finish();
  }

  /** Rewrites hard links so that each group's content sits at the group's first path in tree order. */
  private static List<LayerEntry> orderHardLinks(List<LayerEntry> sorted) {
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      position.put(sorted.get(i).path(), i);
    }
    boolean any = false;
    for (LayerEntry e : sorted) {
      if (e.type() == FsEntry.Type.HARDLINK) {
        any = true;
        break;
      }
    }
    if (!any) {
      return sorted;
    }
    // group every link with the file it finally points at
    Map<String, List<String>> groups = new TreeMap<>(PathNames.TREE_ORDER);
    for (LayerEntry e : sorted) {
      if (e.type() != FsEntry.Type.HARDLINK) {
        continue;
      }
      String target = e.linkTarget().orElseThrow();
      int hops = 0;
      while (position.containsKey(target) && sorted.get(position.get(target)).type() == FsEntry.Type.HARDLINK) {
        target = sorted.get(position.get(target)).linkTarget().orElseThrow();
        if (++hops > sorted.size()) {
          throw new IllegalStateException("hard link loop at " + e.path());
        }
      }
      Integer at = position.get(target);
      if (at == null || sorted.get(at).type() != FsEntry.Type.FILE) {
        throw new IllegalStateException("hard link " + e.path() + " points at " + target + ", which is not a file of this layer");
      }
      groups.computeIfAbsent(target, k -> new ArrayList<>()).add(e.path());
    }
    List<LayerEntry> result = new ArrayList<>(sorted);
    for (Map.Entry<String, List<String>> g : groups.entrySet()) {
      LayerEntry file = sorted.get(position.get(g.getKey()));
      List<String> members = new ArrayList<>(g.getValue());
      members.add(g.getKey());
      members.sort(PathNames.TREE_ORDER);
      String first = members.get(0);
      for (String member : members) {
        LayerEntry original = sorted.get(position.get(member));
        LayerEntry rewritten = member.equals(first)
            ? new LayerEntry(member, FsEntry.Type.FILE, file.mode(), file.uid(), file.gid(), file.size(), java.util.Optional.empty(),
                0, 0, file.content(), file.mtime(), file.xattrs())
            : new LayerEntry(member, FsEntry.Type.HARDLINK, original.mode(), original.uid(), original.gid(), 0,
                java.util.Optional.of(first), 0, 0, java.util.Optional.empty(), original.mtime(), java.util.Map.of());
        result.set(position.get(member), rewritten);
      }
    }
    return result;
  }
}
