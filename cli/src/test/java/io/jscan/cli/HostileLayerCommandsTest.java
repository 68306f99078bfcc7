package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.cli.VerifyCommandTest.Result;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.Platform;
import io.jscan.core.tar.TarEntry;
import io.jscan.core.tar.TarReader;
import io.jscan.core.testing.HostileTar;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.dockerarchive.DockerArchiveWriter;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.TestImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: every command reads a layer as the runtime that will run it does (Go's archive/tar, as
 * containerd, Docker and podman use it), so a tar that readers disagree on can hide nothing from
 * verify, sbom or build, and a docker-archive that readers disagree on is refused by verify and load.
 */
class HostileLayerCommandsTest {
  @TempDir Path tmp;
  private final Map<String, String> env = new HashMap<>(Map.of("SOURCE_DATE_EPOCH", "1700000000"));

  @BeforeEach
  void useTempStore() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  private Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    Result r = new Result(code, out.toString(), err.toString());
    VerifyCommandTest.assertNoStackTrace(r);
    return r;
  }

  static final byte[] HIDDEN = "\177ELF hidden setuid binary".getBytes(StandardCharsets.US_ASCII);

  /**
   * A layer whose global PAX header sets {@code size}: GNU tar, libarchive and Commons Compress
   * apply it to "decoy" and read "usr/bin/hidden" (setuid root) and the dpkg status after it as
   * decoy's content, and see nothing else; containerd, Docker and podman extract all of them.
   */
  static byte[] globalHeaderLayer() {
    String status = "Package: hidden-pkg\nStatus: install ok installed\nArchitecture: amd64\nVersion: 6.6.6\nDescription: hidden\n";
    return HostileTar.tar()
        .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        // ten blocks: decoy's data, the headers and data of everything after it up to the end marker
        .globalPax(HostileTar.records("size", "5120", "uid", "0", "gid", "0"))
        .file("decoy", "x")
        .dir("usr").dir("usr/bin")
        .file("usr/bin/hidden", 04755, HIDDEN)
        .dir("var").dir("var/lib").dir("var/lib/dpkg")
        .file("var/lib/dpkg/status", 0644, status.getBytes(StandardCharsets.US_ASCII))
        .end().build();
  }

  private TamperedLayout hostileImage() throws Exception {
    Image image = TestImage.image().label("maintainer", "tests").user("1000")
        .layer(RawTar.tar().dir("etc").file("etc/passwd", "root:x:0:0::/root:/bin/sh\n").build())
        .layer(globalHeaderLayer())
        .build();
    return TamperedLayout.write(image, tmp.resolve("layout"));
  }

  @Test
  void verifyStrict_setuidHiddenBehindAGlobalPaxHeader_isFoundAndTheHeaderFailsIntegrity() throws Exception {
    TamperedLayout layout = hostileImage();
    Result r = jscan("verify", layout.reference(), "--policy", "strict", "--output", "json");
    assertEquals(4, r.code(), r.out() + r.err());
    JsonNode report = r.json();
    JsonNode setuid = VerifyCommandTest.finding(report, "no-setuid", "setuid file (mode 4755)");
    assertEquals("/usr/bin/hidden", setuid.get("location").get("path").asText());
    assertEquals(2, setuid.get("location").get("layer").asInt());
    JsonNode header = VerifyCommandTest.finding(report, "integrity", "global PAX header at byte 1024 sets gid, size, uid");
    assertEquals(2, header.get("location").get("layer").asInt());
    assertTrue(header.get("blocking").asBoolean());

    Result text = jscan("verify", layout.reference(), "--policy", "strict");
    assertEquals(4, text.code());
    assertTrue(text.out().contains("/usr/bin/hidden"), text.out());
  }

  @Test
  void sbom_packageDatabaseHiddenBehindAGlobalPaxHeader_isCatalogued() throws Exception {
    TamperedLayout layout = hostileImage();
    Result r = jscan("sbom", layout.reference());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("hidden-pkg +6\\.6\\.6 +deb +2")), r.out());
  }

  @Test
  void build_fromAnImageWithAGlobalPaxHeader_copiesTheFileTheRuntimeExtracts() throws Exception {
    TamperedLayout layout = hostileImage();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + layout.reference() + " AS base\n"
        + "FROM scratch\n"
        + "COPY --from=base /usr/bin/hidden /copied\n");
    Result r = jscan("build", "-q", "-t", "copied:1", ctx.toString());
    assertEquals(0, r.code(), r.err());
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      Artifact artifact = store.read(StoreReference.byName(ImageName.parse("copied:1")));
      Image image = (Image) artifact;
      Layer only = image.layers().get(image.layers().size() - 1);
      try (InputStream in = only.openUncompressed()) {
        TarReader reader = new TarReader(in);
        TarEntry copied = reader.next().orElseThrow();
        assertEquals("copied", copied.name());
        assertEquals(04755, copied.permissions(), "COPY keeps the mode");
        assertEquals(new String(HIDDEN, StandardCharsets.US_ASCII), new String(reader.content().readAllBytes(), StandardCharsets.US_ASCII));
      }
    }
  }

  /** A docker-archive of a plain image whose manifest.json is written twice, the second naming another tag. */
  private Path archiveWithDuplicatedMember() throws Exception {
    Path good = tmp.resolve("good.tar");
    Image image = TestImage.image().label("maintainer", "tests").user("1000")
        .layer(RawTar.tar().dir("etc").file("etc/os-release", "ID=test\n").build()).build();
    DockerArchiveWriter.write(good, List.of(new DockerArchiveWriter.Item(image, List.of(ImageName.parse("app:1")))),
        Platform.LINUX_AMD64);
    HostileTar out = HostileTar.tar();
    TarReader reader = new TarReader(new ByteArrayInputStream(Files.readAllBytes(good)));
    String manifest = null;
    for (Optional<TarEntry> next; (next = reader.next()).isPresent(); ) {
      TarEntry e = next.get();
      if (e.isDirectory()) {
        out.dir(e.name());
        continue;
      }
      byte[] content = reader.content().readAllBytes();
      out.file(e.name(), 0644, content);
      if (e.name().equals("manifest.json")) {
        manifest = new String(content, StandardCharsets.UTF_8);
      }
    }
    out.file("manifest.json", manifest.replace("app:1", "other:2"));
    Path twice = tmp.resolve("twice.tar");
    Files.write(twice, out.end().build());
    return twice;
  }

  @Test
  void verifyAndLoad_dockerArchiveWithADuplicatedMember_bothRefuseWithExit4() throws Exception {
    Path archive = archiveWithDuplicatedMember();
    Result verify = jscan("verify", "docker-archive:" + archive);
    assertEquals(4, verify.code(), verify.out() + verify.err());
    assertTrue(verify.err().contains("member manifest.json appears twice in the archive"), verify.err());
    Result load = jscan("load", "-i", archive.toString());
    assertEquals(4, load.code(), load.out() + load.err());
    assertEquals("jscan: docker archive " + archive + ": member manifest.json appears twice in the archive: docker load keeps"
        + " the last copy, other readers the first", load.err().strip());
    Result images = jscan("images");
    assertEquals(1, images.out().lines().count(), "nothing loaded: " + images.out());
  }
}
