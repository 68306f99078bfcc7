package io.jscan.verifier.files;

import java.util.Objects;

/**
 * One tar entry's metadata, exactly as the archive states it (PAX and GNU long names applied, the
 * name not normalised: {@code ./a}, {@code /abs} and {@code ../x} come through as written).
 *
 * @param name the entry name
 * @param type the type flag character ({@code '0'} file, {@code '5'} directory, {@code '2'} symlink...)
 * @param mode permission and special bits (07777)
 * @param size bytes of content that follow the header
 * @param linkName the link target of symlinks and hard links; empty string otherwise
 * @param offset where the header starts in the uncompressed stream
 */
public record TarHeader(String name, char type, int mode, long size, String linkName, long uid, long gid, int devMajor, int devMinor, long offset) {
  public TarHeader {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(linkName, "linkName");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }

  public boolean isDirectory() {
    return type == '5' || (type == '0' || type == '\0') && name.endsWith("/");
  }

  public boolean isSymlink() {
    return type == '2';
  }

  public boolean isHardLink() {
    return type == '1';
  }

  public boolean isCharDevice() {
    return type == '3';
  }

  public boolean isBlockDevice() {
    return type == '4';
  }

  public boolean isFifo() {
    return type == '6';
  }

  /** A regular file (including the old NUL type, contiguous files and GNU sparse files). */
  public boolean isRegularFile() {
    return !isDirectory() && (type == '0' || type == '\0' || type == '7' || type == 'S');
  }
}
