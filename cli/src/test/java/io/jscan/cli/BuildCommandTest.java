package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.GitRepo;
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
  }

  /**
   * Changed with the git default (issue 15): unset used to mean 0 everywhere. The sample is inside
   * jscan's own git work tree, so unset now means the repository's last commit (git itself says
   * which), and 0 only without a git command.
   */
  @Test
  void build_sourceDateEpochUnset_isTheLastCommitsTime_orZeroWithoutGit() throws Exception {
    Path sample = RepoPaths.testdata("sample");
    env.remove("SOURCE_DATE_EPOCH");
    env.put("PATH", System.getenv("PATH"));
    String committed = GitRepo.git(sample, tmp, Map.of(), "log", "-1", "--format=%ct %h");
    String seconds = committed.split(" ")[0];
    Result unset = jscan("build", "--no-cache", sample.toString());
    Result explicit = jscan("build", "-q", "--build-arg", "SOURCE_DATE_EPOCH=" + seconds, sample.toString());
    assertEquals(0, unset.code(), unset.err());
    assertEquals(explicit.out(), unset.out());
    assertTrue(unset.err().startsWith("SOURCE_DATE_EPOCH=" + seconds + " from the last git commit (" + committed.split(" ")[1] + ") of "
        + sample.toAbsolutePath().normalize() + " "), unset.err());

    env.put("PATH", Files.createDirectories(tmp.resolve("no-git")).toString());
    Result noGit = jscan("build", "--no-cache", sample.toString());
    Result zero = jscan("build", "-q", "--build-arg", "SOURCE_DATE_EPOCH=0", sample.toString());
    assertEquals(zero.out(), noGit.out(), "no git command: 0, as before");
    assertEquals(1, noGit.err().lines().filter(l -> l.startsWith("SOURCE_DATE_EPOCH=")).count(), "said once: " + noGit.err());
    assertTrue(noGit.err().startsWith("SOURCE_DATE_EPOCH=0 (1970-01-01T00:00:00Z): not set, and there is no git command on the PATH\n"),
        noGit.err());
  }

  @Test
  void build_contextInAGitWorkTree_isDatedAtItsLastCommit_andMetadataAndProvenanceSaySo() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nARG SOURCE_DATE_EPOCH\nLABEL built-at=$SOURCE_DATE_EPOCH\nCOPY a.txt /\n");
    Files.writeString(ctx.resolve("a.txt"), "a\n");
    String commit = GitRepo.commitAll(ctx, tmp, 1_600_000_000L);
    env.remove("SOURCE_DATE_EPOCH");
    env.put("PATH", System.getenv("PATH"));
    Path meta = tmp.resolve("meta.json");
    Path attest = tmp.resolve("attest");
    Result r = jscan("build", "--metadata-file", meta.toString(), "--provenance", "--sbom-dir", attest.toString(), "-t", "dated:1",
        ctx.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().startsWith("SOURCE_DATE_EPOCH=1600000000 from the last git commit (" + commit.substring(0, 7) + ") of " + ctx
        + " (uncommitted changes do not move it; set SOURCE_DATE_EPOCH to choose another time)\n"), r.err());

    JsonNode doc = new ObjectMapper().readTree(meta.toFile());
    assertEquals(1600000000L, doc.get("jscan.source-date-epoch").asLong());
    assertEquals("git", doc.get("jscan.source-date-epoch.source").asText());
    assertEquals(commit, doc.get("jscan.source-date-epoch.git-commit").asText());
    JsonNode ext = new ObjectMapper().readTree(attest.resolve("provenance.intoto.json").toFile())
        .at("/predicate/buildDefinition/externalParameters");
    assertEquals(1600000000L, ext.get("sourceDateEpoch").asLong());
    assertEquals("git", ext.get("sourceDateEpochSource").asText());
    assertEquals(commit, ext.get("sourceDateEpochCommit").asText());
    assertEquals("1600000000", ext.at("/buildArgs/SOURCE_DATE_EPOCH").asText(), "visible to ARG SOURCE_DATE_EPOCH");

    Result inspect = jscan("inspect", "dated:1");
    assertTrue(inspect.out().contains("Created:    2020-09-13T12:26:40Z"), "created at the commit: " + inspect.out());
    assertTrue(inspect.out().contains("    built-at=1600000000"), "ARG SOURCE_DATE_EPOCH sees it: " + inspect.out());

    Files.writeString(ctx.resolve("a.txt"), "changed, not committed\n");
    Result dirty = jscan("build", "-q", "--metadata-file", meta.toString(), ctx.toString());
    assertEquals(0, dirty.code(), dirty.err());
    assertEquals(1600000000L, new ObjectMapper().readTree(meta.toFile()).get("jscan.source-date-epoch").asLong(),
        "uncommitted changes keep the last commit's time");
  }

  @Test
  void build_explicitSourceDateEpoch_isRecordedWithItsSource() throws Exception {
    Path meta = tmp.resolve("meta.json");
    Result r = jscan("build", "-q", "--metadata-file", meta.toString(), RepoPaths.testdata("sample").toString());
    assertEquals(golden() + "\n", r.out());
    JsonNode doc = new ObjectMapper().readTree(meta.toFile());
    assertEquals("environment", doc.get("jscan.source-date-epoch.source").asText());
    assertFalse(doc.has("jscan.source-date-epoch.git-commit"));
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
    assertOneLineError(jscan("build", tmp.resolve("nope").toString()), 2, tmp.resolve("nope/Dockerfile") + ": reading the Dockerfile: no such file");
    assertOneLineError(jscan("build", "--output", "myimage:1", ctx.toString()),
        2, "--output myimage:1: expected oci:DIR[:REF] or docker-archive:FILE[:NAME:TAG] (name store images with -t)");
    assertOneLineError(jscan("build", "--build-arg", "SOURCE_DATE_EPOCH=yesterday", ctx.toString()),
        2, "--build-arg SOURCE_DATE_EPOCH: \"yesterday\" is not a number of seconds since 1970-01-01 (e.g. $(git log -1 --format=%ct))");
    assertFalse(Files.exists(tmp.resolve("home/index.json")) && Files.readString(tmp.resolve("home/index.json")).contains("ref.name"),
        "no image was named");
  }
}
