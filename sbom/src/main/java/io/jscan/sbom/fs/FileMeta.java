package io.jscan.sbom.fs;

import java.util.Optional;

/**
 * One entry of a {@link FileTree}: what a tar header or an lstat says, plus the layer that last
 * wrote it.
 *
 * @param path relative to the root, normalised: no leading {@code /}, no {@code .} or {@code ..}
 * @param size content length of a regular file, 0 otherwise
 * @param mode permission bits ({@code 07777})
 * @param layer index of the layer the entry comes from, 0 for the lowest (a directory is one layer)
 * @param linkTarget a symlink's target as written, or a hard link's target path (normalised)
 */
public record FileMeta(String path, Kind kind, long size, int mode, int layer, Optional<String> linkTarget) {
  public enum Kind {
    FILE,
    DIRECTORY,
    SYMLINK,
    HARDLINK,
    OTHER
  }

  public FileMeta {
    if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException("invalid file path \"" + path + "\"");
    }
    if (kind == null || size < 0 || layer < 0) {
      throw new IllegalArgumentException("invalid file entry " + path);
    }
    if ((kind == Kind.SYMLINK || kind == Kind.HARDLINK) != linkTarget.isPresent()) {
      throw new IllegalArgumentException("link target must be given exactly for links: " + path);
    }
  }

  /** {@code /path}, as SBOMs name files. */
  public String absolutePath() {
    return "/" + path;
  }

  /** The last path component. */
  public String name() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  /** Whether content can be read: a regular file or a hard link to one. */
  public boolean isRegular() {
    return kind == Kind.FILE || kind == Kind.HARDLINK;
  }

  public boolean isExecutable() {
    return isRegular() && (mode & 0111) != 0;
  }
}
