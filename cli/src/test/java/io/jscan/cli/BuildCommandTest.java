package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.RepoPaths;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jscan build through {@link Jscan#run}: output, metadata file, SOURCE_DATE_EPOCH, errors and exit codes. */
class BuildCommandTest {
  @TempDir Path tmp;
  Map<String, String> env = new HashMap<>();

  record Result(int code, String out, String err) {}

  @BeforeEach
  void useTempStore() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env.put("SOURCE_DATE_EPOCH", "1700000000");
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString());
  }

  static String golden() throws Exception {
    return Files.readAllLines(RepoPaths.testdata("sample.digest")).stream().filter(l -> l.startsWith("sha256:")).findFirst().orElseThrow();
  }

  /** The error is one line, the last on stderr (after the progress lines), with no stack trace. */
  static void assertOneLineError(Result r, int code, String expected) {
    assertEquals(code, r.code(), r.err());
    assertEquals("", r.out());
    List<String> lines = r.err().strip().lines().toList();
    assertEquals("jscan: " + expected, lines.get(lines.size() - 1));
    assertEquals(1, lines.stream().filter(l -> l.startsWith("jscan: ")).count(), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace without --debug: " + r.err());
  }

  @Test
  void build_help_listsDockersFlagsAndJscansOwn() {
    Result r = jscan("build", "--help");
    assertEquals(0, r.code(), r.err());
    for (String flag : List.of("--file", "--tag", "--build-arg", "--target", "--platform", "--label", "--output", "--metadata-file",
        "--quiet", "--no-cache", "--check-reproducible", "--compression")) {
      assertTrue(r.out().contains(flag), flag + " in " + r.out());
    }
  }

  @Test
  void build_quiet_printsOnlyTheManifestDigest() throws Exception {
    Result r = jscan("build", "-q", "-t", "sample:1", RepoPaths.testdata("sample").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(golden() + "\n", r.out());
    assertEquals("", r.err());
    Result images = jscan("images");
    String shortDigest = golden().substring(0, 19);
    assertTrue(images.out().lines().anyMatch(l -> l.startsWith("sample ") && l.contains(shortDigest)), images.out());
  }

  @Test
  void build_sourceDateEpochFromBuildArg_winsOverTheEnvironment() throws Exception {
    env.put("SOURCE_DATE_EPOCH", "0");
    Result r = jscan("build", "-q", "--build-arg", "SOURCE_DATE_EPOCH=1700000000", RepoPaths.testdata("sample").toString());
    assertEquals(golden() + "\n", r.out());
    env.remove("SOURCE_DATE_EPOCH");
    Result unset = jscan("build", "-q", "--no-cache", RepoPaths.testdata("sample").toString());
    Result zero = jscan("build", "-q", "--build-arg", "SOURCE_DATE_EPOCH=0", RepoPaths.testdata("sample").toString());
    assertEquals(zero.out(), unset.out(), "unset means 0");
  }

  @Test
  void build_metadataFile_hasBuildxKeys_andProgressGoesToStderr() throws Exception {
    Path meta = tmp.resolve("out/meta.json");
    Files.createDirectories(meta.getParent());
    Result r = jscan("build", "--metadata-file", meta.toString(), "-t", "sample:2", RepoPaths.testdata("sample").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(golden() + "\n", r.out());
    assertTrue(r.err().contains("[stage-0 5/7] COPY hello.txt message.txt ./"), r.err());
    JsonNode doc = new ObjectMapper().readTree(meta.toFile());
    assertEquals(golden(), doc.get("containerimage.digest").asText());
    assertTrue(doc.get("containerimage.config.digest").asText().startsWith("sha256:"));
    assertEquals("docker.io/library/sample:2", doc.get("image.name").asText());
    assertEquals(List.of("meta.json"), Files.list(meta.getParent()).map(p -> p.getFileName().toString()).toList(),
        "written through a temp file that is renamed");
  }

  @Test
  void build_checkReproducible_buildsTwiceAndExports() throws Exception {
    Result r = jscan("build", "--check-reproducible", "-t", "sample:checked", RepoPaths.testdata("sample").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(golden() + "\n", r.out());
    assertTrue(r.err().contains("reproducible: both builds gave " + golden()), r.err());
  }

  @Test
  void build_badInput_isOneLineWithExitCode2() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nRUN --security=insecure make\n");
    assertOneLineError(jscan("build", ctx.toString()),
        2, ctx.resolve("Dockerfile") + ":2: RUN --security=insecure is not supported (jscan grants no extra privileges to a build)");
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY missing /x\n");
    assertOneLineError(jscan("build", "-f", ctx.resolve("Dockerfile").toString(), ctx.toString()),
        2, ctx.resolve("Dockerfile") + ":2: COPY source \"missing\" not found in the build context");
    Result debug = jscan("build", "--debug", ctx.toString());
    assertEquals(2, debug.code());
    assertTrue(debug.err().contains("\tat io.jscan."), "--debug prints the stack trace");
    assertOneLineError(jscan("build", tmp.resolve("nope").toString()), 2, "Dockerfile " + tmp.resolve("nope/Dockerfile") + ": no such file");
    assertOneLineError(jscan("build", "--output", "myimage:1", ctx.toString()),
        2, "--output myimage:1: expected oci:DIR[:REF] or docker-archive:FILE[:NAME:TAG] (name store images with -t)");
    assertOneLineError(jscan("build", "--build-arg", "SOURCE_DATE_EPOCH=yesterday", ctx.toString()),
        2, "--build-arg SOURCE_DATE_EPOCH: \"yesterday\" is not a number of seconds since 1970-01-01 (e.g. $(git log -1 --format=%ct))");
    assertFalse(Files.exists(tmp.resolve("home/index.json")) && Files.readString(tmp.resolve("home/index.json")).contains("ref.name"),
        "no image was named");
  }
}
