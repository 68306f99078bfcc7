package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.Conformance;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.Schemas;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.TestSecrets;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jscan verify} on a tamper corpus made here from a good image (each case named after its
 * defect; nothing binary is committed), and on the failing cases of the shared image corpus. Each
 * case must give its finding and exit code, never a stack trace, and write nothing outside its
 * temp dir.
 */
class VerifyCommandTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {
    JsonNode json() throws IOException {
      return TamperedLayout.JSON.readTree(out);
    }
  }

  static Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), Map.of(), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** The good image: two gzip layers of ordinary files. */
  static Image goodImage() throws Exception {
    return TestImage.image()
        .label("org.opencontainers.image.authors", "tests")
        .user("65534")
        .layer(RawTar.tar().dir("etc").file("etc/os-release", "ID=test\n").dir("bin").file("bin/tool", 0755, new byte[4000]).build())
        .layer(RawTar.tar().dir("app").file("app/main.txt", "hello\n".repeat(500)).symlink("app/current", "main.txt").build())
        .build();
  }

  private Path policyFile(String rules) throws IOException {
    Path p = tmp.resolve("policy-" + Math.abs(rules.hashCode()) + ".yaml");
    Files.writeString(p, "apiVersion: jscan.io/v1\nkind: Policy\nname: t\nrules:\n" + rules);
    return p;
  }

  private Result verifyJson(String reference, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("verify", reference, "--output", "json", "--policy", policyFile("  - id: integrity\n").toString()));
    args.addAll(List.of(extra));
    Result r = jscan(args.toArray(String[]::new));
    assertNoStackTrace(r);
    return r;
  }

  static void assertNoStackTrace(Result r) {
    assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "stack trace: " + r.err());
    assertFalse(r.out().contains("\tat "), "stack trace in output");
  }

  /** All findings of the JSON report, with the rule and message. */
  static List<JsonNode> findings(JsonNode report) {
    List<JsonNode> out = new ArrayList<>();
    report.get("findings").forEach(out::add);
    for (JsonNode image : report.get("images")) {
      image.get("findings").forEach(out::add);
    }
    return out;
  }

  static JsonNode finding(JsonNode report, String rule, String messagePart) {
    return findings(report).stream()
        .filter(f -> f.get("rule").asText().equals(rule) && f.get("message").asText().contains(messagePart))
        .findFirst().orElseThrow(() -> new AssertionError("no " + rule + " finding with \"" + messagePart + "\" in " + findings(report)));
  }

  @Test
  void verify_emptyCertificateIdentityOrIssuer_isUsageError() throws Exception {
    TamperedLayout layout = TamperedLayout.write(goodImage(), tmp.resolve("layout"));
    for (String[] trust : List.of(
        new String[] {"--certificate-identity-regexp", "", "--certificate-oidc-issuer-regexp", ""},
        new String[] {"--certificate-identity", "", "--certificate-oidc-issuer", "https://accounts.google.com"},
        new String[] {"--certificate-identity", "me@example.com", "--certificate-oidc-issuer-regexp", "  "})) {
      List<String> args = new ArrayList<>(List.of("verify", layout.reference(), "--trusted-root", tmp.resolve("unread.json").toString()));
      args.addAll(List.of(trust));
      Result r = jscan(args.toArray(String[]::new));
      assertEquals(2, r.code(), String.join(" ", trust) + ": " + r.out() + r.err());
      assertTrue(r.err().contains(" is empty: an empty value would trust any signer"), r.err());
      assertNoStackTrace(r);
    }
  }

  /** Runs one defect: exit code, the finding, its layer; the JSON report is valid against its schema. */
  private JsonNode expectDefect(String reference, int exitCode, String rule, String messagePart, Integer layer, String... extra) throws IOException {
    Result r = verifyJson(reference, extra);
    assertEquals(exitCode, r.code(), r.out() + r.err());
    JsonNode report = r.json();
    assertEquals("", Schemas.problems(Schemas.report(), report));
    JsonNode f = finding(report, rule, messagePart);
    assertTrue(f.get("blocking").asBoolean());
    if (layer != null) {
      assertEquals(layer.intValue(), f.get("location").get("layer").asInt(), f.toString());
      assertTrue(f.get("location").get("digest").asText().startsWith("sha256:"), f.toString());
    }
    return f;
  }

  private TamperedLayout good() throws Exception {
    return TamperedLayout.write(goodImage(), tmp.resolve("layout"));
  }

  @Test
  void verify_goodImage_passesWithTreeAndSummary() throws Exception {
    TamperedLayout layout = good();
    Result text = jscan("verify", layout.reference(), "--policy", policyFile("  - id: integrity\n").toString());
    assertEquals(0, text.code(), text.out() + text.err());
    assertTrue(text.out().contains("├── ✔ manifest"), text.out());
    assertTrue(text.out().contains("└── ✔ 2  sha256:"), text.out());
    assertTrue(text.out().contains("COPY layer2 /"), text.out());
    assertTrue(text.out().strip().lines().reduce((a, b) -> b).orElseThrow().startsWith("PASSED: 0 errors"), text.out());
    assertFalse(text.out().contains("\u001b["), "no colour off a terminal");
  }

  @Test
  void verify_flippedByteInLayer_reportsDigestMismatch() throws Exception {
    TamperedLayout layout = good();
    Path blob = layout.layerBlob(2);
    byte[] b = Files.readAllBytes(blob);
    b[b.length / 2] ^= 0x20;
    Files.write(blob, b);
    expectDefect(layout.reference(), 4, "integrity", "digest mismatch", 2);
  }

  @Test
  void verify_truncatedBlob_reportsSizeMismatch() throws Exception {
    TamperedLayout layout = good();
    Path blob = layout.layerBlob(1);
    byte[] b = Files.readAllBytes(blob);
    Files.write(blob, java.util.Arrays.copyOf(b, b.length / 2));
    expectDefect(layout.reference(), 4, "integrity", "size mismatch", 1);
  }

  @Test
  void verify_wrongSizeInManifest_reportsSizeMismatch() throws Exception {
    TamperedLayout layout = good();
    layout.editManifest(m -> {
      ObjectNode l = (ObjectNode) m.get("layers").get(0);
      l.put("size", l.get("size").asLong() + 10);
    });
    expectDefect(layout.reference(), 4, "integrity", "size mismatch", 1);
  }

  @Test
  void verify_swappedDiffIds_reportsUncompressedDigestMismatch() throws Exception {
    TamperedLayout layout = good();
    layout.editConfig(c -> TamperedLayout.reverse((ArrayNode) c.get("rootfs").get("diff_ids")));
    expectDefect(layout.reference(), 4, "integrity", "does not match rootfs.diff_ids[0]", 1);
    expectDefect(layout.reference(), 4, "integrity", "does not match rootfs.diff_ids[1]", 2);
  }

  @Test
  void verify_diffIdCountMismatch_reportedAsFindingNotException() throws Exception {
    TamperedLayout layout = good();
    layout.editConfig(c -> ((ArrayNode) c.get("rootfs").get("diff_ids")).remove(1));
    expectDefect(layout.reference(), 4, "integrity", "rootfs.diff_ids has 1 entries", null);
  }

  @Test
  void verify_historyThatDoesNotPairUpWithLayers_isOnlyAWarning() throws Exception {
    TamperedLayout layout = good();
    layout.editConfig(c -> ((ArrayNode) c.get("history")).addObject().put("created_by", "RUN something that made no layer"));
    Result r = verifyJson(layout.reference());
    assertEquals(0, r.code(), r.out());
    JsonNode f = finding(r.json(), "integrity", "history has 3 entries that made a layer but the manifest lists 2 layers");
    assertFalse(f.get("blocking").asBoolean());
    assertEquals("warning", f.get("severity").asText());
  }

  @Test
  void verify_missingBlob_reportsIt() throws Exception {
    TamperedLayout layout = good();
    Files.delete(layout.layerBlob(1));
    expectDefect(layout.reference(), 4, "integrity", "is missing", 1);
  }

  @Test
  void verify_manifestWhoseMediaTypeLies_isIntegrityFailure() throws Exception {
    TamperedLayout layout = good();
    layout.editIndexEntryMediaType(MediaTypes.OCI_INDEX);
    Result r = verifyJson(layout.reference());
    assertEquals(4, r.code(), r.out() + r.err());
    JsonNode f = finding(r.json(), "integrity", "index");
    assertEquals("index", f.get("location").get("part").asText());
  }

  @Test
  void verify_layerWhoseMediaTypeLies_reportsCompressionMismatch() throws Exception {
    TamperedLayout layout = good();
    layout.editManifest(m -> ((ObjectNode) m.get("layers").get(1)).put("mediaType", MediaTypes.OCI_LAYER_ZSTD));
    expectDefect(layout.reference(), 4, "integrity", "compression mismatch", 2);
  }

  @Test
  void verify_unknownLayerMediaType_isIntegrityFailure() throws Exception {
    TamperedLayout layout = good();
    layout.editManifest(m -> ((ObjectNode) m.get("layers").get(0)).put("mediaType", "application/vnd.example.layer+lz4"));
    expectDefect(layout.reference(), 4, "integrity", "unknown layer media type", 1);
  }

  /** Signs the layout's image and attests an SBOM for it with a new key (what strict asks for); returns the public key. */
  private Path signedWithSbom(TamperedLayout layout) throws Exception {
    io.jscan.signing.key.SigningKey key = io.jscan.signing.key.Keys.generate(io.jscan.signing.key.KeyAlgorithm.ECDSA_P256);
    Path pub = tmp.resolve("strict.pub");
    io.jscan.signing.key.KeyFiles.writePublicKey(pub, key.publicKey());
    var store = new io.jscan.signing.oci.LayoutSignatureStore(io.jscan.core.transport.ocilayout.OciLayout.open(layout.dir), "registry.example/app");
    var subject = io.jscan.core.transport.ocilayout.OciLayout.open(layout.dir).resolve(java.util.Optional.of(TamperedLayout.REF), java.util.Optional.empty()).descriptor();
    var method = new io.jscan.signing.oci.SigningMethod.WithKey(key.signer());
    io.jscan.signing.oci.ImageSigner.sign(store, subject, method, io.jscan.signing.oci.StorageFormat.COSIGN_TAG, java.util.Map.of());
    io.jscan.signing.oci.ImageAttester.attest(store, subject, "cyclonedx", TamperedLayout.JSON.readTree("{\"bomFormat\":\"CycloneDX\"}"), method,
        io.jscan.signing.oci.StorageFormat.COSIGN_TAG);
    return pub;
  }

  private TamperedLayout withLayer(byte[] tar) throws Exception {
    Image image = TestImage.image().label("maintainer", "tests").user("1000")
        .layer(RawTar.tar().dir("a").dir("a/b").file("a/b/keep", "x").build()).layer(tar).build();
    return TamperedLayout.write(image, tmp.resolve("layout"));
  }

  @Test
  void verify_dotDotPaths_reportsEscape() throws Exception {
    JsonNode f = expectDefect(withLayer(RawTar.tar().file("../../outside/pwned", "x").build()).reference(), 4, "integrity", ".. component", 2);
    assertTrue(f.get("location").get("path").asText().contains("pwned"));
    assertFalse(Files.exists(tmp.resolve("outside")));
  }

  @Test
  void verify_symlinkEscape_reportsItAndWritesNothingOutside() throws Exception {
    TamperedLayout layout = withLayer(RawTar.tar().symlink("a/b/out", "../../../outside").file("a/b/out/pwned", "x").build());
    JsonNode f = expectDefect(layout.reference(), 4, "integrity", "resolves outside the root", 2);
    assertEquals("/a/b/out", f.get("location").get("path").asText());
    assertFalse(Files.exists(tmp.resolve("outside")), "verify extracts nothing");
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("layout"), s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("policy-")).sorted().toList());
    }
  }

  @Test
  void verify_hardLinkEscape_reportsIt() throws Exception {
    expectDefect(withLayer(RawTar.tar().hardlink("shadow", "../../etc/shadow").build()).reference(), 4, "integrity", "leaves the root", 2);
  }

  @Test
  void verify_duplicateEntries_reportsThem() throws Exception {
    JsonNode f = expectDefect(withLayer(RawTar.tar().file("app.conf", "safe").file("app.conf", "evil").build()).reference(),
        4, "integrity", "appears twice", 2);
    assertEquals("/app.conf", f.get("location").get("path").asText());
  }

  @Test
  void verify_gzipBomb_stopsAtTheLimit() throws Exception {
    Path blobs = tmp.resolve("bomb-src");
    Files.createDirectories(blobs);
    Path blob = blobs.resolve("layer.tar.gz");
    long zeros = 96L << 20;
    MessageDigest diffId = MessageDigest.getInstance("SHA-256");
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] header = RawTar.tar().file("zeros", 0644, new byte[0]).build();
    // a tar of one file of zeros, streamed: header with the real size, content, padding, end marker
    byte[] realHeader = tarHeader("zeros", zeros);
    try (OutputStream file = Files.newOutputStream(blob);
        DigestOutputStream counted = new DigestOutputStream(file, digest);
        GZIPOutputStream gz = new GZIPOutputStream(counted, 1 << 16);
        DigestOutputStream tar = new DigestOutputStream(gz, diffId)) {
      tar.write(realHeader);
      byte[] chunk = new byte[1 << 16];
      for (long left = zeros; left > 0; left -= chunk.length) {
        tar.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
      tar.write(new byte[1024]);
    }
    assertTrue(header.length > 0);
    Descriptor d = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.ofSha256(digest.digest()), Files.size(blob));
    Image image = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(Instant.EPOCH)
        .addLayer(Layers.fromFile(blob, d, Digest.ofSha256(diffId.digest())),
            new History(Optional.empty(), Optional.of("ADD zeros /"), Optional.empty(), Optional.empty(), false))
        .build();
    TamperedLayout layout = TamperedLayout.write(image, tmp.resolve("layout"));
    JsonNode f = expectDefect(layout.reference(), 4, "integrity", "decompression bomb", 1);
    assertTrue(f.get("message").asText().contains("200:1"), f.toString());
    expectDefect(layout.reference(), 4, "integrity", "expands past the limit of 10000000 bytes", 1, "--max-layer-size", "10MB");
  }

  /** A ustar header for a regular file of {@code size} bytes. */
  private static byte[] tarHeader(String name, long size) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, h, 0, n.length);
    put(h, 100, String.format("%07o", 0644));
    put(h, 108, String.format("%07o", 0));
    put(h, 116, String.format("%07o", 0));
    put(h, 124, String.format("%011o", size));
    put(h, 136, String.format("%011o", 0));
    h[156] = '0';
    put(h, 257, "ustar");
    h[263] = '0';
    h[264] = '0';
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    return h;
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  @Test
  void verify_setuidBinary_failsStrictWithExit3() throws Exception {
    TamperedLayout layout = withLayer(RawTar.tar().dir("usr").dir("usr/bin").file("usr/bin/rootme", 04755, new byte[] {1}).build());
    // strict requires a signature and an SBOM attestation (exit 4 without them): give it both, so what fails is the setuid file
    Result r = jscan("verify", layout.reference(), "--policy", "strict", "--output", "json", "--key", signedWithSbom(layout).toString());
    assertNoStackTrace(r);
    assertEquals(3, r.code(), r.out() + r.err());
    JsonNode f = finding(r.json(), "no-setuid", "setuid file (mode 4755)");
    assertEquals("/usr/bin/rootme", f.get("location").get("path").asText());
    assertEquals(2, f.get("location").get("layer").asInt());
    assertEquals("strict", f.get("policy").asText());
  }

  @Test
  void verify_plantedPrivateKey_failsStrict_neverPrintsTheKey() throws Exception {
    TamperedLayout layout = withLayer(RawTar.tar().dir("root").dir("root/.ssh").file("root/.ssh/id_rsa", 0600, TestSecrets.PEM.getBytes()).build());
    Path pub = signedWithSbom(layout);
    for (String format : List.of("text", "json", "sarif")) {
      Result r = jscan("verify", layout.reference(), "--policy", "strict", "--output", format, "--key", pub.toString());
      assertNoStackTrace(r);
      assertEquals(3, r.code(), r.out() + r.err());
      assertTrue(r.out().contains("/root/.ssh/id_rsa"), format + ": " + r.out());
      assertTrue(r.out().contains("RSA private key"), format);
      for (String fragment : TestSecrets.FRAGMENTS) {
        assertFalse(r.out().contains(fragment) || r.err().contains(fragment), format + " printed the key");
      }
    }
  }

  @Test
  void verify_outputFile_writtenWholeAndOnlyThere() throws Exception {
    TamperedLayout layout = good();
    Path report = tmp.resolve("out/report.sarif");
    Files.createDirectories(report.getParent());
    Result r = jscan("verify", layout.reference(), "--output", "sarif", "--output-file", report.toString(), "--policy", "baseline");
    assertEquals(0, r.code(), r.err()); // baseline: integrity passes, the base is unknown (skipped), the authors label names a maintainer
    assertEquals("", r.out());
    assertTrue(r.err().contains("report written to"), r.err());
    JsonNode sarif = TamperedLayout.JSON.readTree(report.toFile());
    assertEquals("2.1.0", sarif.get("version").asText());
    try (Stream<Path> s = Files.list(report.getParent())) {
      assertEquals(List.of("report.sarif"), s.map(p -> p.getFileName().toString()).toList(), "no temp file left behind");
    }
  }

  /** oci:DIR:multi names an index of a linux/amd64 and a linux/arm64 image. */
  private String twoPlatformIndex() throws Exception {
    Path dir = tmp.resolve("index-layout");
    Image amd = goodImage();
    Image arm = ImageBuilder.fromScratch(new Platform("linux", "arm64")).author("tests")
        .addLayer(Layers.compress(RawTar.tar().file("arm", "y").build(), io.jscan.core.oci.MediaTypes.Compression.GZIP),
            new History(Optional.empty(), Optional.of("COPY arm /"), Optional.empty(), Optional.empty(), false)).build();
    io.jscan.core.transport.ocilayout.OciLayout layout = io.jscan.core.transport.ocilayout.OciLayout.create(dir);
    layout.writeBlobs(amd);
    layout.writeBlobs(arm);
    byte[] index = io.jscan.core.oci.json.OciJson.write(new io.jscan.core.oci.IndexManifest(List.of(
        amd.descriptor().withPlatform(Platform.LINUX_AMD64), arm.descriptor().withPlatform(new Platform("linux", "arm64")))));
    Descriptor d = Descriptor.of(MediaTypes.OCI_INDEX, index);
    layout.writeBlob(d, () -> new java.io.ByteArrayInputStream(index));
    layout.updateIndex(entries -> List.of(io.jscan.core.transport.ocilayout.OciLayout.entryFor(d, Optional.of("multi"))));
    return "oci:" + dir + ":multi";
  }

  private static List<String> platforms(JsonNode report) {
    List<String> out = new ArrayList<>();
    report.get("images").forEach(i -> out.add(i.get("platform").asText()));
    return out;
  }

  @Test
  void verify_index_allPlatformsOrOne() throws Exception {
    String ref = twoPlatformIndex();
    Result all = verifyJson(ref, "--all-platforms");
    assertEquals(0, all.code(), all.out() + all.err());
    assertEquals(List.of("linux/amd64", "linux/arm64"), platforms(all.json()));
    Result arm = verifyJson(ref, "--platform", "linux/arm64");
    assertEquals(0, arm.code(), arm.err());
    assertEquals(List.of("linux/arm64"), platforms(arm.json()));
    assertBadInput(jscan("verify", ref, "--platform", "linux/s390x"), "available: linux/amd64, linux/arm64");
  }

  /** verify, inspect and sbom of {@code ref} for {@code platform}, in a private store (inspect and sbom open one). */
  private List<Result> threeCommandsFor(String ref, String platform) {
    System.setProperty(io.jscan.core.transport.store.LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    try {
      return List.of(
          jscan("verify", ref, "--platform", platform),
          jscan("inspect", ref, "--platform", platform),
          jscan("sbom", ref, "--platform", platform));
    } finally {
      System.clearProperty(io.jscan.core.transport.store.LocalStore.HOME_PROPERTY);
    }
  }

  @Test
  void verify_singleImageOfAnotherPlatform_isBadInputWithTheMessageOfInspectAndSbom() throws Exception {
    String ref = good().reference();
    List<Result> arm = threeCommandsFor(ref, "linux/arm64");
    for (Result r : arm) {
      assertBadInput(r, "no image for platform linux/arm64; available: linux/amd64");
      assertEquals(arm.get(1).err(), r.err(), "verify, inspect and sbom say the same");
    }
    Result amd = verifyJson(ref, "--platform", "linux/amd64");
    assertEquals(0, amd.code(), amd.out() + amd.err());
    assertEquals(List.of("linux/amd64"), platforms(amd.json()));
  }

  @Test
  void verify_indexWithoutThePlatform_isBadInputWithTheMessageOfInspectAndSbom() throws Exception {
    List<Result> s390x = threeCommandsFor(twoPlatformIndex(), "linux/s390x");
    for (Result r : s390x) {
      assertBadInput(r, "no image for platform linux/s390x; available: linux/amd64, linux/arm64");
      assertEquals(s390x.get(1).err(), r.err(), "verify, inspect and sbom say the same");
    }
  }

  // ---------------------------------------------------------------- bad input and the shared corpus

  private static Path corpus(String relative) {
    return Conformance.dir("images").resolve("ggcr").resolve(relative);
  }

  private static void assertBadInput(Result r, String fragment) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().startsWith("jscan: ") && r.err().contains(fragment), r.err());
  }

  @Test
  void verify_sharedCorpusFailingCases_failWithBadInput() {
    assertBadInput(jscan("verify", "docker-archive:" + corpus("docker-archive/null_manifest.tar")), "expected a list of images, got null");
    assertBadInput(jscan("verify", "docker-archive:" + corpus("docker-archive/no_manifest.tar")), "no manifest.json");
    assertBadInput(jscan("verify", "docker-archive:" + corpus("docker-archive/test_bundle.tar")), "2 images in the archive");
    assertBadInput(jscan("verify", "oci:" + corpus("oci-layout/test_gc_image_unknown_mediatype")), "unsupported media type");
    assertBadInput(jscan("verify", "oci:" + corpus("oci-layout/test_index_media_type")), "not a container image");
  }

  @Test
  void verify_sharedCorpusImages_passIntegrity() throws IOException {
    for (String ref : List.of(
        "docker-archive:" + corpus("docker-archive/test_image_1.tar"),
        "docker-archive:" + corpus("docker-archive/hello-world-v25.tar"),
        "docker-archive:" + corpus("docker-archive/test_bundle.tar") + ":test_image_1",
        "docker-archive:" + corpus("whiteout/whiteout_image.tar"),
        "docker-archive:" + corpus("whiteout/whiteout_dir.tar"),
        "docker-archive:" + corpus("whiteout/overwritten_file.tar"),
        "docker-archive:" + corpus("whiteout/source_image_with_empty_layer_history.tar"),
        "oci:" + corpus("oci-layout/test_index_one_image"),
        "oci:" + corpus("oci-layout/test_index") + "@sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650")) {
      Result r = verifyJson(ref);
      assertEquals(0, r.code(), ref + ": " + r.out() + r.err());
      assertTrue(findings(r.json()).stream().noneMatch(f -> f.get("blocking").asBoolean()), ref);
    }
  }

  @Test
  void verify_badInputs_oneLineErrorsExit2() throws IOException {
    assertBadInput(jscan("verify", "oci:" + tmp.resolve("nothing-here")), "no such directory");
    assertBadInput(jscan("verify", "Not A Valid Name!"), "image reference");
    Path badPolicy = tmp.resolve("bad.yaml");
    Files.writeString(badPolicy, "apiVersion: jscan.io/v1\nkind: Policy\nname: b\nrules:\n  - id: max-layers\n    parameters: {max: many}\n");
    assertBadInput(jscan("verify", "oci:" + tmp, "--policy", badPolicy.toString()), badPolicy + ":6: rule max-layers: parameter max");
    assertBadInput(jscan("verify", "oci:" + tmp, "--policy", "nope.yaml"), "nope.yaml: no such policy file");
    assertBadInput(jscan("verify", "oci:" + tmp, "--platform", "linux"), "--platform");
    assertBadInput(jscan("verify", "oci:" + tmp, "--dockerfile", tmp.resolve("missing/Dockerfile").toString()), "no such file");
  }

  @Test
  void verify_tutorialDockerfileWithImage_failsBaselineOnLatest() throws Exception {
    TamperedLayout layout = good();
    Path dockerfile = tmp.resolve("Dockerfile");
    Files.writeString(dockerfile, "FROM ubuntu:latest\nMAINTAINER John Doe <john.doe@example.com>\nRUN apt-get update && apt-get install -y curl\n"
        + "COPY index.html /var/www/html/\nEXPOSE 80\nCMD [\"/usr/bin/httpd\", \"-f\", \"/var/www/html/index.html\"]\n");
    Result r = jscan("verify", layout.reference(), "--dockerfile", dockerfile.toString(), "--output", "json");
    assertEquals(3, r.code(), r.out() + r.err());
    JsonNode latest = finding(r.json(), "base-not-latest", "DL3007");
    assertEquals(dockerfile.toString(), latest.get("location").get("file").asText());
    assertEquals(1, latest.get("location").get("line").asInt());
    JsonNode lint = finding(r.json(), "DL3007", "latest");
    assertFalse(lint.get("blocking").asBoolean(), "baseline has no dockerfile-lint rule");
  }

  /** The report: "! DL4000 (warn)" listed under "error (n)" and counted among the errors. */
  @Test
  void verify_dockerfileLintErrorNoPolicyEnforces_isAWarningInEveryCountAndFormat() throws Exception {
    TamperedLayout layout = good();
    Path dockerfile = tmp.resolve("Dockerfile");
    Files.writeString(dockerfile, "FROM ubuntu:latest\nMAINTAINER John Doe <john.doe@example.com>\nCMD run\n");
    Result text = jscan("verify", layout.reference(), "--dockerfile", dockerfile.toString());
    assertEquals(3, text.code(), text.out() + text.err());
    String out = text.out();
    String errors = out.substring(out.indexOf("  error ("), out.indexOf("  warning ("));
    assertEquals(List.of("  error (1)", "    ✖ base-not-latest (baseline)  " + dockerfile + ":1: base image ubuntu:latest uses the latest tag (DL3007)"),
        errors.lines().toList(), "only the enforced error is under errors:\n" + out);
    assertTrue(out.contains("  warning (3)\n"), out);
    assertTrue(out.contains("    ! DL4000 (warn)  " + dockerfile + ":2: MAINTAINER is deprecated"), out);
    assertTrue(out.contains("FAILED (policy violations): 1 error, 3 warnings, 0 info;"), out);

    JsonNode json = jscan("verify", layout.reference(), "--dockerfile", dockerfile.toString(), "--output", "json").json();
    assertEquals("", Schemas.problems(Schemas.report(), json));
    assertEquals(1, json.get("summary").get("errors").asInt());
    assertEquals(3, json.get("summary").get("warnings").asInt());
    JsonNode dl4000 = finding(json, "DL4000", "MAINTAINER");
    assertEquals("error", dl4000.get("severity").asText());
    assertEquals("warn", dl4000.get("mode").asText());
    assertEquals("warning", dl4000.get("level").asText());

    JsonNode sarif = TamperedLayout.JSON.readTree(jscan("verify", layout.reference(), "--dockerfile", dockerfile.toString(), "--output", "sarif").out());
    List<String> levels = new ArrayList<>();
    for (JsonNode result : sarif.get("runs").get(0).get("results")) {
      levels.add(result.get("ruleId").asText() + "=" + result.get("level").asText());
    }
    assertEquals(List.of("DL3007=warning", "DL4000=warning", "DL3025=warning", "base-not-latest=error"), levels);
  }
}
