package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.listing;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import com.sun.net.httpserver.HttpServer;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.transport.store.LocalStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** ADD: local tar archives extracted whatever their compression, URLs only with a checksum. */
class AddInstructionTest {
  @TempDir Path tmp;
  LocalStore store;

  @BeforeEach
  void open() throws Exception {
    store = LocalStore.open(tmp.resolve("home"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Recipe: a tar with a directory, a file owned by 1000:1000 with mode 0700, a symlink and a hard link. */
  static byte[] tar() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry dir = new TarArchiveEntry("pkg/", TarConstants.LF_DIR);
      dir.setMode(040755);
      tar.putArchiveEntry(dir);
      tar.closeArchiveEntry();
      byte[] content = "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry file = new TarArchiveEntry("pkg/run");
      file.setMode(0100700);
      file.setIds(1000, 1000);
      file.setSize(content.length);
      file.setModTime(FileTime.from(Instant.parse("2011-01-01T00:00:00Z")));
      tar.putArchiveEntry(file);
      tar.write(content);
      tar.closeArchiveEntry();
      TarArchiveEntry link = new TarArchiveEntry("pkg/latest", TarConstants.LF_SYMLINK);
      link.setLinkName("run");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
      TarArchiveEntry hard = new TarArchiveEntry("pkg/again", TarConstants.LF_LINK);
      hard.setLinkName("pkg/run");
      hard.setMode(0100700);
      tar.putArchiveEntry(hard);
      tar.closeArchiveEntry();
      tar.finish();
    }
    return bytes.toByteArray();
  }

  static byte[] compress(byte[] data, Function<OutputStream, OutputStream> with) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream c = with.apply(out)) {
      c.write(data);
    }
    return out.toByteArray();
  }

  static OutputStream unchecked(java.util.concurrent.Callable<OutputStream> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void add_localTarArchive_isExtractedWhateverItsCompression() throws Exception {
    byte[] tar = tar();
    Map<String, byte[]> archives = Map.of(
        "plain.tar", tar,
        "a.tar.gz", compress(tar, o -> unchecked(() -> new GZIPOutputStream(o))),
        "a.tar.bz2", compress(tar, o -> unchecked(() -> new BZip2CompressorOutputStream(o))),
        "a.tar.xz", compress(tar, o -> unchecked(() -> new XZOutputStream(o, new LZMA2Options()))),
        "a.tar.zst", compress(tar, o -> unchecked(() -> new ZstdOutputStream(o))));
    for (Map.Entry<String, byte[]> a : archives.entrySet()) {
      Path ctx = Files.createDirectories(tmp.resolve("ctx-" + a.getKey()));
      Files.write(ctx.resolve(a.getKey()), a.getValue());
      Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD " + a.getKey() + " /opt\n");
      Image image = TestBuilds.build(store, request(ctx)).image();
      assertEquals(List.of(
          "d 755 0:0 0 1700000000 opt/",
          "d 755 0:0 0 1700000000 opt/pkg/",
          "f 700 1000:1000 10 1700000000 opt/pkg/again",
          "l 777 0:0 0 1700000000 opt/pkg/latest -> run",
          "h 700 1000:1000 0 1700000000 opt/pkg/run -> opt/pkg/again"), listing(image.layers().get(0)), a.getKey());
    }
  }

  @Test
  void add_compressedFileThatIsNotATar_isCopiedAsItIs_andUnpackFalseKeepsArchives() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    byte[] gz = compress("just text\n".getBytes(StandardCharsets.UTF_8), o -> unchecked(() -> new GZIPOutputStream(o)));
    Files.write(ctx.resolve("notes.txt.gz"), gz);
    Files.write(ctx.resolve("keep.tar"), tar());
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD notes.txt.gz /n/\nADD --unpack=false keep.tar /k/\n");
    Image image = TestBuilds.build(store, request(ctx)).image();
    assertEquals(List.of("d 755 0:0 0 1700000000 n/", "f 644 0:0 " + gz.length + " 1700000000 n/notes.txt.gz"),
        listing(image.layers().get(0)));
    assertEquals(List.of("d 755 0:0 0 1700000000 k/", "f 644 0:0 " + tar().length + " 1700000000 k/keep.tar"),
        listing(image.layers().get(1)));
  }

  @Test
  void add_urlWithChecksum_downloadsOnceAndPinsTheContent() throws Exception {
    byte[] body = "downloaded payload\n".getBytes(StandardCharsets.UTF_8);
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/files/tool.bin", exchange -> {
      requests.incrementAndGet();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/tool.bin";
      Path ctx = Files.createDirectories(tmp.resolve("ctx"));
      Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD --checksum=" + Digest.sha256(body) + " " + url + " /opt/\n");
      BuildResult first = TestBuilds.build(store, request(ctx));
      assertEquals(List.of("d 755 0:0 0 1700000000 opt/", "f 600 0:0 " + body.length + " 1700000000 opt/tool.bin"),
          listing(first.image().layers().get(0)));
      BuildResult again = TestBuilds.build(store, request(ctx));
      assertEquals(first.manifestDigest(), again.manifestDigest());
      assertEquals(1, requests.get(), "a cached layer is keyed by the checksum: no second download");

      Path bad = Files.createDirectories(tmp.resolve("bad"));
      Files.writeString(bad.resolve("Dockerfile"), "FROM scratch\nADD --checksum=" + Digest.sha256("other") + " " + url + " /opt/\n");
      BuildException e = assertThrows(BuildException.class, () -> TestBuilds.build(store, request(bad)));
      assertEquals(FailureKind.INTEGRITY, e.kind());
      assertTrue(e.getMessage().startsWith("Dockerfile:2: ADD " + url + ": checksum mismatch"), e.getMessage());
    } finally {
      server.stop(0);
    }
  }
}
