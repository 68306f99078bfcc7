package io.jscan.builder.context;

import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
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
  /**
   * v3: paths as length-prefixed UTF-8 and digests as their 32 raw bytes, read from one array.
   * v2's modified-UTF-8 strings cost an unchanged rebuild of 10,000 files about 90 ms of start-up
   * (decoded a character at a time, before the JIT has compiled anything); a v2 file counts as
   * foreign, so the first build after the change reads the context once more.
   */
  private static final byte[] MAGIC = "jscan-context-hashes-v3\n".getBytes(StandardCharsets.US_ASCII);
  private static final int SHA256_BYTES = 32;

  /** What this build saw. */
  private record Entry(FileStat stat, Digest digest) {}

  /** What the cache file held: the digest stays raw until a lookup needs it. */
  private record Remembered(FileStat stat, byte[] sha256) {
    boolean sameAs(Entry e) {
      return e.stat().equals(stat) && e.digest().algorithm().equals("sha256")
          && Arrays.equals(sha256, HexFormat.of().parseHex(e.digest().encoded()));
    }
  }

  private final Optional<Path> file;
  private final Path tempDir;
  private final Map<String, Remembered> previous;
  private final Map<String, Entry> current; // sorted only when written
  private boolean changed;

  private ContentHashCache(Optional<Path> file, Path tempDir, Map<String, Remembered> previous) {
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
    Map<String, Remembered> entries = new HashMap<>();
    try {
      // a FIFO planted in the store is never opened, and an oversized file is not read: both count as no cache
      ByteBuffer in = ByteBuffer.wrap(BoundedFiles.read(f, InputLimit.CONTEXT_HASH_CACHE));
      byte[] magic = new byte[MAGIC.length];
      in.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException("not a context hash cache");
      }
      int n = in.getInt();
      entries = new HashMap<>(Math.max(16, Math.min(n, 1 << 24) * 4 / 3 + 1));
      byte[] all = in.array();
      for (int i = 0; i < n; i++) {
        int length = in.getInt();
        String path = new String(all, in.position(), length, StandardCharsets.UTF_8); // throws when past the end
        in.position(in.position() + length);
        FileStat stat = new FileStat(in.getInt(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
        byte[] sha256 = new byte[SHA256_BYTES];
        in.get(sha256);
        entries.put(path, new Remembered(stat, sha256));
      }
      if (in.hasRemaining()) {
        throw new IOException("trailing bytes");
      }
    } catch (InputFileException e) {
      // first build of this context, or a cache that cannot be read: it only costs re-reading
      entries.clear();
    } catch (IOException | RuntimeException e) {
      entries.clear(); // a damaged or foreign cache only costs re-reading
    }
    return new ContentHashCache(Optional.of(f), tempDir, entries);
  }

  /** The remembered digest of {@code path} if its status is unchanged. */
  public Optional<Digest> lookup(String path, FileStat stat) {
    Remembered e = previous.get(path);
    return e != null && e.stat().equals(stat) ? Optional.of(Digest.ofSha256(e.sha256())) : Optional.empty();
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
      if (keeps(e.getValue(), racyFrom)) {
        kept++;
        Remembered before = previous.get(e.getKey());
        if (!differs && (before == null || !before.sameAs(e.getValue()))) {
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
      if (keeps(e.getValue(), racyFrom)) {
        keep.put(e.getKey(), e.getValue());
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(keep.size());
      for (Map.Entry<String, Entry> e : keep.entrySet()) {
        FileStat s = e.getValue().stat();
        byte[] path = e.getKey().getBytes(StandardCharsets.UTF_8);
        out.writeInt(path.length);
        out.write(path);
        out.writeInt(s.mode());
        out.writeLong(s.size());
        out.writeLong(s.mtimeNanos());
        out.writeLong(s.inode());
        out.writeLong(s.device());
        out.write(HexFormat.of().parseHex(e.getValue().digest().encoded()));
      }
    }
    AtomicFiles.write(file.get(), bytes.toByteArray(), tempDir);
  }

  /** Whether an entry goes into the file: not racy, and a SHA-256 (the only digest the file holds). */
  private static boolean keeps(Entry e, long racyFromNanos) {
    return e.stat().mtimeNanos() < racyFromNanos && e.digest().algorithm().equals("sha256");
  }

  /** Whether the last {@link #save} wrote the file. */
  boolean changed() {
    return changed;
  }
}
