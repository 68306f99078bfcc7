package io.jscan.verifier.policy;

import static io.jscan.verifier.TestImage.findings;
import static io.jscan.verifier.TestImage.image;
import static io.jscan.verifier.TestImage.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.Severity;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verifier;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code base-not-latest} and {@code base-pinned} give the same verdict on the three paths a user
 * has, for a Dockerfile and the image built from it: {@code jscan dockerfile lint --policy P},
 * {@code jscan verify IMAGE --policy P --dockerfile Dockerfile} and {@code jscan verify IMAGE
 * --policy P}, with the shipped baseline and strict policies. The image carries the labels
 * {@code jscan build} writes (as buildah does): {@code base.name} the final base as written, fully
 * qualified, and {@code base.digest} what it resolved to (the CLI's BaseRulesCliTest builds them for real).
 */
class BaseRulesAgreementTest {
  private static final String WRITTEN = "sha256:" + "d".repeat(64);
  private static final String RESOLVED = "sha256:" + "e".repeat(64);

  /** Dockerfile, the base.name label jscan build writes for it (null: none), base-not-latest passes, base-pinned passes. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("FROM debian:latest\n", "docker.io/library/debian:latest", false, false),
        Arguments.of("FROM debian\n", "docker.io/library/debian:latest", false, false),
        Arguments.of("FROM 127.0.0.1:5055/debian:latest\n", "127.0.0.1:5055/debian:latest", false, false),
        Arguments.of("FROM debian:latest@" + WRITTEN + "\n", "docker.io/library/debian:latest@" + WRITTEN, false, true),
        Arguments.of("FROM debian@" + WRITTEN + "\n", "docker.io/library/debian@" + WRITTEN, true, true),
        Arguments.of("FROM debian:12\n", "docker.io/library/debian:12", true, false),
        Arguments.of("FROM debian:12@" + WRITTEN + "\n", "docker.io/library/debian:12@" + WRITTEN, true, true),
        Arguments.of("FROM scratch\nCOPY a /\n", null, true, true),
        Arguments.of("FROM debian:latest AS builder\nRUN make\nFROM builder\nCOPY a /\n", "docker.io/library/debian:latest", false, false),
        Arguments.of("FROM golang:1.22 AS build\nFROM debian:12@" + WRITTEN + " AS runtime\nFROM runtime\nCOPY --from=build /app /\n",
            "docker.io/library/debian:12@" + WRITTEN, true, true),
        Arguments.of("ARG BASE=debian:latest\nFROM ${BASE}\n", "docker.io/library/debian:latest", false, false),
        Arguments.of("ARG TAG=12\nFROM debian:${TAG}\n", "docker.io/library/debian:12", true, false),
        Arguments.of("ARG DIGEST=" + WRITTEN + "\nFROM debian:12@${DIGEST}\n", "docker.io/library/debian:12@" + WRITTEN, true, true),
        // jscan's local transports: no registry tag to float on; pinned only with a digest written
        Arguments.of("FROM oci:/images/base@" + WRITTEN + "\n", "oci:/images/base@" + WRITTEN, true, true),
        Arguments.of("FROM oci:/images/base:latest\n", "oci:/images/base:latest", true, false),
        Arguments.of("FROM docker-archive:/images/base.tar\n", "docker-archive:/images/base.tar", true, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void baseRules_lintVerifyWithDockerfileAndVerify_giveTheSameVerdict(String dockerfile, String label, boolean notLatest, boolean pinned)
      throws Exception {
    Image built = built(label);
    for (String policy : List.of("baseline", "strict")) {
      PolicySet policies = PolicyLoader.load(List.of(policy));
      Map<String, Status> expected = policy.equals("baseline")
          ? Map.of("base-not-latest", verdict(notLatest))
          : Map.of("base-not-latest", verdict(notLatest), "base-pinned", verdict(pinned));
      VerificationReport lint;
      try (Verifier v = TestImage.verifier()) {
        lint = v.lint(Dockerfile.parse("Dockerfile", dockerfile), policies, Severity.INFO);
      }
      VerificationReport withDockerfile = TestImage.verify(built, policies, dockerfile);
      VerificationReport imageAlone = TestImage.verify(built, policies);
      for (Map.Entry<String, Status> e : expected.entrySet()) {
        String rule = e.getKey();
        assertEquals(e.getValue(), status(lint, rule), () -> policy + " lint " + rule + ": " + lint.allFindings());
        assertEquals(e.getValue(), status(withDockerfile, rule), () -> policy + " verify --dockerfile " + rule + ": " + withDockerfile.allFindings());
        // an image built FROM scratch carries no base label: alone, it cannot say it had no base, so the rules skip
        // (neither fails: the exit code is the same)
        Status alone = label == null ? Status.SKIPPED : e.getValue();
        assertEquals(alone, status(imageAlone, rule), () -> policy + " verify " + rule + ": " + imageAlone.allFindings());
        assertTrue(findings(withDockerfile, rule).size() <= 1, () -> "the Dockerfile and the label agree: one finding, " + findings(withDockerfile, rule));
      }
    }
  }

  /** An image as jscan build labels it: base.name as written, base.digest as resolved (a digest reference resolves to its digest). */
  private static Image built(String label) throws Exception {
    TestImage image = image();
    if (label != null) {
      image.label("org.opencontainers.image.base.name", label)
          .label("org.opencontainers.image.base.digest", label.contains("@") ? label.substring(label.indexOf('@') + 1) : RESOLVED);
    }
    return image.build();
  }

  private static Status verdict(boolean passes) {
    return passes ? Status.PASSED : Status.FAILED;
  }

  @Test
  void verifyWithDockerfile_agreeingSources_reportOnceAtTheFromLine_withTheResolvedDigest() throws Exception {
    VerificationReport r = TestImage.verify(built("127.0.0.1:5055/debian:latest"), PolicyLoader.load(List.of("baseline")),
        "FROM 127.0.0.1:5055/debian:latest\nCOPY a /\n");
    List<Finding> f = findings(r, "base-not-latest");
    assertEquals(1, f.size(), f::toString);
    assertEquals("base image 127.0.0.1:5055/debian:latest uses the latest tag (DL3007); the digest " + RESOLVED
        + " resolved at build time does not pin what the Dockerfile names", f.get(0).message());
    Location.InDockerfile at = (Location.InDockerfile) f.get(0).location().orElseThrow();
    assertEquals(1, at.startLine());
  }

  @Test
  void verifyWithDockerfile_dockerfileSaysLatest_labelSaysTwelve_failsClosedNamingBoth() throws Exception {
    // the image says debian:12 (built with --build-arg, or relabelled), the Dockerfile given says latest
    VerificationReport r = TestImage.verify(built("docker.io/library/debian:12"), PolicyLoader.load(List.of("baseline")),
        "ARG BASE=debian:latest\nFROM ${BASE}\n");
    assertEquals(Status.FAILED, status(r, "base-not-latest"));
    List<Finding> f = findings(r, "base-not-latest");
    assertEquals(1, f.size(), f::toString);
    assertEquals("base image debian:latest uses the latest tag (DL3007); the image's org.opencontainers.image.base.name label names "
        + "docker.io/library/debian:12 instead: the image and the Dockerfile disagree, so the rule fails", f.get(0).message());
    assertEquals(2, ((Location.InDockerfile) f.get(0).location().orElseThrow()).startLine());
  }

  @Test
  void verifyWithDockerfile_labelSaysLatest_dockerfileSaysTwelve_failsClosedNamingBoth() throws Exception {
    VerificationReport r = TestImage.verify(built("docker.io/library/debian:latest"), PolicyLoader.load(List.of("baseline")),
        "FROM debian:12\n");
    assertEquals(Status.FAILED, status(r, "base-not-latest"));
    List<Finding> f = findings(r, "base-not-latest");
    assertEquals(1, f.size(), f::toString);
    assertEquals("base image docker.io/library/debian:latest (org.opencontainers.image.base.name label) uses the latest tag (DL3007); the digest "
        + RESOLVED + " resolved at build time does not pin what the Dockerfile names; the Dockerfile (Dockerfile:1) names debian:12 instead: "
        + "the image and the Dockerfile disagree, so the rule fails", f.get(0).message());
    assertEquals("config", ((Location.InImage) f.get(0).location().orElseThrow()).part());
  }

  @Test
  void verifyWithDockerfile_scratchDockerfile_unpinnedLabel_failsBasePinnedNamingBoth() throws Exception {
    VerificationReport r = TestImage.verify(built("docker.io/library/debian:12"), PolicyLoader.load(List.of("strict")), "FROM scratch\n");
    assertEquals(Status.PASSED, status(r, "base-not-latest"));
    assertEquals(Status.FAILED, status(r, "base-pinned"));
    String message = findings(r, "base-pinned").get(0).message();
    assertTrue(message.endsWith("; the Dockerfile (Dockerfile:1) names scratch instead: the image and the Dockerfile disagree, so the rule fails"),
        message);
  }

  @Test
  void policyInput_baseSaysLatestForLatestWithDigest_andKeepsTheResolvedDigestApart() throws Exception {
    VerificationReport r = TestImage.verify(built("docker.io/library/debian:latest@" + WRITTEN), TestImage.rule("- id: base-not-latest"));
    @SuppressWarnings("unchecked")
    Map<String, Object> base = (Map<String, Object>) r.images().get(0).policyInput().get("base");
    assertEquals("docker.io/library/debian:latest@" + WRITTEN, base.get("reference"));
    assertEquals("latest", base.get("tag"));
    assertEquals(true, base.get("latest"));
    assertEquals(true, base.get("pinned"));
    assertEquals(WRITTEN, base.get("digest"));
    assertEquals(WRITTEN, base.get("resolvedDigest"));

    VerificationReport tagged = TestImage.verify(built("docker.io/library/debian:12"), TestImage.rule("- id: base-not-latest"));
    @SuppressWarnings("unchecked")
    Map<String, Object> b = (Map<String, Object>) tagged.images().get(0).policyInput().get("base");
    assertEquals(false, b.get("pinned"));
    assertEquals(false, b.containsKey("digest"), "no digest written: " + b);
    assertEquals(RESOLVED, b.get("resolvedDigest"));
  }

  @Test
  void dockerfileWhoseFromNeedsABuildArg_isUnknownAlone_andTheImageLabelDecidesBesideIt() throws Exception {
    String dockerfile = "ARG BASE\nFROM ${BASE}\n";
    VerificationReport lint;
    try (Verifier v = TestImage.verifier()) {
      lint = v.lint(Dockerfile.parse("Dockerfile", dockerfile), PolicyLoader.load(List.of("baseline")), Severity.INFO);
    }
    assertEquals(Status.SKIPPED, status(lint, "base-not-latest"));
    VerificationReport r = TestImage.verify(built("docker.io/library/debian:latest"), PolicyLoader.load(List.of("baseline")), dockerfile);
    assertEquals(Status.FAILED, status(r, "base-not-latest"), "the label still names latest");
  }
}
