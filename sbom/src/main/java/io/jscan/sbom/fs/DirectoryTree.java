package io.jscan.sbom.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A plain directory as a {@link FileTree}: an unpacked root file system (the conformance
 * fixtures, {@code jscan sbom dir:PATH}). It is one layer (index 0); content is read from disk on
 * demand, and symlinks are never followed out of the directory.
 */
public final class DirectoryTree implements FileTree {
  private final Path root;
  private final SortedMap<String, FileMeta> entries;
  private final Map<Selector, List<FileMeta>> selected = new IdentityHashMap<>();

  private DirectoryTree(Path root, SortedMap<String, FileMeta> entries) {
    this.root = root;
    this.entries = entries;
  }

  /** Indexes every entry under {@code root} (metadata only). */
  public static DirectoryTree open(Path root) throws IOException {
    Path dir = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory: " + root);
    }
    SortedMap<String, FileMeta> entries = new TreeMap<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            if (!d.equals(dir)) {
              add(d, attrs);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            add(f, attrs);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path f, IOException e) {
            return FileVisitResult.CONTINUE; // unreadable entries are skipped, like a scanner without permission
          }

          private void add(Path p, BasicFileAttributes attrs) {
            String rel = dir.relativize(p).toString().replace('\\', '/');
            FileMeta.Kind kind;
            Optional<String> link = Optional.empty();
            if (attrs.isSymbolicLink()) {
              kind = FileMeta.Kind.SYMLINK;
              try {
                link = Optional.of(Files.readSymbolicLink(p).toString());
              } catch (IOException e) {
                return;
              }
            } else if (attrs.isDirectory()) {
              kind = FileMeta.Kind.DIRECTORY;
            } else if (attrs.isRegularFile()) {
              kind = FileMeta.Kind.FILE;
            } else {
              kind = FileMeta.Kind.OTHER;
            }
            entries.put(rel, new FileMeta(rel, kind, kind == FileMeta.Kind.FILE ? attrs.size() : 0, mode(p), 0, link));
          }
        });
    return new DirectoryTree(dir, entries);
  }

  private static int mode(Path p) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      int mode = 0;
      for (PosixFilePermission perm : perms) {
        mode |= 1 << (8 - perm.ordinal());
      }
      return mode;
    } catch (IOException | UnsupportedOperationException e) {
      return 0644;
    }
  }

  @Override
  public String description() {
    return "directory " + root;
  }

  @Override
  public int layerCount() {
    return 1;
  }

  @Override
  public synchronized List<FileMeta> select(Selector selector) throws IOException {
    List<FileMeta> cached = selected.get(selector);
    if (cached != null) {
      return cached;
    }
    List<FileMeta> result = new ArrayList<>();
    for (FileMeta f : entries.values()) {
      if (selector.matches(f) && (selector.marker().isEmpty() || containsMarker(f, selector))) {
        result.add(f);
      }
    }
    List<FileMeta> copy = List.copyOf(result);
    selected.put(selector, copy);
    return copy;
  }

  private boolean containsMarker(FileMeta f, Selector selector) throws IOException {
    try (InputStream in = Files.newInputStream(root.resolve(f.path()))) {
      return MarkerScanner.copyAndScan(in, java.io.OutputStream.nullOutputStream(), selector.marker().orElseThrow(), selector.markerAlignment());
    }
  }

  @Override
  public Optional<FileMeta> stat(String path) {
    return Optional.ofNullable(entries.get(TreePaths.normalise(path)));
  }

  @Override
  public Content content(FileMeta file) throws IOException {
    if (!file.isRegular()) {
      throw new IOException("not a regular file: /" + file.path());
    }
    Path p = root.resolve(file.path());
    return new Content() {
      @Override
      public long size() {
        return file.size();
      }

      @Override
      public InputStream open() throws IOException {
        return Files.newInputStream(p);
      }

      @Override
      public Path file() {
        return p;
      }
    };
  }

  @Override
  public List<LayerVersion> history(FileMeta file) throws IOException {
    return List.of(new LayerVersion(0, content(file)));
  }

  @Override
  public void close() {}
}
