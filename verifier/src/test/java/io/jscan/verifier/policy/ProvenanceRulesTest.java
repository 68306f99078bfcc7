package io.jscan.verifier.policy;

import static io.jscan.verifier.TestImage.findings;
import static io.jscan.verifier.TestImage.image;
import static io.jscan.verifier.TestImage.request;
import static io.jscan.verifier.TestImage.rule;
import static io.jscan.verifier.TestImage.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierOptions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Provenance in verification: signed provenance feeds base-not-latest and base-pinned (every image
 * the build read) and the policy input; unsigned provenance is shown and never decides.
 */
class ProvenanceRulesTest {
  static final String SLSA_V1 = "https://slsa.dev/provenance/v1";
  static final String PINNED = "b".repeat(64);
  static final String BASE_RULES = "- id: base-not-latest\n- id: base-pinned";

  /** A resolved dependency for an image, as jscan writes it. */
  static Map<String, Object> dependency(String purl, String sha256, boolean finalBase) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("uri", purl);
    if (sha256 != null) {
      d.put("digest", Map.of("sha256", sha256));
    }
    d.put("annotations", Map.of("finalBase", finalBase));
    return d;
  }

  /** A SLSA v1 predicate with these resolved dependencies. */
  static Map<String, Object> slsa(List<Map<String, Object>> dependencies) {
    List<Object> deps = new ArrayList<>(dependencies);
    deps.add(Map.of("name", "context", "digest", Map.of("sha256", "c".repeat(64))));
    return Map.of(
        "buildDefinition", Map.of(
            "buildType", "https://jscan.io/buildtypes/dockerfile/v1",
            "externalParameters", Map.of("dockerfile", Map.of("path", "Dockerfile"), "target", "final", "platform", "linux/amd64",
                "buildArgs", Map.of("FLAVOUR", "spicy")),
            "resolvedDependencies", deps),
        "runDetails", Map.of(
            "builder", Map.of("id", "https://jscan.io/builders/cli/v1", "version", Map.of("jscan", "0.1.0")),
            "metadata", Map.of("invocationId", "run-1", "startedOn", "2026-05-20T00:00:00Z", "finishedOn", "2026-05-20T00:01:00Z")));
  }

  static Evidence signed(Map<String, Object> predicate) {
    return new Evidence(List.of(), List.of(new Evidence.Attestation(SLSA_V1, true, "verified with the test key", predicate)));
  }

  static Evidence unsigned(Map<String, Object> predicate) {
    return new Evidence(List.of(), List.of(), List.of(new Evidence.Attachment(SLSA_V1, Digest.sha256("p"), predicate)));
  }

  static VerificationReport verify(Image image, PolicySet policies, Evidence evidence) throws Exception {
    try (Verifier v = new Verifier(VerifierOptions.defaults().withParallelism(2).withClock(Clock.fixed(TestImage.NOW, ZoneOffset.UTC))
        .withEvidence((subject, img, ref) -> evidence))) {
      return v.verify(image, request(policies));
    }
  }

  static Image plain() throws Exception {
    return image().layer(RawTar.tar().file("app/hello.txt", "hello\n").build()).build();
  }

  /** As {@link #dependency}, with jscan's {@code name}: the reference as the Dockerfile wrote it. */
  static Map<String, Object> named(String purl, String name, String sha256, boolean finalBase) {
    Map<String, Object> d = dependency(purl, sha256, finalBase);
    d.put("name", name);
    return d;
  }

  @Test
  void verify_signedProvenanceWithBasesWrittenWithDigests_passesBasePinnedAndBaseNotLatest() throws Exception {
    // BuildKit's RefToPURL: a digest written in the reference is the digest qualifier (no version when there is no tag)
    Evidence e = signed(slsa(List.of(
        dependency("pkg:docker/docker.io/library/golang?digest=sha256:" + PINNED + "&platform=linux%2Famd64", PINNED, false),
        dependency("pkg:docker/docker.io/library/debian@12?digest=sha256:" + PINNED + "&platform=linux%2Famd64", PINNED, true))));
    VerificationReport r = verify(plain(), rule(BASE_RULES), e);
    assertEquals(Status.PASSED, status(r, "base-pinned"), r.allFindings()::toString);
    assertEquals(Status.PASSED, status(r, "base-not-latest"), r.allFindings()::toString);
    @SuppressWarnings("unchecked")
    Map<String, Object> base = (Map<String, Object>) r.images().get(0).policyInput().get("base");
    assertEquals("provenance", base.get("source"));
    assertEquals("docker.io/library/debian:12@sha256:" + PINNED, base.get("reference"));
    assertEquals("sha256:" + PINNED, base.get("digest"));
    assertEquals("sha256:" + PINNED, base.get("resolvedDigest"));
    assertEquals(true, base.get("pinned"));
    assertEquals(false, base.get("latest"));
  }

  @Test
  void verify_signedProvenanceOfATagResolvedToADigest_failsBothRules() throws Exception {
    // changed: the dependency's digest used to count as a pin (and made latest pass); it is what the build
    // resolved the tag to, not what the Dockerfile names
    Evidence e = signed(slsa(List.of(
        dependency("pkg:docker/docker.io/library/golang@latest?platform=linux%2Famd64", PINNED, false),
        dependency("pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64", PINNED, true))));
    VerificationReport r = verify(plain(), rule(BASE_RULES), e);
    assertEquals(Status.FAILED, status(r, "base-not-latest"));
    assertEquals("image docker.io/library/golang:latest read by the build (signed provenance) uses the latest tag (DL3007); the digest sha256:"
        + PINNED + " resolved at build time does not pin what the Dockerfile names", findings(r, "base-not-latest").get(0).message());
    assertEquals(Status.FAILED, status(r, "base-pinned"));
    assertEquals(2, findings(r, "base-pinned").size(), "the builder stage's image and the final base");
    @SuppressWarnings("unchecked")
    Map<String, Object> base = (Map<String, Object>) r.images().get(0).policyInput().get("base");
    assertEquals("docker.io/library/debian:12", base.get("reference"));
    assertEquals(null, base.get("digest"), "no digest written");
    assertEquals("sha256:" + PINNED, base.get("resolvedDigest"));
    assertEquals(false, base.get("pinned"));
  }

  @Test
  void verify_provenanceWithUnpinnedBase_failsBasePinned() throws Exception {
    Evidence e = signed(slsa(List.of(
        dependency("pkg:docker/docker.io/library/golang@1.22?platform=linux%2Famd64", null, false),
        dependency("pkg:docker/docker.io/library/debian@12?digest=sha256:" + PINNED + "&platform=linux%2Famd64", PINNED, true))));
    VerificationReport r = verify(plain(), rule(BASE_RULES), e);
    assertEquals(Status.FAILED, status(r, "base-pinned"));
    assertEquals(Verdict.POLICY_VIOLATION, r.verdict());
    assertEquals(List.of("image docker.io/library/golang:1.22 read by the build (signed provenance) is not pinned by digest"),
        findings(r, "base-pinned").stream().map(f -> f.message()).toList(), "a builder stage's image counts too, not only the final base");
    assertEquals(Status.PASSED, status(r, "base-not-latest"));
  }

  @Test
  void verify_provenanceWithFloatingLatestBase_failsBaseNotLatest() throws Exception {
    Evidence e = signed(slsa(List.of(dependency("pkg:docker/ubuntu?platform=linux%2Famd64", null, true))));
    VerificationReport r = verify(plain(), rule(BASE_RULES), e);
    assertEquals(Status.FAILED, status(r, "base-not-latest"));
    assertEquals("base image ubuntu (signed provenance) has no tag, so it follows latest (DL3006)",
        findings(r, "base-not-latest").get(0).message());
    assertEquals(Status.FAILED, status(r, "base-pinned"));
  }

  @Test
  void verify_jscanProvenanceName_isTheReferenceAsWritten() throws Exception {
    // jscan's name holds the reference as written, digest included, even where an older purl left the digest out
    Evidence latestPinned = signed(slsa(List.of(named("pkg:docker/docker.io/library/debian@latest?platform=linux%2Famd64",
        "docker.io/library/debian:latest@sha256:" + PINNED, PINNED, true))));
    VerificationReport r = verify(plain(), rule(BASE_RULES), latestPinned);
    assertEquals(Status.FAILED, status(r, "base-not-latest"), "latest@sha256 still names latest (DL3007)");
    assertEquals(Status.PASSED, status(r, "base-pinned"), r.allFindings()::toString);
    @SuppressWarnings("unchecked")
    Map<String, Object> base = (Map<String, Object>) r.images().get(0).policyInput().get("base");
    assertEquals(true, base.get("latest"));
    assertEquals(true, base.get("pinned"));
    assertEquals("latest", base.get("tag"));

    Evidence tagOnly = signed(slsa(List.of(named("pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64",
        "docker.io/library/debian:12", PINNED, true))));
    VerificationReport t = verify(plain(), rule(BASE_RULES), tagOnly);
    assertEquals(Status.PASSED, status(t, "base-not-latest"));
    assertEquals(Status.FAILED, status(t, "base-pinned"));

    // a name that does not name the purl's repository means something else: the purl decides
    Evidence other = signed(slsa(List.of(named("pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64",
        "docker.io/library/alpine@sha256:" + PINNED, PINNED, true))));
    assertEquals(Status.FAILED, status(verify(plain(), rule(BASE_RULES), other), "base-pinned"));
  }

  @Test
  void verify_signedProvenanceWinsOverTheBaseLabel() throws Exception {
    Image labelled = image().label("org.opencontainers.image.base.name", "debian:latest").layer(RawTar.tar().file("a", "a").build()).build();
    VerificationReport withoutProvenance = verify(labelled, rule(BASE_RULES), Evidence.none());
    assertEquals(Status.FAILED, status(withoutProvenance, "base-not-latest"));
    Evidence e = signed(slsa(List.of(dependency("pkg:docker/docker.io/library/debian@12?digest=sha256:" + PINNED + "&platform=linux%2Famd64",
        PINNED, true))));
    VerificationReport r = verify(labelled, rule(BASE_RULES), e);
    assertEquals(Status.PASSED, status(r, "base-not-latest"), r.allFindings()::toString);
    assertEquals(Status.PASSED, status(r, "base-pinned"), r.allFindings()::toString);
  }

  @Test
  void verify_unsignedProvenance_isShownButDecidesNothing() throws Exception {
    Evidence e = unsigned(slsa(List.of(dependency("pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64", PINNED, true))));
    VerificationReport r = verify(plain(), rule(BASE_RULES), e);
    assertEquals(Status.SKIPPED, status(r, "base-pinned"));
    String reason = r.images().get(0).rules().stream().filter(x -> x.rule().equals("base-pinned")).findFirst().orElseThrow().detail();
    assertTrue(reason.contains("not signed by a trusted key"), reason);
    @SuppressWarnings("unchecked")
    Map<String, Object> provenance = (Map<String, Object>) r.images().get(0).policyInput().get("provenance");
    assertEquals(false, provenance.get("verified"));
    assertEquals("artifact", provenance.get("source"));
    assertEquals(Map.of(), r.images().get(0).policyInput().get("base"), "unsigned provenance does not name the base");
  }

  @Test
  void provenanceInput_hasBuilderParametersAndBaseImages_forCelRules() throws Exception {
    Evidence e = signed(slsa(List.of(dependency("pkg:docker/docker.io/library/debian@12?digest=sha256:" + PINNED + "&platform=linux%2Famd64",
        PINNED, true))));
    VerificationReport r = verify(plain(), rule("""
        - id: built-by-jscan
          expression: "provenance.verified && provenance.builder.id == 'https://jscan.io/builders/cli/v1' && provenance.parameters.buildArgs.FLAVOUR == 'spicy'"
        - id: bases-pinned
          expression: "provenance.baseImages.all(b, b.pinned)"
        - id: not-from-ci
          expression: "provenance.builder.id.startsWith('https://github.com/')"
          message: "built by {{ provenance.builder.id }} ({{ provenance.invocationId }})"
        """), e);
    assertEquals(Status.PASSED, status(r, "built-by-jscan"), r.allFindings()::toString);
    assertEquals(Status.PASSED, status(r, "bases-pinned"));
    assertEquals("built by https://jscan.io/builders/cli/v1 (run-1)", findings(r, "not-from-ci").get(0).message());
  }

  @Test
  void verify_buildKitStyleV02Provenance_readsMaterials() throws Exception {
    // BuildKit writes FROM golang:1.19.4-alpine as pkg:docker/golang@1.19.4-alpine with the resolved digest beside it:
    // not pinned as written; with the digest written (FROM golang:1.19.4-alpine@sha256:…), the digest qualifier says so
    Map<String, Object> v02 = buildKitV02("pkg:docker/golang@1.19.4-alpine?platform=linux%2Farm64");
    Evidence e = new Evidence(List.of(), List.of(new Evidence.Attestation("https://slsa.dev/provenance/v0.2", true, "ok", v02)));
    VerificationReport r = verify(plain(), rule(BASE_RULES), e);
    assertEquals(Status.FAILED, status(r, "base-pinned"), r.allFindings()::toString);
    assertEquals(Status.PASSED, status(r, "base-not-latest"), r.allFindings()::toString);
    @SuppressWarnings("unchecked")
    Map<String, Object> base = (Map<String, Object>) r.images().get(0).policyInput().get("base");
    assertEquals("docker.io/library/golang", base.get("repository"), "the only image is the base");

    Map<String, Object> pinned = buildKitV02("pkg:docker/golang@1.19.4-alpine?digest=sha256:" + PINNED + "&platform=linux%2Farm64");
    Evidence p = new Evidence(List.of(), List.of(new Evidence.Attestation("https://slsa.dev/provenance/v0.2", true, "ok", pinned)));
    VerificationReport rp = verify(plain(), rule(BASE_RULES), p);
    assertEquals(Status.PASSED, status(rp, "base-pinned"), rp.allFindings()::toString);
    assertEquals(Status.PASSED, status(rp, "base-not-latest"), rp.allFindings()::toString);
  }

  private static Map<String, Object> buildKitV02(String purl) {
    return Map.of(
        "builder", Map.of("id", "https://github.com/actions/runner"),
        "buildType", "https://mobyproject.org/buildkit@v1",
        "materials", List.of(Map.of("uri", purl, "digest", Map.of("sha256", PINNED))),
        "invocation", Map.of("parameters", Map.of("frontend", "dockerfile.v0")));
  }
}
