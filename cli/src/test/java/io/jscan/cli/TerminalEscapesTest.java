package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.verifier.RawTar;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text an image holds (file names, labels, history, package names) never reaches the terminal
 * as control sequences: a file named {@code ESC[2J ESC[32m PASSED} would clear the screen and
 * paint a green verdict. Text output shows it escaped ({@code \x1b[2J}); JSON keeps it exact.
 */
class TerminalEscapesTest {
  static final String PAINT = "\u001b[2J\u001b[32mPASSED\u001b[0m";
  static final String PAINT_ESCAPED = "\\x1b[2J\\x1b[32mPASSED\\x1b[0m";
  static final String BIDI = "invoice\u202eexe.pdf";

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
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), Map.of(), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** An image whose file names, label, history and npm package carry terminal escapes and a bidi override. */
  static Image hostileImage() throws Exception {
    byte[] tar = RawTar.tar()
        .dir("bin")
        .file("bin/" + PAINT, 04755, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8))
        .file("bin/" + BIDI, 04755, new byte[10])
        .dir("node_modules").dir("node_modules/evil")
        .file("node_modules/evil/package.json", "{\"name\": \"evil" + jsonEscaped(PAINT) + "\", \"version\": \"1.0.0" + jsonEscaped("\u001b]0;title\u0007") + "\"}")
        .build();
    ImageBuilder b = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(Instant.parse("2026-05-20T00:00:00Z"));
    b.addLayer(Layers.compress(tar, Compression.GZIP),
        new History(Optional.empty(), Optional.of("RUN echo " + PAINT), Optional.empty(), Optional.empty(), false));
    b.containerConfig(c -> new ContainerConfig(Optional.of("0"), c.exposedPorts(), java.util.List.of("GREETING=" + PAINT), c.entrypoint(), c.cmd(),
        c.volumes(), c.workingDir(), new TreeMap<>(Map.of("org.opencontainers.image.title", PAINT, "maintainer", BIDI)), c.stopSignal(),
        c.argsEscaped(), c.healthcheck(), c.onBuild(), c.shell()));
    return b.build();
  }

  static String jsonEscaped(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }

  static void assertNothingRaw(Result r) {
    for (String stream : new String[] {r.out(), r.err()}) {
      assertFalse(stream.contains("\u001b"), "a raw ESC reached the terminal: " + stream);
      assertFalse(stream.contains("\u0007"), "a raw BEL reached the terminal: " + stream);
      assertFalse(stream.contains("\u202e"), "a raw bidi override reached the terminal: " + stream);
    }
  }

  @Test
  void verifyText_hostileFileNamesAndLabels_areEscaped() throws Exception {
    TamperedLayout layout = TamperedLayout.write(hostileImage(), tmp.resolve("layout"));
    Result r = jscan("verify", layout.reference(), "--policy", "strict");
    assertEquals(4, r.code(), r.out() + r.err()); // strict: no signature
    assertNothingRaw(r);
    // the setuid finding names the file, escaped, and the verdict is jscan's own
    assertTrue(r.out().contains("/bin/" + PAINT_ESCAPED), r.out());
    assertTrue(r.out().contains("/bin/invoice\\u202eexe.pdf"), r.out());
    assertTrue(r.out().contains("RUN echo " + PAINT_ESCAPED), "history in the layer tree: " + r.out());
    assertTrue(r.out().strip().lines().reduce((a, b) -> b).orElse("").startsWith("FAILED"), r.out());
  }

  @Test
  void verifyJson_keepsTheExactStrings() throws Exception {
    TamperedLayout layout = TamperedLayout.write(hostileImage(), tmp.resolve("layout"));
    Result r = jscan("verify", layout.reference(), "--policy", "strict", "--output", "json");
    assertEquals(4, r.code(), r.err());
    JsonNode report = TamperedLayout.JSON.readTree(r.out());
    assertTrue(VerifyCommandTest.findings(report).stream()
            .anyMatch(f -> f.path("location").path("path").asText().equals("/bin/" + PAINT) || f.path("message").asText().contains(PAINT)),
        report.toString());
  }

  @Test
  void inspectText_labelsEnvAndHistory_areEscaped_jsonIsExact() throws Exception {
    TamperedLayout layout = TamperedLayout.write(hostileImage(), tmp.resolve("layout"));
    Result text = jscan("inspect", layout.reference());
    assertEquals(0, text.code(), text.err());
    assertNothingRaw(text);
    assertTrue(text.out().contains("org.opencontainers.image.title=" + PAINT_ESCAPED), text.out());
    assertTrue(text.out().contains("maintainer=invoice\\u202eexe.pdf"), text.out());
    assertTrue(text.out().contains("GREETING=" + PAINT_ESCAPED), text.out());
    assertTrue(text.out().contains("RUN echo " + PAINT_ESCAPED), text.out());

    Result json = jscan("inspect", layout.reference(), "--output", "json");
    assertEquals(0, json.code(), json.err());
    JsonNode doc = TamperedLayout.JSON.readTree(json.out());
    assertEquals(PAINT, doc.get("config").get("config").get("Labels").get("org.opencontainers.image.title").asText());
    assertEquals("RUN echo " + PAINT, doc.get("history").get(0).get("createdBy").asText());
  }

  @Test
  void sbomTable_packageNamesAndVersions_areEscaped() throws Exception {
    TamperedLayout layout = TamperedLayout.write(hostileImage(), tmp.resolve("layout"));
    Result r = jscan("sbom", layout.reference(), "--format", "table");
    assertEquals(0, r.code(), r.err());
    assertNothingRaw(r);
    assertTrue(r.out().contains("evil" + PAINT_ESCAPED), r.out());
    assertTrue(r.out().contains("1.0.0\\x1b]0;title\\x07"), r.out());
  }

  @Test
  void errorMessage_quotingAnImagePath_isEscaped() {
    // a name given on the command line comes back in the error: escaped too
    Result r = jscan("inspect", "oci:" + tmp.resolve("no-such-layout") + ":" + "x\u001b[2J");
    assertTrue(r.code() != 0, r.out() + r.err());
    assertNothingRaw(r);
  }
}
