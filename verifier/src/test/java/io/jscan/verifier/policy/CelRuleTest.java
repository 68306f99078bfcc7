package io.jscan.verifier.policy;

import static io.jscan.verifier.TestImage.findings;
import static io.jscan.verifier.TestImage.image;
import static io.jscan.verifier.TestImage.rule;
import static io.jscan.verifier.TestImage.status;
import static io.jscan.verifier.TestImage.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.dockerfile.Dockerfile;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.Severity;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.Verifier;
import org.junit.jupiter.api.Test;

class CelRuleTest {

  @Test
  void cel_passesWhenTrue_failsWithTemplatedMessage() throws Exception {
    String r = """
        - id: team-label
          expression: "'team' in labels"
          message: "{{ image.reference }} lacks a team label; it has {{ labels.size() }} labels, user '{{ config.user }}'"
        """;
    VerificationReport ok = verify(image().label("team", "payments").build(), rule(r));
    assertEquals(Status.PASSED, status(ok, "team-label"));
    VerificationReport bad = verify(image().label("other", "x").user("app").build(), rule(r));
    assertEquals(Verdict.POLICY_VIOLATION, bad.verdict());
    assertEquals("test-image lacks a team label; it has 1 labels, user 'app'", findings(bad, "team-label").get(0).message());
  }

  @Test
  void cel_seesLayersFilesConfigAndNow() throws Exception {
    String r = """
        - id: shape
          expression: >-
            layers.size() == 2 && layers.all(l, l.verified && l.size > 0) &&
            files.setuid.exists(f, f.path == '/bin/su' && f.modeOctal == '4755') &&
            image.integrity.passed && image.layerCount == 2 &&
            timestamp(image.created) > now - duration('720h') && image.ageDays < 30 &&
            config.history.size() == 2 && base.size() == 0 && dockerfile.size() == 0
        """;
    VerificationReport report = verify(image()
        .layer(RawTar.tar().dir("bin").file("bin/su", 04755, new byte[] {1}).build())
        .layer(RawTar.tar().file("readme", "x").build()).build(), rule(r));
    assertEquals(Status.PASSED, status(report, "shape"), () -> report.allFindings().toString());
  }

  @Test
  void cel_evaluationError_failsClosed() throws Exception {
    VerificationReport r = verify(image().build(), rule("- id: missing-key\n  expression: \"labels['absent'] == 'x'\""));
    assertEquals(Verdict.POLICY_VIOLATION, r.verdict());
    assertTrue(findings(r, "missing-key").get(0).message().startsWith("could not be evaluated:"), findings(r, "missing-key").toString());
  }

  @Test
  void cel_runawayComprehension_stopsWithFinding() throws Exception {
    String expr = "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c,"
        + " [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, true))))))";
    VerificationReport r = verify(image().build(), rule("- id: runaway\n  expression: \"" + expr + "\""));
    assertTrue(findings(r, "runaway").get(0).message().contains("could not be evaluated"), findings(r, "runaway").toString());
  }

  @Test
  void cel_dockerfileSubject_skippedForImageAloneAndEvaluatedForDockerfile() throws Exception {
    String r = "- id: stages\n  subject: dockerfile\n  expression: \"dockerfile.stages <= 1\"\n  message: \"{{ dockerfile.stages }} stages\"";
    assertEquals(Status.SKIPPED, status(verify(image().build(), rule(r)), "stages"));
    try (Verifier v = TestImage.verifier()) {
      VerificationReport two = v.lint(Dockerfile.parse("Dockerfile", "FROM alpine:3 AS a\nFROM alpine:3\n"), rule(r), Severity.ERROR);
      assertEquals(Status.FAILED, status(two, "stages"));
      assertEquals("2 stages", findings(two, "stages").get(0).message());
    }
  }
}
