package io.jscan.verifier.policy;

import static io.jscan.verifier.TestImage.findings;
import static io.jscan.verifier.TestImage.image;
import static io.jscan.verifier.TestImage.policy;
import static io.jscan.verifier.TestImage.status;
import static io.jscan.verifier.TestImage.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.verifier.Finding;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verdict;
import org.junit.jupiter.api.Test;

class ExceptionsTest {
  private static final String POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: p
      rules:
        - id: no-setuid
      exceptions:
        - rule: no-setuid
          reason: ping needs it (SEC-42)
          expires: %s
          paths: [%s]
      """;

  private static Image suid() throws Exception {
    return image().layer(RawTar.tar().dir("bin").file("bin/ping", 04755, new byte[] {1}).build()).build();
  }

  @Test
  void activeException_waivesMatchingFinding_keptWithReason() throws Exception {
    VerificationReport r = verify(suid(), policy(POLICY.formatted("2026-06-01", "\"/bin/*\"")));
    assertEquals(Verdict.PASSED, r.verdict(), "the exception's last day is today");
    Finding f = findings(r, "no-setuid").get(0);
    assertFalse(f.blocking());
    assertEquals("ping needs it (SEC-42)", f.suppression().orElseThrow().reason());
    assertEquals(Status.WAIVED, status(r, "no-setuid"));
  }

  @Test
  void expiredException_waivesNothingAndSaysSo() throws Exception {
    VerificationReport r = verify(suid(), policy(POLICY.formatted("2026-05-31", "\"/bin/*\"")));
    assertEquals(Verdict.POLICY_VIOLATION, r.verdict());
    assertTrue(findings(r, "no-setuid").stream().anyMatch(f -> f.message().contains("expired on 2026-05-31")), r.allFindings().toString());
    assertTrue(findings(r, "no-setuid").stream().anyMatch(Finding::blocking));
  }

  @Test
  void exceptionForOtherPaths_waivesNothing() throws Exception {
    VerificationReport r = verify(suid(), policy(POLICY.formatted("2030-01-01", "\"/usr/bin/*\"")));
    assertEquals(Verdict.POLICY_VIOLATION, r.verdict());
  }

  @Test
  void exceptionScopedToImages_matchesReferenceGlob() throws Exception {
    String yaml = """
        apiVersion: jscan.io/v1
        kind: Policy
        name: p
        rules:
          - id: maintainer
        exceptions:
          - rule: maintainer
            reason: third-party image
            expires: 2030-01-01
            images: ["%s"]
        """;
    assertEquals(Verdict.PASSED, verify(image().build(), policy(yaml.formatted("test-*"))).verdict());
    assertEquals(Verdict.POLICY_VIOLATION, verify(image().build(), policy(yaml.formatted("other-*"))).verdict());
  }
}
