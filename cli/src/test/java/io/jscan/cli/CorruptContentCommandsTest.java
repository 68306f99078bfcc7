package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.CorruptLayers;
import io.jscan.core.testing.CorruptLayers.Defect;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Corrupt content is an integrity failure (exit 4) on every command that reads it, with the layer
 * and what failed in one line: never exit 1, never "null", never exit 0 with an empty result.
 * Fixtures by recipe ({@link CorruptLayers}): a flipped byte in a gzip layer, a truncated gzip
 * layer (their descriptors match their bytes, so only reading the content can tell), a blob
 * changed on disk in the store or a layout (its digest no longer matches), a layer member
 * flipped in a docker-archive.
 */
class CorruptContentCommandsTest {
  @TempDir Path tmp;
  Path home;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void useTempStore() {
    home = tmp.resolve("home");
    System.setProperty(LocalStore.HOME_PROPERTY, home.toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  static Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), Map.of("SOURCE_DATE_EPOCH", "0"), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Exit 4, one error line naming the layer's digest and what failed, no stack trace, no "null". */
  static void assertIntegrityError(Result r, Digest layer, String failed) {
    assertEquals(4, r.code(), r.out() + r.err());
    // sbom's progress line ("jscan: cataloguing NAME (DIGEST, N layers) from …") aside
    List<String> errors = r.err().lines().filter(l -> l.startsWith("jscan: ") && !l.matches("jscan: cataloguing .* layers\\) from .*")).toList();
    assertEquals(1, errors.size(), r.err());
    assertTrue(errors.get(0).contains("layer 1 " + layer), errors.get(0));
    assertTrue(errors.get(0).contains(failed), errors.get(0));
    assertFalse(errors.get(0).endsWith(": null"), errors.get(0));
    assertFalse(r.err().contains("\tat "), r.err());
  }

  static String failure(Defect d) {
    return switch (d) {
      case FLIPPED_GZIP_BYTE -> "the gzip data is corrupt: ";
      case TRUNCATED_GZIP -> "the gzip data is truncated";
      case BAD_TAR_CHECKSUM -> "checksum";
    };
  }

  static Digest layerDigest(Defect d) throws Exception {
    return CorruptLayers.image(d).manifest().layers().get(0).digest();
  }

  Path layout(Defect d) throws Exception {
    return CorruptLayers.layout(d, tmp.resolve("layout-" + d));
  }

  @ParameterizedTest
  @EnumSource(value = Defect.class, names = {"FLIPPED_GZIP_BYTE", "TRUNCATED_GZIP"})
  void sbom_corruptLayer_isExitFourNamingTheLayer(Defect d) throws Exception {
    Result r = jscan("sbom", "oci:" + layout(d) + ":app", "--format", "table");
    assertIntegrityError(r, layerDigest(d), failure(d));
    assertEquals("", r.out(), "no SBOM, not an empty one");
  }

  @ParameterizedTest
  @EnumSource(Defect.class)
  void verify_corruptLayer_isExitFourWithAnIntegrityFinding(Defect d) throws Exception {
    Result r = jscan("verify", "oci:" + layout(d) + ":app", "--policy", "baseline");
    assertEquals(4, r.code(), r.out() + r.err());
    String digest = layerDigest(d).algorithm() + ":" + layerDigest(d).shortHex();
    assertTrue(r.out().lines().anyMatch(l -> l.contains("integrity") && l.contains("layer 1 " + digest) && l.contains(failure(d))), r.out());
  }

  @ParameterizedTest
  @EnumSource(value = Defect.class, names = {"FLIPPED_GZIP_BYTE", "TRUNCATED_GZIP"})
  void build_fromCorruptLayoutBase_isExitFour(Defect d) throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("a.txt"), "a\n");
    Files.writeString(context.resolve("Dockerfile"), "FROM oci:" + layout(d) + ":app\nCOPY a.txt /a.txt\n");
    Result r = jscan("build", "-t", "out:1", context.toString());
    assertIntegrityError(r, layerDigest(d), failure(d));
    assertFalse(jscan("images").out().contains("out "), "nothing named");
  }

  /** A good image in the store whose layer blob then changed on disk: its digest no longer matches. */
  Digest corruptStoreImage(String name) throws Exception {
    Image good = io.jscan.verifier.TestImage.image().user("65534")
        .layer(CorruptLayers.baseTar()).build();
    try (LocalStore store = LocalStore.open(home)) {
      store.write(good, List.of(ImageName.parse(name)));
      Digest layer = good.manifest().layers().get(0).digest();
      flipMiddleByte(store.layout().blobPath(layer));
      return layer;
    }
  }

  static void flipMiddleByte(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= (byte) 0xff;
    Files.write(file, bytes);
  }

  @Test
  void build_fromStoreBaseWithAChangedBlob_isExitFourNamingTheDigestMismatch() throws Exception {
    Digest layer = corruptStoreImage("base:1");
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("a.txt"), "a\n");
    Files.writeString(context.resolve("Dockerfile"), "FROM base:1\nCOPY a.txt /a.txt\n");
    assertIntegrityError(jscan("build", "-t", "out:1", context.toString()), layer, "digest mismatch");
    assertIntegrityError(jscan("sbom", "base:1"), layer, "digest mismatch");
  }

  @Test
  void save_storeImageWithAChangedBlob_isExitFourAndWritesNothing() throws Exception {
    Digest layer = corruptStoreImage("base:1");
    Result r = jscan("save", "-o", tmp.resolve("out.tar").toString(), "base:1");
    assertIntegrityError(r, layer, "digest mismatch");
    assertFalse(Files.exists(tmp.resolve("out.tar")), "nothing half-written");
  }

  @Test
  void load_archiveWithAFlippedLayerMember_isExitFour() throws Exception {
    Path layout = layout(Defect.BAD_TAR_CHECKSUM).getParent().resolve("good-layout");
    Image good = io.jscan.verifier.TestImage.image().user("65534").layer(CorruptLayers.baseTar()).build();
    io.jscan.core.transport.ocilayout.OciLayout.create(layout).write(good, java.util.Optional.of("app"));
    Path archive = tmp.resolve("app.tar");
    assertEquals(0, jscan("save", "-o", archive.toString(), "oci:" + layout + ":app").code());
    // the layer is the only member of more than 100 kB: flip a byte in its middle
    byte[] bytes = Files.readAllBytes(archive);
    int at = indexOfLongestRun(bytes);
    bytes[at] ^= (byte) 0xff;
    Files.write(archive, bytes);
    Digest layer = good.manifest().layers().get(0).digest();

    assertIntegrityError(jscan("load", "-i", archive.toString()), layer, "digest mismatch");
    assertIntegrityError(jscan("sbom", "docker-archive:" + archive), layer, "digest mismatch");
    assertFalse(jscan("images").out().contains("app"), "nothing named");
  }

  /** The middle of the archive's largest member: a tar of small documents and one big layer. */
  static int indexOfLongestRun(byte[] archive) throws Exception {
    try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new java.io.ByteArrayInputStream(archive))) {
      long bestSize = -1;
      long bestOffset = 0;
      for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.getSize() > bestSize) {
          bestSize = e.getSize();
          bestOffset = e.getDataOffset();
        }
      }
      return (int) (bestOffset + bestSize / 2);
    }
  }

  @Test
  void inspect_layoutWithAChangedConfig_isExitFour() throws Exception {
    Path layout = tmp.resolve("cfg-layout");
    Image good = io.jscan.verifier.TestImage.image().user("65534").layer(CorruptLayers.baseTar()).build();
    io.jscan.core.transport.ocilayout.OciLayout.create(layout).write(good, java.util.Optional.of("app"));
    Digest config = good.manifest().config().digest();
    flipMiddleByte(layout.resolve("blobs").resolve(config.algorithm()).resolve(config.encoded()));
    Result r = jscan("inspect", "oci:" + layout + ":app");
    assertEquals(4, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("config " + config + ": digest mismatch"), r.err());
  }

  @ParameterizedTest
  @EnumSource(value = Defect.class, names = {"FLIPPED_GZIP_BYTE", "TRUNCATED_GZIP"})
  void buildAndSbom_fromARegistryHoldingACorruptLayer_areExitFour(Defect d) throws Exception {
    try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
      // skopeo copies the bytes as they are (their digests match): the registry holds the defect
      String name = registry.host() + "/corrupt:1";
      skopeo("copy", "--dest-tls-verify=false", "--preserve-digests", "oci:" + layout(d) + ":app", "docker://" + name);

      assertIntegrityError(jscan("sbom", "docker://" + name), layerDigest(d), failure(d));
      Path context = Files.createDirectories(tmp.resolve("context"));
      Files.writeString(context.resolve("a.txt"), "a\n");
      Files.writeString(context.resolve("Dockerfile"), "FROM " + name + "\nCOPY a.txt /a.txt\n");
      assertIntegrityError(jscan("build", "-t", "out:1", context.toString()), layerDigest(d), failure(d));
    }
  }

  static void skopeo(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(ExternalTool.require("skopeo").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "skopeo timed out");
    assertEquals(0, p.exitValue(), out);
  }
}
