package io.jscan.verifier.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.Schemas;
import io.jscan.verifier.Severity;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.policy.PolicyLoader;
import io.jscan.verifier.policy.PolicySet;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The three report formats on one report that has image findings, Dockerfile findings and a waived finding. */
class ReportsTest {
  static final String DOCKERFILE = "FROM ubuntu:latest\nMAINTAINER someone\nCMD /app\n";
  static VerificationReport report;
  static PolicySet policies;

  @BeforeAll
  static void verifyOnce() throws Exception {
    policies = TestImage.policy("""
        apiVersion: jscan.io/v1
        kind: Policy
        name: mixed
        rules:
          - id: integrity
          - id: no-setuid
          - id: non-root-user
          - id: dockerfile-lint
            parameters: {threshold: warning}
          - id: labelled
            description: The image has a team label.
            expression: "'team' in labels"
        exceptions:
          - rule: non-root-user
            reason: legacy service, tracked in OPS-7
            expires: 2030-01-01
        """);
    var image = TestImage.image()
        .layer(RawTar.tar().dir("bin").file("bin/su", 04755, new byte[] {1}).file("bin/ls", "x").build()).build();
    report = TestImage.verify(image, policies, DOCKERFILE);
  }

  @Test
  void json_matchesItsSchema_andCarriesVerdictAndExitCode() {
    JsonNode json = JsonReport.toJson(report, "test");
    assertEquals("", Schemas.problems(Schemas.report(), json));
    assertEquals("policy-violation", json.get("verdict").asText());
    assertEquals(3, json.get("exitCode").asInt());
    assertEquals("jscan.io/policy-input/v1", json.get("images").get(0).get("input").get("apiVersion").asText());
    assertTrue(json.get("summary").get("waived").asInt() >= 1);
  }

  @Test
  void json_lintReportAlone_matchesItsSchema() throws Exception {
    try (Verifier v = TestImage.verifier()) {
      VerificationReport lint = v.lint(Dockerfile.parse("Dockerfile", DOCKERFILE), PolicyLoader.load(List.of("baseline")), Severity.INFO);
      JsonNode json = JsonReport.toJson(lint, "test");
      assertEquals("", Schemas.problems(Schemas.report(), json));
      assertEquals(0, json.get("images").size());
      assertTrue(json.get("rules").size() > 0);
    }
  }

  @Test
  void sarif_structureAsCodeScanningNeedsIt() throws Exception {
    JsonNode sarif = SarifReport.toJson(report, policies, "0.1.0-test");
    try (InputStream in = ReportsTest.class.getResourceAsStream("sarif-2.1.0-subset.schema.json")) {
      var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
      assertEquals("", Schemas.problems(schema, sarif));
    }
    JsonNode run = sarif.get("runs").get(0);
    List<String> ruleIds = run.get("tool").get("driver").get("rules").findValuesAsText("id");
    for (JsonNode result : run.get("results")) {
      int index = result.get("ruleIndex").asInt();
      assertEquals(result.get("ruleId").asText(), ruleIds.get(index), "ruleIndex points at the rule");
    }
    JsonNode dl = find(run, "DL3007");
    JsonNode physical = dl.get("locations").get(0).get("physicalLocation");
    assertEquals("Dockerfile", physical.get("artifactLocation").get("uri").asText());
    assertEquals(1, physical.get("region").get("startLine").asInt());
    JsonNode suid = find(run, "no-setuid");
    JsonNode logical = suid.get("locations").get(0).get("logicalLocations").get(0);
    assertEquals("/bin/su", logical.get("name").asText());
    assertTrue(logical.get("fullyQualifiedName").asText().contains("/layer/1(sha256:"), logical.toString());
    assertEquals("Dockerfile", suid.get("locations").get(0).get("physicalLocation").get("artifactLocation").get("uri").asText(),
        "with --dockerfile, image findings are also placed in the Dockerfile");
    assertEquals("external", find(run, "non-root-user").get("suppressions").get(0).get("kind").asText());
    JsonNode customRule = run.get("tool").get("driver").get("rules").get(ruleIds.indexOf("labelled"));
    assertEquals("The image has a team label.", customRule.get("shortDescription").get("text").asText());
    assertEquals("error", find(run, "no-setuid").get("level").asText());
  }

  /**
   * A lint error no policy enforces (DL4000 MAINTAINER: hadolint's severity error, reported in warn
   * mode because no dockerfile-lint rule claims it) and a rule in warn mode: both are warnings in
   * every heading, count and format, and only the enforced error is an error.
   */
  @Test
  void errorsInWarnMode_areWarnings_inTextJsonAndSarifAlike() throws Exception {
    PolicySet warnOnly = TestImage.policy("""
        apiVersion: jscan.io/v1
        kind: Policy
        name: soft
        rules:
          - id: integrity
          - id: base-not-latest
          - id: no-setuid
            severity: error
            mode: warn
        """);
    var image = TestImage.image()
        .layer(RawTar.tar().dir("bin").file("bin/su", 04755, new byte[] {1}).build()).build();
    VerificationReport r = TestImage.verify(image, warnOnly, "FROM ubuntu:latest\nMAINTAINER someone\n");
    List<String> levels = r.allFindings().stream().map(f -> f.rule() + "=" + f.level().label()).sorted().toList();
    assertEquals(List.of("DL3007=warning", "DL4000=warning", "base-not-latest=error", "no-setuid=warning"), levels);

    StringWriter text = new StringWriter();
    new TextReport(false).write(r, new PrintWriter(text));
    String out = text.toString();
    String errors = out.substring(out.indexOf("  error ("), out.indexOf("  warning ("));
    assertTrue(errors.startsWith("  error (1)"), out);
    assertTrue(errors.contains("base-not-latest"), out);
    assertFalse(errors.contains("DL4000") || errors.contains("no-setuid"), "a warning listed under errors:\n" + out);
    assertTrue(out.contains("  warning (3)"), out);
    assertTrue(out.contains("! soft/no-setuid  warned: 1 finding"), "a warn-mode rule warned, it did not fail:\n" + out);
    assertTrue(out.contains("FAILED (policy violations): 1 error, 3 warnings, 0 info"), out);

    JsonNode json = JsonReport.toJson(r, "test");
    assertEquals("", Schemas.problems(Schemas.report(), json));
    assertEquals(1, json.get("summary").get("errors").asInt());
    assertEquals(3, json.get("summary").get("warnings").asInt());
    JsonNode dl4000 = json.get("findings").findParents("rule").stream().filter(f -> f.get("rule").asText().equals("DL4000")).findFirst().orElseThrow();
    assertEquals("error", dl4000.get("severity").asText(), "the rule's own severity is kept");
    assertEquals("warn", dl4000.get("mode").asText());
    assertEquals("warning", dl4000.get("level").asText());
    assertEquals("warned", json.get("images").get(0).get("rules").findParents("rule").stream()
        .filter(n -> n.get("rule").asText().equals("no-setuid")).findFirst().orElseThrow().get("status").asText());

    JsonNode sarif = SarifReport.toJson(r, warnOnly, "0.1.0-test");
    try (InputStream in = ReportsTest.class.getResourceAsStream("sarif-2.1.0-subset.schema.json")) {
      assertEquals("", Schemas.problems(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in), sarif));
    }
    JsonNode run = sarif.get("runs").get(0);
    assertEquals("warning", find(run, "DL4000").get("level").asText());
    assertEquals("warning", find(run, "no-setuid").get("level").asText());
    assertEquals("error", find(run, "base-not-latest").get("level").asText());
    long sarifErrors = 0;
    for (JsonNode result : run.get("results")) {
      sarifErrors += result.get("level").asText().equals("error") ? 1 : 0;
    }
    assertEquals(json.get("summary").get("errors").asLong(), sarifErrors, "SARIF and JSON count the same errors");
  }

  /**
   * The text report says which signatures and attestations verified, how each is stored, who
   * signed (key as given and its fingerprint, or keyless identity and issuer) and the log entry,
   * as the JSON report's policy input does; those that failed are findings, not listed there.
   */
  @Test
  void text_namesEachVerifiedSignature_itsSigner_andLogEntry() throws Exception {
    String key = "key cosign.pub (etyjF0JMFBfg…)";
    String keyless = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main (issuer https://token.actions.githubusercontent.com)";
    Evidence evidence = new Evidence(
        List.of(
            new Evidence.Signature("cosign", true, java.util.Optional.of(key), "oci:l:sha256-1.sig layer 1: verified", java.util.Optional.empty()),
            new Evidence.Signature("sigstore-bundle", true, java.util.Optional.of(keyless), "oci:l@sha256:2 (referrer): verified",
                java.util.Optional.of(7L)),
            new Evidence.Signature("cosign", false, java.util.Optional.empty(), "oci:l:sha256-1.sig layer 2: does not match the key",
                java.util.Optional.empty())),
        List.of(new Evidence.Attestation("https://slsa.dev/provenance/v1", true, "oci:l:sha256-1.att layer 1: verified", java.util.Map.of(),
            "cosign", java.util.Optional.of(key), java.util.Optional.empty())));
    VerificationReport signed;
    try (Verifier v = new Verifier(io.jscan.verifier.VerifierOptions.defaults().withParallelism(2)
        .withClock(java.time.Clock.fixed(TestImage.NOW, java.time.ZoneOffset.UTC)).withEvidence((subject, image, reference) -> evidence))) {
      signed = v.verify(TestImage.image().layer(RawTar.tar().file("a", "a").build()).build(),
          TestImage.request(PolicyLoader.load(List.of("baseline"))));
    }
    StringWriter text = new StringWriter();
    new TextReport(false).write(signed, new PrintWriter(text));
    List<String> lines = text.toString().lines().toList();
    int at = lines.indexOf("Signatures and attestations");
    assertTrue(at > 0, text.toString());
    assertEquals(List.of(
        "  ✔ signature (cosign .sig tag)  signed by " + key + "  no transparency log entry verified",
        "  ✔ signature (Sigstore bundle referrer)  signed by " + keyless + "  transparency log index 7",
        "  ✔ attestation https://slsa.dev/provenance/v1 (cosign .att tag)  signed by " + key + "  no transparency log entry verified",
        ""), lines.subList(at + 1, at + 5));
    assertTrue(text.toString().contains("! signature (warn)  manifest sha256:"), "the one that failed is a finding (outweighed): " + text);

    JsonNode input = JsonReport.toJson(signed, "test").at("/images/0/input");
    assertEquals(7, input.at("/signatures/1/logIndex").asInt());
    assertEquals(keyless, input.at("/signatures/1/identity").asText());
    assertEquals(key, input.at("/attestations/0/identity").asText());
    assertEquals("cosign", input.at("/attestations/0/kind").asText());
  }

  private static JsonNode find(JsonNode run, String rule) {
    for (JsonNode r : run.get("results")) {
      if (r.get("ruleId").asText().equals(rule)) {
        return r;
      }
    }
    throw new AssertionError("no result for " + rule);
  }

  @Test
  void text_treeFindingsBySeverityAndSummary_colourOnlyWhenAsked() {
    StringWriter plain = new StringWriter();
    new TextReport(false).write(report, new PrintWriter(plain));
    String out = plain.toString();
    assertTrue(out.contains("├── ✔ manifest"), out);
    assertTrue(out.contains("└── ✔ 1  sha256:"), out);
    assertTrue(out.contains("  error ("), out);
    assertTrue(out.contains("  waived (1)"), out);
    assertTrue(out.contains("no-setuid (mixed)  layer 1 sha256:"), out);
    assertTrue(out.contains("/bin/su: setuid file (mode 4755)"), out);
    assertTrue(out.strip().lines().reduce((a, b) -> b).orElseThrow().startsWith("FAILED (policy violations): "), out);
    assertFalse(out.contains("\u001b["));
    StringWriter coloured = new StringWriter();
    new TextReport(true).write(report, new PrintWriter(coloured));
    assertTrue(coloured.toString().contains("\u001b[31m✖\u001b[0m"));
  }
}
