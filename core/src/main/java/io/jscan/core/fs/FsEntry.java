package io.jscan.core.fs;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One entry of an image's merged file system, as a layer's tar header gave it.
 *
 * @param path normalised: relative to the root, no leading {@code /} or {@code ./}, no trailing
 *     {@code /}, no {@code .} or {@code ..} components
 * @param linkTarget a symlink's target as written, or a hard link's target path (normalised like {@code path})
 * @param paxHeaders PAX extended headers other than those tar itself interprets (xattrs: {@code SCHILY.xattr.*})
 * @param layerIndex the layer it comes from, 0 for the first (lowest) layer in manifest order
 */
public record FsEntry(
    String path,
    Type type,
    int mode,
    long uid,
    long gid,
    String userName,
    String groupName,
    Instant modTime,
    long size,
    Optional<String> linkTarget,
    int devMajor,
    int devMinor,
    Map<String, String> paxHeaders,
    int layerIndex) {

  public FsEntry {
    if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException("invalid entry path: \"" + path + "\"");
    }
    paxHeaders = Collections.unmodifiableMap(new TreeMap<>(paxHeaders));
  }

  public enum Type {
    FILE,
    DIRECTORY,
    SYMLINK,
    HARDLINK,
    CHAR_DEVICE,
    BLOCK_DEVICE,
    FIFO
  }

  public boolean isDirectory() {
    return type == Type.DIRECTORY;
  }

  /** The last path component. */
  public String name() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
