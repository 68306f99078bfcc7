package io.jscan.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarFormatException;
import io.jscan.core.tar.TarReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * The differential oracle for tar: a small lister written against Go's {@code archive/tar} (the
 * reader containerd, Docker and podman use; source in core's test resources,
 * {@code go-tar-lister/main.go}) and the same listing made with jscan's {@link TarReader}, so a
 * test can check that both see the same entries. The lister is built with the machine's Go (standard
 * library only, offline) into the repository's {@code target/go-tar-lister/}, once per source version.
 */
public final class GoTar {
  private GoTar() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();
  private static Path binary;

  /** One entry as a reader saw it; strings decoded the way jscan decodes them, so both sides compare exactly. */
  public record Entry(
      String name, String linkName, int type, long mode, long uid, long gid, String userName, String groupName, long size,
      long mtimeSeconds, int mtimeNanos, long devMajor, long devMinor, Map<String, String> xattrsHex, String sha256) {}

  /** What a reader made of a tar stream: its entries up to the end, or up to the error it stopped at. */
  public record Listing(List<Entry> entries, Optional<String> error) {
    public boolean failed() {
      return error.isPresent();
    }
  }

  /** The lister's path, built on first use; a missing {@code go} skips the test (fails it when CI=true). */
  public static synchronized Path lister() throws Exception {
    if (binary != null) {
      return binary;
    }
    Path go = ExternalTool.require("go");
    byte[] source;
    try (InputStream in = GoTar.class.getResourceAsStream("/go-tar-lister/main.go")) {
      Assertions.assertNotNull(in, "go-tar-lister/main.go is not on the test classpath (core's test resources)");
      source = in.readAllBytes();
    }
    String version = HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(source)).substring(0, 16);
    Path dir = RepoPaths.repoRoot().resolve("target").resolve("go-tar-lister");
    Files.createDirectories(dir);
    Path out = dir.resolve("go-tar-lister-" + version);
    try (FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      if (!Files.isExecutable(out)) {
        Path src = dir.resolve("src-" + version);
        Files.createDirectories(src);
        Files.write(src.resolve("main.go"), source);
        Path tmp = dir.resolve("go-tar-lister-" + version + ".tmp");
        ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", tmp.toString(), "main.go")
            .directory(src.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("build.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("GOCACHE", dir.resolve("cache").toString());
        env.put("GOPATH", dir.resolve("gopath").toString());
        env.put("GOPROXY", "off");
        env.put("GOFLAGS", "");
        env.put("GO111MODULE", "off"); // one file, standard library only: no module, nothing to fetch
        env.put("GOTOOLCHAIN", "local");
        env.put("CGO_ENABLED", "0");
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          Assertions.fail("go build of the tar lister timed out");
        }
        Assertions.assertEquals(0, p.exitValue(), () -> "go build failed: " + read(dir.resolve("build.log")));
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    binary = out;
    return out;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Lists {@code tar} (a file) with both readers and asserts that both read it and see the same entries. */
  public static void assertSameAsGo(String label, Path tar) throws Exception {
    Listing go = go(tar);
    Listing jscan;
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(tar), 65536)) {
      jscan = jscan(in);
    }
    Assertions.assertFalse(go.failed(), () -> label + ": Go failed: " + go.error().get());
    Assertions.assertFalse(jscan.failed(), () -> label + ": jscan failed where Go did not: " + jscan.error().get());
    Assertions.assertEquals(go.entries(), jscan.entries(), label + ": the entries differ");
  }

  /** Go's listing of the tar in {@code file}. */
  public static Listing go(Path file) throws Exception {
    Process p = new ProcessBuilder(lister().toString(), file.toString()).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      Assertions.fail("the Go tar lister did not finish on " + file);
    }
    Assertions.assertEquals(0, p.exitValue(), () -> "the Go tar lister failed: " + new String(output, StandardCharsets.UTF_8));
    List<Entry> entries = new ArrayList<>();
    for (String line : new String(output, StandardCharsets.UTF_8).split("\n")) {
      JsonNode n = JSON.readTree(line);
      if (n.has("end")) {
        return new Listing(entries, Optional.empty());
      }
      if (n.has("error")) {
        return new Listing(entries, Optional.of(n.get("error").asText()));
      }
      Map<String, String> xattrs = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.get("xattrs").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> x = it.next();
        xattrs.put(text(x.getKey()), x.getValue().asText());
      }
      entries.add(new Entry(
          text(n.get("name").asText()), text(n.get("linkname").asText()), n.get("typeflag").asInt(), n.get("mode").asLong(),
          n.get("uid").asLong(), n.get("gid").asLong(), text(n.get("uname").asText()), text(n.get("gname").asText()),
          n.get("size").asLong(), n.get("mtime_sec").asLong(), n.get("mtime_nsec").asInt(), n.get("devmajor").asLong(),
          n.get("devminor").asLong(), xattrs, n.get("sha256").asText()));
    }
    Assertions.fail("the Go tar lister's output has no end line: " + new String(output, StandardCharsets.UTF_8));
    return null;
  }

  /** Go's listing of {@code tar}. */
  public static Listing go(byte[] tar) throws Exception {
    Path f = Files.createTempFile("go-tar-", ".tar");
    try {
      Files.write(f, tar);
      return go(f);
    } finally {
      Files.deleteIfExists(f);
    }
  }

  /** Go's bytes hex-encoded, decoded as jscan decodes names (UTF-8, malformed input replaced). */
  private static String text(String hex) {
    return new String(HEX.parseHex(hex), StandardCharsets.UTF_8);
  }

  /** jscan's listing of {@code tar}, read by {@link TarReader} with every file's content read and hashed. */
  public static Listing jscan(byte[] tar) throws IOException {
    return jscan(new ByteArrayInputStream(tar));
  }

  public static Listing jscan(InputStream in) throws IOException {
    return jscan(new TarReader(in));
  }

  /** jscan's listing of what {@code reader} reads. */
  public static Listing jscan(TarReader reader) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try {
      for (Optional<TarEntry> next; (next = reader.next()).isPresent(); ) {
        TarEntry e = next.get();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        InputStream content = reader.content();
        for (int n; (n = content.read(buf)) >= 0; ) {
          sha.update(buf, 0, n);
        }
        Map<String, String> xattrs = new TreeMap<>();
        e.xattrs().forEach((k, v) -> xattrs.put(k, HEX.formatHex(v)));
        entries.add(new Entry(e.name(), e.linkName(), e.type(), e.mode(), e.uid(), e.gid(), e.userName(), e.groupName(),
            e.size(), e.mtimeSeconds(), e.mtimeNanos(), e.devMajor(), e.devMinor(), xattrs, HEX.formatHex(sha.digest())));
      }
      return new Listing(entries, Optional.empty());
    } catch (TarFormatException e) {
      return new Listing(entries, Optional.of(e.getMessage()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
