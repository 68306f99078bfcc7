package io.jscan.builder.context;

import io.jscan.builder.fs.FileTree;
import io.jscan.builder.fs.PathNames;
import io.jscan.builder.layer.ContentSource;
import io.jscan.builder.layer.FileModes;
import io.jscan.core.fs.FsEntry;
import io.jscan.core.oci.Digest;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.ignore.DockerIgnore;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RecursiveTask;

/**
 * A build context, walked once: what {@code .dockerignore} leaves in, with normalised metadata
 * and the content digest of every regular file.
 *
 * <p>The walk does not follow symbolic links (a link is recorded as a link, with its target as
 * written) and prunes directories {@link DockerIgnore#canSkipDirectory} allows. Nothing recorded
 * depends on the order the host lists directories in, the umask, mtimes, the locale or the time
 * zone: entries are kept in {@link PathNames#TREE_ORDER}, modes follow {@link FileModes}, owners
 * are 0:0. Sockets, devices and FIFOs in a context are left out (they cannot be sent to a builder).
 *
 * <p>Content digests come from {@link ContentHashCache} when a file's status is unchanged since it
 * was last read, else from reading the file.
 */
public final class ContextSnapshot {
  /** A regular file of the context: where it is, its status when it was hashed, its digest. */
  public record ContextFile(String path, Path file, FileStat stat, Digest digest) {
    /** The file's bytes, refused when the file changed since the snapshot (the layer would not match its cache key). */
    public ContentSource content() {
      return () -> {
        FileStat now = FileStat.of(file);
        if (now.size() != stat.size() || now.mtimeNanos() != stat.mtimeNanos() || now.inode() != stat.inode()) {
          throw new IOException("context file " + path + " changed during the build");
        }
        return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
      };
    }
  }

  private final Path root;
  private final DockerIgnore ignore;
  private final FileTree tree;
  private final Map<String, ContextFile> files;
  private final Future<Digest> digest;
  private final int hashed;
  /** Subtree digests of directories, made by the walk (see {@link #subtreeDigest}). */
  private final Map<String, Digest> subtrees;

  private ContextSnapshot(Path root, DockerIgnore ignore, FileTree tree, Map<String, ContextFile> files, Future<Digest> digest, int hashed,
      Map<String, Digest> subtrees) {
    this.root = root;
    this.ignore = ignore;
    this.tree = tree;
    this.files = files;
    this.digest = digest;
    this.hashed = hashed;
    this.subtrees = subtrees;
  }

  /**
   * Walks {@code root} with {@code ignore} applied.
   *
   * @throws IOException when the context cannot be read, or holds a file name the JVM cannot decode
   */
  public static ContextSnapshot take(Path root, DockerIgnore ignore, ContentHashCache hashes)
      throws IOException, DockerfileException {
    Path dir = root.toAbsolutePath().normalize();
    List<Entry> entries;
    // Directories are listed, stat'ed and their files hashed in parallel (a context of thousands of
    // files is mostly system calls and, on a first build, reading); the entries come back in the
    // sequential walk's order, so nothing below depends on the number of threads.
    Map<String, Digest> subtrees = new ConcurrentHashMap<>();
    ForkJoinPool pool = new ForkJoinPool(Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8)));
    try {
      entries = pool.invoke(new WalkDirectory(dir, "", ignore, hashes, subtrees));
    } catch (WalkFailure f) {
      Throwable cause = f.getCause();
      while (cause instanceof WalkFailure nested) { // a task's failure may come back wrapped by the pool
        cause = nested.getCause();
      }
      if (cause instanceof DockerfileException d) {
        throw d;
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      throw f;
    } finally {
      pool.shutdown();
    }
    List<FileTree.Node> nodes = new ArrayList<>(entries.size());
    Map<String, ContextFile> files = new HashMap<>(entries.size() * 4 / 3 + 16);
    int hashed = 0;
    for (Entry e : entries) {
      if (e.type() == FsEntry.Type.FILE) {
        if (e.read()) {
          hashed++;
        }
        hashes.record(e.path(), e.stat(), e.digest());
        files.put(e.path(), new ContextFile(e.path(), e.file(), e.stat(), e.digest()));
      }
      nodes.add(e.node());
    }
    FileTree tree = FileTree.inTreeOrder(nodes); // the walk's order is tree order
    // The hash cache's file and the context's digest are bookkeeping that only the end of the
    // build waits for: done on their own thread, beside the build's steps (the tree and the file
    // map are not changed after this point, only read).
    long now = System.currentTimeMillis();
    FutureTask<Digest> bookkeeping = new FutureTask<>(() -> {
      hashes.save(now);
      return digestOf(tree, files);
    });
    Thread worker = new Thread(bookkeeping, "jscan-context-digest");
    worker.setDaemon(true);
    worker.start();
    return new ContextSnapshot(dir, ignore, tree, files, bookkeeping, hashed, Map.copyOf(subtrees));
  }

  /** What the walk found at one path; {@code digest} and {@code read} for files, {@code linkTarget} for links. */
  private record Entry(String path, Path file, FsEntry.Type type, FileStat stat, Digest digest, boolean read, String linkTarget) {
    /** The tree's node for this entry: the one place context metadata is normalised (modes by {@link FileModes}, owner 0:0). */
    FileTree.Node node() {
      return switch (type) {
        case DIRECTORY -> FileTree.Node.directory(path, FileModes.DIRECTORY, 0, 0);
        case FILE -> new FileTree.Node(path, FsEntry.Type.FILE, FileModes.contextFile(stat.anyExecuteBit()), 0, 0, stat.size(),
            Optional.empty(), 0, 0, -1);
        case SYMLINK -> new FileTree.Node(path, FsEntry.Type.SYMLINK, FileModes.SYMLINK, 0, 0, 0, Optional.of(linkTarget), 0, 0, -1);
        default -> throw new IllegalStateException("unexpected entry type " + type);
      };
    }
  }

  /** Carries a checked exception out of a walking task. */
  private static final class WalkFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WalkFailure(Exception cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /** One directory: its entries, then each subdirectory's (walked as its own task), in tree order. */
  private static final class WalkDirectory extends RecursiveTask<List<Entry>> {
    private static final long serialVersionUID = 1L;
    private final transient Path dir;
    private final String rel;
    private final transient DockerIgnore ignore;
    private final transient ContentHashCache hashes;
    private final transient Map<String, Digest> subtrees;
    /** This directory's subtree digest once walked; null when it cannot stand for its listing. */
    private transient Digest subtree;

    WalkDirectory(Path dir, String rel, DockerIgnore ignore, ContentHashCache hashes, Map<String, Digest> subtrees) {
      this.dir = dir;
      this.rel = rel;
      this.ignore = ignore;
      this.hashes = hashes;
      this.subtrees = subtrees;
    }

    @Override
    protected List<Entry> compute() {
      try {
        return walk();
      } catch (IOException | DockerfileException e) {
        throw new WalkFailure(e);
      }
    }

    private List<Entry> walk() throws IOException, DockerfileException {
      // names, not Paths: a Path per entry, and its file name taken apart again for every
      // comparison of the sort, was most of an unchanged rebuild's walk
      String[] names = dir.toFile().list();
      if (names == null) {
        // File.list says only "no": ask again the way that says why (not a directory, permissions)
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
          listing.iterator().hasNext();
        }
        throw new IOException("cannot list the directory " + dir);
      }
      // listing order is the file system's: sort so that nothing below depends on it
      java.util.Arrays.sort(names, PathNames.TREE_ORDER);
      // each slot: an Entry, or a subdirectory's task (joined in order below)
      List<Object> slots = new ArrayList<>(names.length);
      for (String name : names) {
        Path child = dir.resolve(name);
        if (name.indexOf('\uFFFD') >= 0) {
          throw new IOException("cannot decode the file name " + child + " in this locale (sun.jnu.encoding="
              + System.getProperty("sun.jnu.encoding") + "); run jscan with a UTF-8 locale such as LANG=C.UTF-8");
        }
        String path = PathNames.join(rel, name);
        FileStat stat = FileStat.of(child);
        if (stat.isDirectory()) {
          if (ignore.canSkipDirectory(path)) {
            continue;
          }
          if (!ignore.isExcluded(path)) {
            slots.add(new Entry(path, child, FsEntry.Type.DIRECTORY, stat, null, false, null));
          }
          WalkDirectory sub = new WalkDirectory(child, path, ignore, hashes, subtrees);
          sub.fork();
          slots.add(sub);
        } else if (stat.isRegularFile()) {
          if (ignore.isExcluded(path)) {
            continue;
          }
          Digest d = hashes.lookup(path, stat).orElse(null);
          boolean read = d == null;
          if (read) {
            d = hash(child);
          }
          slots.add(new Entry(path, child, FsEntry.Type.FILE, stat, d, read, null));
        } else if (stat.isSymlink()) {
          if (ignore.isExcluded(path)) {
            continue;
          }
          slots.add(new Entry(path, child, FsEntry.Type.SYMLINK, stat, null, false, Files.readSymbolicLink(child).toString()));
        }
      }
      List<Entry> out = new ArrayList<>();
      // this directory's subtree digest: one line per direct child, as the tree will hold it
      SubtreeLines lines = new SubtreeLines();
      Entry dirEntry = null;
      for (Object slot : slots) {
        if (slot instanceof WalkDirectory sub) {
          List<Entry> below = sub.join();
          out.addAll(below);
          boolean listed = dirEntry != null && dirEntry.path().equals(sub.rel);
          if (listed && sub.subtree != null) {
            if (lines != null) {
              lines.add(dirEntry.node(), sub.subtree.toString());
            }
          } else if (listed || !below.isEmpty()) {
            // a directory whose own digest is missing, or an excluded one walked for what
            // .dockerignore lets back in (the tree implies it): no digest stands for the listing
            lines = null;
          }
          dirEntry = null;
        } else {
          Entry e = (Entry) slot;
          out.add(e);
          if (e.type() == FsEntry.Type.DIRECTORY) {
            dirEntry = e; // its line follows its walk
            continue;
          }
          if (lines != null) {
            lines.add(e.node(), e.type() == FsEntry.Type.FILE ? e.digest().toString() : e.linkTarget());
          }
        }
      }
      if (lines != null) {
        subtree = lines.digest();
        subtrees.put(rel, subtree);
      }
      return out;
    }
  }

  /**
   * The lines of a directory's subtree digest: for each direct child in tree order its node's path,
   * type, mode, owner, size and device numbers, then its content digest, link target
   * or, for a directory, that directory's own subtree digest; the fields a COPY's cache key lists
   * for each entry ({@code CopyFilesStep}), so the digest can stand for that listing.
   */
  private static final class SubtreeLines {
    private final MessageDigest md = Digest.sha256Digest();
    private final StringBuilder lines = new StringBuilder();

    void add(FileTree.Node n, String payload) {
      lines.append(n.path()).append('\0').append(n.type().name()).append('\0').append(Integer.toOctalString(n.mode())).append('\0')
          .append(n.uid()).append(':').append(n.gid()).append('\0').append(n.size()).append('\0')
          .append(n.devMajor()).append(',').append(n.devMinor()).append('\0').append(payload).append('\n');
      if (lines.length() >= 1 << 16) {
        md.update(lines.toString().getBytes(StandardCharsets.UTF_8));
        lines.setLength(0);
      }
    }

    Digest digest() {
      md.update(lines.toString().getBytes(StandardCharsets.UTF_8));
      return Digest.ofSha256(md.digest());
    }
  }

  /** One read buffer per walking thread. */
  private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(256 * 1024));

  private static Digest hash(Path file) throws IOException {
    MessageDigest md = Digest.sha256Digest();
    ByteBuffer buf = BUFFER.get();
    buf.clear();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      while (ch.read(buf) >= 0) {
        buf.flip();
        md.update(buf);
        buf.clear();
      }
    }
    return Digest.ofSha256(md.digest());
  }

  /** One line per entry in tree order: path, type, mode, size, content digest or link target. */
  private static Digest digestOf(FileTree tree, Map<String, ContextFile> files) {
    MessageDigest md = Digest.sha256Digest();
    // lines gathered into one buffer and hashed a block at a time (whole lines only, so the UTF-8
    // bytes are those of the lines one by one): one string and one hash update per line cost as
    // much as the rest of an unchanged rebuild's context step
    StringBuilder lines = new StringBuilder(1 << 17);
    for (FileTree.Node n : tree.subtree("")) {
      lines.append(n.path()).append('\0').append(n.type().name()).append('\0').append(Integer.toOctalString(n.mode())).append('\0')
          .append(n.size()).append('\0');
      switch (n.type()) {
        case FILE -> {
          Digest d = files.get(n.path()).digest();
          lines.append(d.algorithm()).append(':').append(d.encoded());
        }
        case SYMLINK -> lines.append(n.linkTarget().orElse(""));
        default -> { }
      }
      lines.append('\n');
      if (lines.length() >= 1 << 16) {
        md.update(lines.toString().getBytes(StandardCharsets.UTF_8));
        lines.setLength(0);
      }
    }
    md.update(lines.toString().getBytes(StandardCharsets.UTF_8));
    return Digest.ofSha256(md.digest());
  }

  /** How many files were read to hash them (the others' digests came from the cache). */
  public int hashedFiles() {
    return hashed;
  }

  /** How many regular files the context has. */
  public int fileCount() {
    return files.size();
  }

  /** The context directory (absolute). */
  public Path root() {
    return root;
  }

  /** The entries the build can see, with normalised metadata. */
  public FileTree tree() {
    return tree;
  }

  /** The regular file at {@code path}, if the context has one there. */
  public Optional<ContextFile> file(String path) {
    return Optional.ofNullable(files.get(path));
  }

  /**
   * The digest of the whole visible context (paths, types, modes, sizes, contents, link targets).
   * Waits for the snapshot's bookkeeping, which also writes the context hash cache: its failure
   * to write comes out here.
   */
  public Digest digest() throws IOException {
    try {
      return digest.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing the context");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("hashing the context: " + cause, cause);
    }
  }

  /**
   * The digest of everything below the directory {@code dir} (relative form, {@code ""} for the
   * root): the path, type, mode, owner, size and device numbers of each entry and the content
   * digests and link targets of its files and links, as a COPY of that directory's cache key would
   * list them. Made by the walk, on its threads. Empty when {@code dir} is not a directory of the
   * snapshot, or when .dockerignore took part of it out but let something below back in (the
   * directories the tree then implies are not the walk's): the caller lists the entries instead.
   */
  public Optional<Digest> subtreeDigest(String dir) {
    return Optional.ofNullable(subtrees.get(dir));
  }

  /** Whether something exists at {@code path} on disk but {@code .dockerignore} leaves it out (for messages). */
  public boolean isIgnoredOnDisk(String path) {
    try {
      return Files.exists(root.resolve(path), LinkOption.NOFOLLOW_LINKS) && ignore.isExcluded(path);
    } catch (DockerfileException | RuntimeException e) {
      return false;
    }
  }

  /** Reads a context file's first bytes (for archive detection). */
  public static byte[] head(ContextFile f, int n) throws IOException {
    try (InputStream in = Files.newInputStream(f.file(), LinkOption.NOFOLLOW_LINKS)) {
      return in.readNBytes(n);
    }
  }
}
