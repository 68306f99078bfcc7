package io.jscan.sbom.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** A file's bytes, opened on demand: kept in memory, in a temp file, or on disk where it lives. */
public interface Content {
  long size();

  InputStream open() throws IOException;

  /**
   * The content as a file on disk, for readers that need one (SQLite). The path stays valid until
   * the tree is closed; callers must not modify it.
   */
  Path file() throws IOException;

  default byte[] readAll() throws IOException {
    try (InputStream in = open()) {
      return in.readAllBytes();
    }
  }
}
