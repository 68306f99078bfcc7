package io.jscan.sbom.model;

import java.util.Optional;

/**
 * A file a package database says the package installed.
 *
 * @param path absolute path ({@code /usr/bin/apt})
 * @param digest the digest the database recorded, if any
 * @param configFile whether the database marks it as a configuration file (dpkg conffiles, rpm %config)
 */
public record OwnedFile(String path, Optional<FileDigest> digest, boolean configFile) implements Comparable<OwnedFile> {
  public OwnedFile {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("invalid owned file path: \"" + path + "\" (must be absolute)");
    }
  }

  public static OwnedFile of(String path) {
    return new OwnedFile(path, Optional.empty(), false);
  }

  @Override
  public int compareTo(OwnedFile o) {
    return path.compareTo(o.path);
  }
}
