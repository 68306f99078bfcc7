package io.jscan.sbom.fs;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A root file system to catalogue: an image's merged file system (whiteouts applied) or a plain
 * directory. Paths are relative and normalised ({@code var/lib/dpkg/status}).
 *
 * <p>Content is only promised for files some {@link Selector} given to the tree matched: an image
 * tree keeps nothing else, so catalogers declare what they read.
 *
 * <p>Implementations are safe for concurrent readers: a cataloger may build its packages on
 * several threads.
 */
public interface FileTree extends Closeable {

  /** What this tree is, for messages ("image sha256:…", "directory /tmp/rootfs"). */
  String description();

  /** Number of layers; a directory is one. */
  int layerCount();

  /** The files {@code selector} matches, sorted by path. */
  List<FileMeta> select(Selector selector) throws IOException;

  /** The entry at {@code path} itself (a symlink is not followed). */
  Optional<FileMeta> stat(String path);

  /** The content of a regular file (or of a hard link's target) that a selector matched. */
  Content content(FileMeta file) throws IOException;

  /**
   * Every copy of a {@linkplain Selector#versioned() versioned} file, the visible one first, then
   * those lower layers wrote, top down. A directory has only the visible one.
   */
  List<LayerVersion> history(FileMeta file) throws IOException;

  default InputStream open(FileMeta file) throws IOException {
    return content(file).open();
  }

  /**
   * The entry {@code path} names once symlinks are followed, in any component (at most 40 links,
   * as Linux allows); empty when a component is missing or the links loop.
   */
  default Optional<FileMeta> resolve(String path) {
    return TreePaths.resolve(this, path);
  }
}
