package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.Conformance;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jscan sbom} through {@link Jscan#run}. */
class SbomCommandTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void useTempStore() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  static Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** An OCI layout holding a Debian-like image: os-release, a dpkg status with two packages, a bad jar. */
  private Path layout() throws Exception {
    String status = "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\nDescription: base\n\n"
        + "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\nDepends: base-files\nDescription: libc\n";
    byte[] tar = TarBuilder.tar()
        .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        .file("var/lib/dpkg/status", status)
        .file("opt/app/broken.jar", "this is not a zip")
        .build();
    Image image = ImageBuilder.fromScratch(Platform.LINUX_AMD64)
        .created(Instant.parse("2024-01-02T03:04:05Z"))
        .addLayer(Layers.compress(tar, Compression.GZIP), new History(Optional.empty(), Optional.of("ADD rootfs"), Optional.empty(), Optional.empty(), false))
        .build();
    Path dir = tmp.resolve("layout");
    OciLayout.create(dir).write(image, Optional.of("test"));
    return dir;
  }

  @Test
  void sbom_ociLayoutAsTable_listsPackagesWithLayers() throws Exception {
    Path dir = layout();
    Result r = jscan("sbom", "oci:" + dir + ":test");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).matches("NAME +VERSION +TYPE +LAYER"), lines.get(0));
    assertTrue(lines.get(1).matches("base-files +12\\.4 +deb +1"), lines.get(1));
    assertTrue(lines.get(2).matches("libc6 +2\\.36-9 +deb +1"), lines.get(2));
    assertEquals(3, lines.size(), r.out());
    assertTrue(r.err().contains("jscan: warning: /opt/app/broken.jar: not a zip archive"), r.err());
  }

  /**
   * The layer a package came from has the number {@code jscan verify}'s tree and findings give
   * that layer (from 1), in the table and in both JSON formats (the table said 0 for the first).
   */
  @Test
  void sbom_layerNumbers_areThoseVerifyShows_inTableAndJson() throws Exception {
    byte[] base = TarBuilder.tar().dir("etc").file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n").build();
    byte[] packages = TarBuilder.tar().dir("var").dir("var/lib").dir("var/lib/dpkg")
        .file("var/lib/dpkg/status", "Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-0\nDescription: tz\n")
        .build();
    Image image = ImageBuilder.fromScratch(Platform.LINUX_AMD64)
        .addLayer(Layers.compress(base, Compression.GZIP), new History(Optional.empty(), Optional.of("ADD os /"), Optional.empty(), Optional.empty(), false))
        .addLayer(Layers.compress(packages, Compression.GZIP), new History(Optional.empty(), Optional.of("RUN install tzdata"), Optional.empty(), Optional.empty(), false))
        .build();
    Path dir = tmp.resolve("two-layers");
    OciLayout.create(dir).write(image, Optional.of("t"));
    String ref = "oci:" + dir + ":t";
    String diffId = image.layers().get(1).diffId().toString();

    Result verify = jscan("verify", ref);
    assertTrue(verify.out().contains("└── ✔ 2  " + image.layers().get(1).descriptor().digest().algorithm() + ":"
        + image.layers().get(1).descriptor().digest().shortHex()), verify.out());
    assertTrue(verify.out().contains("RUN install tzdata"), verify.out());

    Result table = jscan("sbom", ref);
    assertEquals(0, table.code(), table.err());
    assertTrue(table.out().lines().anyMatch(l -> l.matches("tzdata +2024a-0 +deb +2")), table.out());

    JsonNode cdx = new ObjectMapper().readTree(jscan("sbom", ref, "--format", "cyclonedx-json").out());
    JsonNode tz = cdx.get("components").findParents("name").stream().filter(c -> c.get("name").asText().equals("tzdata")).findFirst().orElseThrow();
    List<String> props = new java.util.ArrayList<>();
    tz.get("properties").forEach(x -> props.add(x.get("name").asText() + "=" + x.get("value").asText()));
    assertTrue(props.contains("jscan:layer:number=2"), props.toString());
    assertTrue(props.contains("jscan:layer:diffId=" + diffId), props.toString());
    List<String> imageProps = new java.util.ArrayList<>();
    cdx.at("/metadata/component/properties").forEach(x -> imageProps.add(x.get("name").asText() + "=" + x.get("value").asText()));
    assertTrue(imageProps.contains("jscan:layer:2:diffId=" + diffId), imageProps.toString());

    JsonNode spdx = new ObjectMapper().readTree(jscan("sbom", ref, "--format", "spdx-json").out());
    JsonNode spdxTz = spdx.get("packages").findParents("name").stream().filter(c -> c.get("name").asText().equals("tzdata")).findFirst().orElseThrow();
    assertTrue(spdxTz.get("sourceInfo").asText().endsWith("introduced by layer 2 (" + diffId + ")"), spdxTz.toString());
  }

  @Test
  void sbom_cycloneDxToFile_writesTheDocumentAtomicallyAndReproducibly() throws Exception {
    Path dir = layout();
    Path out1 = tmp.resolve("out/one.cdx.json");
    Path out2 = tmp.resolve("out/two.cdx.json");
    Result r1 = jscan("sbom", "oci:" + dir + ":test", "--format", "cyclonedx-json", "--output-file", out1.toString());
    Result r2 = jscan("sbom", "oci:" + dir + ":test", "--format", "cyclonedx-json", "--output-file", out2.toString());
    assertEquals(0, r1.code(), r1.err());
    assertEquals(0, r2.code(), r2.err());
    assertEquals("", r1.out());
    assertEquals(Files.readString(out1), Files.readString(out2));
    JsonNode doc = new ObjectMapper().readTree(out1.toFile());
    assertEquals("1.6", doc.get("specVersion").asText());
    assertEquals("2024-01-02T03:04:05Z", doc.at("/metadata/timestamp").asText());
    assertEquals(3, doc.get("components").size(), "the OS and two packages");
    try (var files = Files.list(out1.getParent())) {
      assertEquals(List.of("one.cdx.json", "two.cdx.json"), files.map(p -> p.getFileName().toString()).sorted().toList(), "no temp files left");
    }
  }

  @Test
  void sbom_spdxOfDirectory_namesTheDirectory() throws Exception {
    Path rootfs = Conformance.dir("sbom-fixtures").resolve("dpkg/image-dpkg");
    Result r = jscan("sbom", "dir:" + rootfs, "--format", "spdx-json");
    assertEquals(0, r.code(), r.err());
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertEquals("SPDX-2.3", doc.get("spdxVersion").asText());
    assertEquals(rootfs.toString(), doc.get("name").asText());
    assertTrue(r.out().contains("pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all&distro=debian-12&upstream=pam"));
  }

  @Test
  void sbom_imageOfAnotherPlatform_isCataloguedUnlessAnotherPlatformIsAsked() throws Exception {
    byte[] tar = TarBuilder.tar().file("lib/apk/db/installed", "P:musl\nV:1.2.4-r2\nA:aarch64\n\n").build();
    Image arm = ImageBuilder.fromScratch(Platform.parse("linux/arm64"))
        .addLayer(Layers.compress(tar, Compression.GZIP), new History(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false))
        .build();
    Path dir = tmp.resolve("arm");
    OciLayout.create(dir).write(arm, Optional.of("arm"));
    Result r = jscan("sbom", "oci:" + dir + ":arm");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("musl"), r.out());
    Result wrong = jscan("sbom", "oci:" + dir + ":arm", "--platform", "linux/s390x");
    assertEquals(2, wrong.code(), wrong.err());
    assertTrue(wrong.err().contains("linux/arm64"), "names the platform that is there: " + wrong.err());
  }

  @Test
  void sbom_missingLayout_isBadInputOnOneLine() {
    Result r = jscan("sbom", "oci:" + tmp.resolve("nope") + ":x");
    assertEquals(2, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("jscan: "), r.err());
  }

  @Test
  void sbom_unknownFormat_isUsageError() throws Exception {
    Result r = jscan("sbom", "oci:" + layout() + ":test", "--format", "xml");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("unknown SBOM format \"xml\""), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void sbom_outputFileInUnwritablePlace_failsWithoutPartialFile() throws Exception {
    Path blocker = tmp.resolve("blocker");
    Files.writeString(blocker, "a file, not a directory");
    Result r = jscan("sbom", "oci:" + layout() + ":test", "--format", "spdx-json", "--output-file", blocker.resolve("x.json").toString());
    assertTrue(r.code() != 0, r.err());
    assertEquals(1, r.err().lines().filter(l -> !l.startsWith("jscan: cataloguing") && !l.startsWith("jscan: warning")).count(), r.err());
    assertFalse(Files.exists(blocker.resolve("x.json")));
  }
}
