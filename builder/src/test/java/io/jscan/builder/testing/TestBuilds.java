package io.jscan.builder.testing;

import io.jscan.builder.BuildRequest;
import io.jscan.builder.BuildResult;
import io.jscan.builder.Builder;
import io.jscan.builder.SourceDateEpoch;
import io.jscan.core.JscanException;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.transport.store.LocalStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Helpers for builder tests: contexts written from explicit values, builds into a temp store, layer listings. */
public final class TestBuilds {
  private TestBuilds() {}

  /** The fixed SOURCE_DATE_EPOCH of the tests and the golden digest (2023-11-14T22:13:20Z). */
  public static final long EPOCH = 1_700_000_000L;

  /** Writes {@code files} (path → content; a content starting with "-> " makes a symlink) under {@code dir}. */
  public static Path context(Path dir, Map<String, String> files) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String> e : new TreeMap<>(files).entrySet()) {
      Path p = dir.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      if (e.getValue().startsWith("-> ")) {
        Files.createSymbolicLink(p, Path.of(e.getValue().substring(3)));
      } else if (e.getKey().endsWith("/")) {
        Files.createDirectories(p);
      } else {
        Files.writeString(p, e.getValue());
      }
    }
    return dir;
  }

  public static void makeExecutable(Path file) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  public static BuildRequest request(Path context) {
    return BuildRequest.of(context).withSourceDateEpoch(new SourceDateEpoch(EPOCH, "test"));
  }

  public static BuildResult build(LocalStore store, BuildRequest request) throws JscanException {
    return Builder.withStore(store, line -> {}).build(request);
  }

  /** A one-line description per tar entry of a layer: "type mode uid:gid size mtime path[ -> link]". */
  public static List<String> listing(io.jscan.core.image.Layer layer) throws Exception {
    List<String> out = new ArrayList<>();
    try (InputStream in = layer.openUncompressed(); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        String type = e.isDirectory() ? "d" : e.isSymbolicLink() ? "l" : e.isLink() ? "h" : "f";
        out.add(type + " " + Integer.toOctalString(e.getMode() & 07777) + " " + e.getLongUserId() + ":" + e.getLongGroupId() + " "
            + e.getSize() + " " + e.getModTime().toInstant().getEpochSecond() + " " + e.getName()
            + (e.isSymbolicLink() || e.isLink() ? " -> " + e.getLinkName() : ""));
      }
    }
    return out;
  }

  /** The content of one file of a layer. */
  public static String content(io.jscan.core.image.Layer layer, String name) throws Exception {
    try (InputStream in = layer.openUncompressed(); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        if (e.getName().equals(name)) {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          tar.transferTo(b);
          return b.toString(StandardCharsets.UTF_8);
        }
      }
    }
    throw new AssertionError(name + " not in the layer");
  }

  /** Every file under a directory with its size and mtime: to show that nothing was written. */
  public static List<String> fileList(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted().toList()) {
        if (p.toString().contains("/.jscan/tmp/")) {
          continue; // per-process temp directories come and go with each process
        }
        out.add(root.relativize(p) + " " + (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            ? Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis() : "dir"));
      }
    }
    return out;
  }

  public static Compression gzip() {
    return Compression.GZIP;
  }
}
