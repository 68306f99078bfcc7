package io.jscan.builder.context;

import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.Digest;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Remembers the content digests of a context's files between builds, keyed by what
 * {@code lstat(2)} says (mode, size, mtime in nanoseconds, inode, device), so that an unchanged
 * rebuild does not read every file again. Only the decision to re-read depends on this metadata;
 * digests always come from content.
 *
 * <p>As in git's index, a file whose mtime is within {@value #RACY_MILLIS} ms of the time the
 * cache is written is not remembered: it could still change within the same timestamp tick
 * without its metadata showing it. (A tool that rewrites a file and then restores its old mtime
 * and size defeats this check, as it defeats BuildKit's; {@code --no-cache} reads everything.)
 *
 * <p>One file per context directory, replaced atomically, and only when something changed.
 */
public final class ContentHashCache {
  static final long RACY_MILLIS = 2000;
  private static final String MAGIC = "jscan-context-hashes-v2";

  private record Entry(FileStat stat, Digest digest) {}

  private final Optional<Path> file;
  private final Path tempDir;
  private final Map<String, Entry> previous;
  private final Map<String, Entry> current; // sorted only when written
  private boolean changed;

  private ContentHashCache(Optional<Path> file, Path tempDir, Map<String, Entry> previous) {
    this.file = file;
    this.tempDir = tempDir;
    this.previous = previous;
    this.current = new HashMap<>(previous.size() * 4 / 3 + 16);
  }

  /** A cache that remembers nothing (every file is read). */
  public static ContentHashCache disabled() {
    return new ContentHashCache(Optional.empty(), Path.of("."), Map.of());
  }

  /**
   * The cache for the context at {@code contextRoot}, kept in {@code directory}; an unreadable or
   * foreign cache file counts as empty.
   */
  public static ContentHashCache load(Path directory, Path contextRoot, Path tempDir) {
    Path f = directory.resolve(Digest.sha256(contextRoot.toAbsolutePath().normalize().toString()).encoded());
    Map<String, Entry> entries = new HashMap<>();
    try (InputStream raw = Files.newInputStream(f);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 65536))) {
      if (!in.readUTF().equals(MAGIC)) {
        throw new IOException("not a context hash cache");
      }
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String path = in.readUTF();
        FileStat stat = new FileStat(in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        entries.put(path, new Entry(stat, Digest.parse(in.readUTF())));
      }
    } catch (NoSuchFileException e) {
      // first build of this context
    } catch (IOException | RuntimeException e) {
      entries.clear(); // a damaged cache only costs re-reading
    }
    return new ContentHashCache(Optional.of(f), tempDir, entries);
  }

  /** The remembered digest of {@code path} if its status is unchanged. */
  public Optional<Digest> lookup(String path, FileStat stat) {
    Entry e = previous.get(path);
    return e != null && e.stat().equals(stat) ? Optional.of(e.digest()) : Optional.empty();
  }

  /** Records the digest of {@code path} as seen in this build. */
  public void record(String path, FileStat stat, Digest digest) {
    current.put(path, new Entry(stat, digest));
  }

  /** Writes the cache if it differs from what was loaded; {@code nowMillis} decides which entries are racy. */
  public void save(long nowMillis) throws IOException {
    if (file.isEmpty()) {
      return;
    }
    long racyFrom = (nowMillis - RACY_MILLIS) * 1_000_000L;
    // the file is rewritten only when what it would hold differs from what was loaded: the same
    // keys with equal entries (checked entry by entry, without building the new map first: an
    // unchanged rebuild of a large context ends here)
    int kept = 0;
    boolean differs = false;
    for (Map.Entry<String, Entry> e : current.entrySet()) {
      if (e.getValue().stat().mtimeNanos() < racyFrom) {
        kept++;
        if (!differs && !e.getValue().equals(previous.get(e.getKey()))) {
          differs = true;
        }
      }
    }
    changed = differs || kept != previous.size();
    if (!changed) {
      return;
    }
    Map<String, Entry> keep = new TreeMap<>(); // sorted: the same cache, the same bytes
    for (Map.Entry<String, Entry> e : current.entrySet()) {
      if (e.getValue().stat().mtimeNanos() < racyFrom) {
        keep.put(e.getKey(), e.getValue());
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(MAGIC);
      out.writeInt(keep.size());
      for (Map.Entry<String, Entry> e : keep.entrySet()) {
        FileStat s = e.getValue().stat();
        out.writeUTF(e.getKey());
        out.writeInt(s.mode());
        out.writeLong(s.size());
        out.writeLong(s.mtimeNanos());
        out.writeLong(s.inode());
        out.writeLong(s.device());
        out.writeUTF(e.getValue().digest().toString());
      }
    }
    AtomicFiles.write(file.get(), bytes.toByteArray(), tempDir);
  }

  /** Whether the last {@link #save} wrote the file. */
  boolean changed() {
    return changed;
  }
}
