package io.jscan.builder.layer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Where a regular file's bytes come from when its layer is written; opened once per write. */
@FunctionalInterface
public interface ContentSource {
  InputStream open() throws IOException;

  static ContentSource ofBytes(byte[] content) {
    byte[] copy = content.clone();
    return () -> new ByteArrayInputStream(copy);
  }

  /** A file on disk, never through a symbolic link (the builder resolves links itself). */
  static ContentSource ofFile(Path file) {
    return () -> Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
  }
}
