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
  private final Digest digest;
  private final int hashed;

  private ContextSnapshot(Path root, DockerIgnore ignore, FileTree tree, Map<String, ContextFile> files, Digest digest, int hashed) {
    this.root = root;
    this.ignore = ignore;
    this.tree = tree;
    this.files = files;
    this.digest = digest;
    this.hashed = hashed;
  }

  /**
   * Walks {@code root} with {@code ignore} applied.
   *
   * @throws IOException when the context cannot be read, or holds a file name the JVM cannot decode
   */
  public static ContextSnapshot take(Path root, DockerIgnore ignore, ContentHashCache hashes)
      throws IOException, DockerfileException {
    Path dir = root.toAbsolutePath().normalize();
    FileTree tree = new FileTree();
    Map<String, ContextFile> files = new HashMap<>();
    int[] hashed = new int[1];
    walk(dir, "", ignore, hashes, tree, files, hashed);
    hashes.save(System.currentTimeMillis());
    return new ContextSnapshot(dir, ignore, tree, files, digestOf(tree, files), hashed[0]);
  }

  private static void walk(Path dir, String rel, DockerIgnore ignore, ContentHashCache hashes, FileTree tree,
      Map<String, ContextFile> files, int[] hashed) throws IOException, DockerfileException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
      for (Path p : listing) {
        children.add(p);
      }
    }
    // listing order is the file system's: sort so that nothing below depends on it
    children.sort((a, b) -> PathNames.TREE_ORDER.compare(a.getFileName().toString(), b.getFileName().toString()));
    for (Path child : children) {
      String name = child.getFileName().toString();
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
          tree.put(FileTree.Node.directory(path, FileModes.DIRECTORY, 0, 0));
        }
        walk(child, path, ignore, hashes, tree, files, hashed);
      } else if (stat.isRegularFile()) {
        if (ignore.isExcluded(path)) {
          continue;
        }
        Digest d = hashes.lookup(path, stat).orElse(null);
        if (d == null) {
          d = hash(child);
          hashed[0]++;
        }
        hashes.record(path, stat, d);
        files.put(path, new ContextFile(path, child, stat, d));
        tree.put(new FileTree.Node(path, FsEntry.Type.FILE, FileModes.contextFile(stat.anyExecuteBit()), 0, 0, stat.size(),
            Optional.empty(), 0, 0, -1));
      } else if (stat.isSymlink()) {
        if (ignore.isExcluded(path)) {
          continue;
        }
        String target = Files.readSymbolicLink(child).toString();
        tree.put(new FileTree.Node(path, FsEntry.Type.SYMLINK, FileModes.SYMLINK, 0, 0, 0, Optional.of(target), 0, 0, -1));
      }
    }
  }

  /** One read buffer for the walk (a build snapshots on one thread). */
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
    for (FileTree.Node n : tree.subtree("")) {
      String what = switch (n.type()) {
        case FILE -> files.get(n.path()).digest().toString();
        case SYMLINK -> n.linkTarget().orElse("");
        default -> "";
      };
      String line = n.path() + "\0" + n.type() + "\0" + Integer.toOctalString(n.mode()) + "\0" + n.size() + "\0" + what + "\n";
      md.update(line.getBytes(StandardCharsets.UTF_8));
    }
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

  /** The digest of the whole visible context (paths, types, modes, sizes, contents, link targets). */
  public Digest digest() {
    return digest;
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
