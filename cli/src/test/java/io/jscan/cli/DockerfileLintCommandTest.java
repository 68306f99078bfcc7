package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.verifier.Schemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfileLintCommandTest {
  static final String TUTORIAL = """
      FROM ubuntu:latest
      MAINTAINER John Doe <john.doe@example.com>
      RUN apt-get update && apt-get install -y curl
      COPY index.html /var/www/html/
      EXPOSE 80
      CMD ["/usr/bin/httpd", "-f", "/var/www/html/index.html"]
      """;

  @TempDir Path tmp;
  Path tutorial;

  @BeforeEach
  void write() throws Exception {
    tutorial = tmp.resolve("Dockerfile");
    Files.writeString(tutorial, TUTORIAL);
  }

  private static VerifyCommandTest.Result jscan(String... args) {
    return VerifyCommandTest.jscan(args);
  }

  @Test
  void lint_tutorial_failsWithFindingsAtTheirLines() {
    VerifyCommandTest.Result r = jscan("dockerfile", "lint", tutorial.toString());
    assertEquals(3, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("DL3007  " + tutorial + ":1: FROM ubuntu:latest uses the latest tag"), r.out());
    assertTrue(r.out().contains("DL4000  " + tutorial + ":2: MAINTAINER is deprecated"), r.out());
    assertFalse(r.out().contains("JS0001"), "MAINTAINER names a maintainer");
  }

  @Test
  void lint_failureThreshold_decidesTheExitCode() throws Exception {
    Path clean = tmp.resolve("Clean.Dockerfile");
    Files.writeString(clean, "FROM alpine:3.19\nLABEL org.opencontainers.image.authors=me\nCMD /app\n");
    assertEquals(3, jscan("dockerfile", "lint", clean.toString()).code(), "DL3025 is a warning; the default threshold is info");
    assertEquals(0, jscan("dockerfile", "lint", clean.toString(), "--failure-threshold", "error").code());
    assertEquals(0, jscan("dockerfile", "lint", tutorial.toString(), "--failure-threshold", "none").code());
    assertEquals(3, jscan("dockerfile", "lint", tutorial.toString(), "--failure-threshold", "error").code(), "DL4000 is an error");
  }

  @Test
  void lint_withBaselinePolicy_failsOnLatestAndPassesMaintainer() throws Exception {
    VerifyCommandTest.Result r = jscan("dockerfile", "lint", tutorial.toString(), "--policy", "baseline", "--failure-threshold", "none", "--output", "json");
    assertEquals(3, r.code(), r.out() + r.err());
    JsonNode json = r.json();
    assertEquals("", Schemas.problems(Schemas.report(), json));
    List<String> statuses = json.get("rules").findValuesAsText("status");
    List<String> rules = json.get("rules").findValuesAsText("rule");
    assertEquals("failed", statuses.get(rules.indexOf("base-not-latest")));
    assertEquals("passed", statuses.get(rules.indexOf("maintainer")));
    assertEquals("skipped", statuses.get(rules.indexOf("integrity")));
  }

  @Test
  void lint_sarif_locatesFindingsAtFileAndLine() throws Exception {
    VerifyCommandTest.Result r = jscan("dockerfile", "lint", tutorial.toString(), "--output", "sarif");
    JsonNode results = r.json().get("runs").get(0).get("results");
    JsonNode first = results.get(0);
    assertEquals("DL3007", first.get("ruleId").asText());
    JsonNode physical = first.get("locations").get(0).get("physicalLocation");
    assertEquals(tutorial.toString(), physical.get("artifactLocation").get("uri").asText());
    assertEquals(1, physical.get("region").get("startLine").asInt());
  }

  @Test
  void lint_unparsableOrMissing_oneLineExit2() throws Exception {
    Path broken = tmp.resolve("Broken");
    Files.writeString(broken, "FROM alpine:3\nCOPY\n");
    VerifyCommandTest.Result r = jscan("dockerfile", "lint", broken.toString());
    assertEquals(2, r.code());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("jscan: " + broken + ":2: "), r.err());
    VerifyCommandTest.Result missing = jscan("dockerfile", "lint", tmp.resolve("nope").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("no such file"), missing.err());
  }
}
