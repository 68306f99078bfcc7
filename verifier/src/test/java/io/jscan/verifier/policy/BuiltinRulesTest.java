package io.jscan.verifier.policy;

import static io.jscan.verifier.TestImage.findings;
import static io.jscan.verifier.TestImage.image;
import static io.jscan.verifier.TestImage.rule;
import static io.jscan.verifier.TestImage.status;
import static io.jscan.verifier.TestImage.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.verifier.Category;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.TestSecrets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each built-in rule with an image that passes it and one that fails it (the examples of policies/README.md). */
class BuiltinRulesTest {
  private static final String DIGEST = "sha256:" + "a".repeat(64);

  private static void passes(Image image, String ruleYaml, String rule) throws Exception {
    VerificationReport r = verify(image, rule(ruleYaml));
    assertEquals(Status.PASSED, status(r, rule), () -> r.allFindings().toString());
    assertEquals(Verdict.PASSED, r.verdict());
  }

  private static Finding fails(Image image, String ruleYaml, String rule) throws Exception {
    VerificationReport r = verify(image, rule(ruleYaml));
    assertEquals(Status.FAILED, status(r, rule), () -> r.allFindings().toString());
    assertEquals(Verdict.POLICY_VIOLATION, r.verdict());
    List<Finding> f = findings(r, rule);
    assertTrue(f.get(0).blocking());
    assertEquals(Category.POLICY, f.get(0).category());
    assertEquals("test", f.get(0).policy().orElseThrow());
    return f.get(0);
  }

  @Test
  void baseNotLatest_fromBaseLabel() throws Exception {
    String r = "- id: base-not-latest";
    passes(image().label("org.opencontainers.image.base.name", "docker.io/library/debian:12").build(), r, "base-not-latest");
    passes(image().label("org.opencontainers.image.base.name", "debian@" + DIGEST).build(), r, "base-not-latest");
    passes(image().label("org.opencontainers.image.base.name", "debian:12@" + DIGEST).build(), r, "base-not-latest");
    assertTrue(fails(image().label("org.opencontainers.image.base.name", "debian:latest").build(), r, "base-not-latest").message().contains("latest"));
    assertTrue(fails(image().label("org.opencontainers.image.base.name", "debian").build(), r, "base-not-latest").message().contains("no tag"));
  }

  @Test
  void baseNotLatest_latestWithAResolvedDigestLabel_stillFails() throws Exception {
    // what a builder records beside the name (buildah and jscan write base.digest) is one build's resolution, not a pin
    Image built = image().label("org.opencontainers.image.base.name", "127.0.0.1:5055/debian:latest")
        .label("org.opencontainers.image.base.digest", DIGEST).build();
    Finding f = fails(built, "- id: base-not-latest", "base-not-latest");
    assertEquals("base image 127.0.0.1:5055/debian:latest (org.opencontainers.image.base.name label) uses the latest tag (DL3007); "
        + "the digest " + DIGEST + " resolved at build time does not pin what the Dockerfile names", f.message());
    assertEquals("config", ((Location.InImage) f.location().orElseThrow()).part());
  }

  @Test
  void baseNotLatest_latestTagWithWrittenDigest_fails_asHadolintDl3007() throws Exception {
    Finding f = fails(image().label("org.opencontainers.image.base.name", "docker.io/library/debian:latest@" + DIGEST).build(),
        "- id: base-not-latest", "base-not-latest");
    assertTrue(f.message().contains("uses the latest tag (DL3007), which the digest written after it does not change"), f.message());
  }

  @Test
  void baseNotLatest_unknownBaseSkippedUnlessRequired() throws Exception {
    VerificationReport r = verify(image().build(), rule("- id: base-not-latest"));
    assertEquals(Status.SKIPPED, status(r, "base-not-latest"));
    fails(image().build(), "- id: base-not-latest\n  parameters: {requireKnown: true}", "base-not-latest");
  }

  @Test
  void basePinned_digestWrittenInTheBaseName_passes() throws Exception {
    String r = "- id: base-pinned";
    passes(image().label("org.opencontainers.image.base.name", "debian:12@" + DIGEST).build(), r, "base-pinned");
    passes(image().label("org.opencontainers.image.base.name", "docker.io/library/debian@" + DIGEST).build(), r, "base-pinned");
    passes(image().label("org.opencontainers.image.base.name", "debian:latest@" + DIGEST).build(), r, "base-pinned");
    fails(image().label("org.opencontainers.image.base.name", "debian:12").build(), r, "base-pinned");
  }

  @Test
  void basePinned_resolvedBaseDigestLabelAlone_fails() throws Exception {
    // changed: this image used to pass (the base.digest label counted as a pin); the rule now asks that the
    // reference as written names the bytes, which a digest resolved at build time does not
    Finding f = fails(image().label("org.opencontainers.image.base.name", "debian:12").label("org.opencontainers.image.base.digest", DIGEST).build(),
        "- id: base-pinned", "base-pinned");
    assertEquals("base image debian:12 (org.opencontainers.image.base.name label) is not pinned by digest: the digest " + DIGEST
        + " it resolved to at build time is not written in the reference, so another build may read other bytes (write debian:12@" + DIGEST + ")",
        f.message());
    // the suggestion drops latest: debian:latest@sha256:… would still fail base-not-latest
    Finding latest = fails(image().label("org.opencontainers.image.base.name", "127.0.0.1:5055/debian:latest")
        .label("org.opencontainers.image.base.digest", DIGEST).build(), "- id: base-pinned", "base-pinned");
    assertTrue(latest.message().endsWith("(write 127.0.0.1:5055/debian@" + DIGEST + ")"), latest.message());
  }

  @Test
  void maintainer_labelOrAuthor() throws Exception {
    String r = "- id: maintainer";
    passes(image().label("org.opencontainers.image.authors", "team@example.com").build(), r, "maintainer");
    passes(image().label("maintainer", "someone").build(), r, "maintainer");
    passes(image().author("someone").build(), r, "maintainer");
    fails(image().label("maintainer", "  ").build(), r, "maintainer");
  }

  @Test
  void nonRootUser() throws Exception {
    String r = "- id: non-root-user";
    passes(image().user("65534").build(), r, "non-root-user");
    passes(image().user("app:app").build(), r, "non-root-user");
    assertTrue(fails(image().build(), r, "non-root-user").message().contains("no User"));
    fails(image().user("root").build(), r, "non-root-user");
    fails(image().user("0:0").build(), r, "non-root-user");
  }

  @Test
  void noSetuid_withAllowList() throws Exception {
    Image suid = image().layer(RawTar.tar().dir("usr").dir("usr/bin").file("usr/bin/passwd", 04755, new byte[] {1}).build()).build();
    Finding f = fails(suid, "- id: no-setuid", "no-setuid");
    Location.InImage at = (Location.InImage) f.location().orElseThrow();
    assertEquals("/usr/bin/passwd", at.path().orElseThrow());
    assertEquals(1, at.layer().getAsInt());
    passes(suid, "- id: no-setuid\n  parameters: {allow: [/usr/bin/passwd]}", "no-setuid");
    passes(image().layer(RawTar.tar().file("plain", "x").build()).build(), "- id: no-setuid", "no-setuid");
  }

  @Test
  void noSecrets_neverPrintsTheSecret() throws Exception {
    Image leaky = image().layer(RawTar.tar().dir("root").file("root/key.pem", 0600, TestSecrets.PEM.getBytes()).build()).build();
    Finding f = fails(leaky, "- id: no-secrets", "no-secrets");
    assertTrue(f.message().startsWith("RSA private key (fingerprint sha256:"), f.message());
    assertTrue(!f.message().contains("MIIEow"));
    assertEquals(1, ((Location.InImage) f.location().orElseThrow()).line().getAsInt());
    passes(leaky, "- id: no-secrets\n  parameters: {ignorePaths: [\"/root/*\"]}", "no-secrets");
  }

  @Test
  void allowedRegistries_checksBase() throws Exception {
    String r = "- id: allowed-registries\n  parameters: {registries: [docker.io/library, ghcr.io/acme]}";
    passes(image().label("org.opencontainers.image.base.name", "debian:12").build(), r, "allowed-registries");
    passes(image().label("org.opencontainers.image.base.name", "ghcr.io/acme/base:1").build(), r, "allowed-registries");
    fails(image().label("org.opencontainers.image.base.name", "ghcr.io/acmex/base:1").build(), r, "allowed-registries");
    fails(image().label("org.opencontainers.image.base.name", "quay.io/other/base:1").build(), r, "allowed-registries");
  }

  @Test
  void requiredLabels_namesAndPatterns() throws Exception {
    String r = "- id: required-labels\n  parameters:\n    labels: [org.opencontainers.image.source]\n    patterns: {org.opencontainers.image.version: '\\d+\\.\\d+\\.\\d+'}";
    passes(image().label("org.opencontainers.image.source", "https://example.com/repo").label("org.opencontainers.image.version", "1.2.3").build(),
        r, "required-labels");
    VerificationReport bad = verify(image().label("org.opencontainers.image.version", "latest").build(), rule(r));
    assertEquals(2, findings(bad, "required-labels").size());
  }

  @Test
  void maxSizeAndMaxLayers() throws Exception {
    Image two = image().layer(RawTar.tar().file("a", "x").build()).layer(RawTar.tar().file("b", "y").build()).build();
    passes(two, "- id: max-layers\n  parameters: {max: 2}", "max-layers");
    fails(two, "- id: max-layers\n  parameters: {max: 1}", "max-layers");
    passes(two, "- id: max-size\n  parameters: {maxBytes: 1MB}", "max-size");
    fails(two, "- id: max-size\n  parameters: {maxBytes: 10}", "max-size");
    fails(two, "- id: max-size\n  parameters: {maxBytes: 1GiB, maxUncompressedBytes: 100}", "max-size");
  }

  @Test
  void healthcheck() throws Exception {
    passes(image().healthcheck("CMD", "/bin/check").build(), "- id: healthcheck", "healthcheck");
    fails(image().healthcheck("NONE").build(), "- id: healthcheck", "healthcheck");
    fails(image().build(), "- id: healthcheck", "healthcheck");
  }

  @Test
  void imageAge() throws Exception {
    passes(image().build(), "- id: image-age\n  parameters: {maxDays: 30}", "image-age");
    assertTrue(fails(image().created(Instant.parse("2025-01-01T00:00:00Z")).build(), "- id: image-age", "image-age").message().contains("days old"));
  }

  @Test
  void imageAge_createdAtTheUnixEpoch_isSkippedAsUnknown() throws Exception {
    VerificationReport r = verify(image().created(Instant.EPOCH).build(), rule("- id: image-age\n  parameters: {maxDays: 30}"));
    assertEquals(Status.SKIPPED, status(r, "image-age"), () -> r.allFindings().toString());
    assertEquals("created is the Unix epoch (no SOURCE_DATE_EPOCH): its age is unknown",
        r.images().get(0).rules().stream().filter(x -> x.rule().equals("image-age")).findFirst().orElseThrow().detail());
    assertEquals(Verdict.PASSED, r.verdict());
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> in = (java.util.Map<String, Object>) r.images().get(0).policyInput().get("image");
    assertEquals("1970-01-01T00:00:00Z", in.get("created"));
    assertTrue(!in.containsKey("ageDays"), "no age for an unknown creation time: " + in);
    // one second later is a real (if old) time: judged
    assertTrue(fails(image().created(Instant.EPOCH.plusSeconds(1)).build(), "- id: image-age", "image-age").message().contains("days old"));
  }

  @Test
  void signatureAndSbom_unsignedImage_failsAsASignatureFailure() throws Exception {
    // wired to the signing subsystem: what these rules require is a signature, so missing ones are exit 4, not 3
    for (String[] rule : new String[][] {{"signature-required", "no signature found"}, {"sbom-required", "no SBOM found"}}) {
      VerificationReport r = verify(image().build(), rule("- id: " + rule[0]));
      assertEquals(Status.FAILED, status(r, rule[0]), () -> r.allFindings().toString());
      assertEquals(Verdict.INTEGRITY_FAILURE, r.verdict());
      Finding f = findings(r, rule[0]).get(0);
      assertTrue(f.blocking());
      assertEquals(Category.SIGNATURE, f.category());
      assertEquals(rule[1], f.message());
    }
  }

  @Test
  void noDeviceNodes() throws Exception {
    fails(image().layer(RawTar.tar().dir("dev").charDevice("dev/kmem", 1, 2).build()).build(), "- id: no-device-nodes", "no-device-nodes");
    passes(image().layer(RawTar.tar().file("a", "x").build()).build(), "- id: no-device-nodes", "no-device-nodes");
  }

  @Test
  void noWorldWritable() throws Exception {
    fails(image().layer(RawTar.tar().dir("data", 0777).build()).build(), "- id: no-world-writable", "no-world-writable");
    passes(image().layer(RawTar.tar().dir("tmp", 01777).file("tmp/x", 0666, new byte[0]).build()).build(), "- id: no-world-writable", "no-world-writable");
  }

  @Test
  void maxFileSize_thresholdFollowsTheRule() throws Exception {
    Image big = image().layer(RawTar.tar().file("blob", 0644, new byte[5000]).build()).build();
    fails(big, "- id: max-file-size\n  parameters: {maxBytes: 4kB}", "max-file-size");
    passes(big, "- id: max-file-size\n  parameters: {maxBytes: 5kB}", "max-file-size");
  }

  @Test
  void warnMode_reportsWithoutFailing() throws Exception {
    VerificationReport r = verify(image().build(), rule("- id: non-root-user\n  mode: warn"));
    assertEquals(Verdict.PASSED, r.verdict());
    assertEquals(1, findings(r, "non-root-user").size());
    assertTrue(!findings(r, "non-root-user").get(0).blocking());
  }

  @Test
  void policiesReadme_ruleTable_listsEveryBuiltinRuleWithItsSeverityAndParameters() throws Exception {
    // policies/README.md is written by hand: this keeps its table in step with the rules (ids, default severities, parameters)
    String readme = java.nio.file.Files.readString(io.jscan.core.testing.RepoPaths.repoRoot().resolve("policies/README.md"));
    java.util.Map<String, String[]> rows = new java.util.LinkedHashMap<>();
    for (String line : readme.lines().toList()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\| `([a-z-]+)` \\| ([a-z]+)[^|]*\\| ([^|]*) \\| [^|]* \\|$").matcher(line);
      if (m.matches()) {
        rows.put(m.group(1), new String[] {m.group(2), m.group(3)});
      }
    }
    for (BuiltinRules.Rule rule : BuiltinRules.all()) {
      String[] row = rows.get(rule.id());
      assertTrue(row != null, "policies/README.md's rule table has no row for " + rule.id());
      assertEquals(rule.defaultSeverity().label(), row[0], rule.id());
      java.util.List<String> documented = new java.util.ArrayList<>();
      java.util.regex.Matcher p = java.util.regex.Pattern.compile("`([A-Za-z]+)`").matcher(row[1].replaceAll("\\([^)]*\\)", ""));  // what a parenthesis names is inside a parameter
      while (p.find()) {
        documented.add(p.group(1));
      }
      assertEquals(rule.params().stream().map(BuiltinRules.Param::name).sorted().toList(), documented.stream().sorted().toList(), rule.id());
      assertTrue(readme.contains("`" + rule.id() + "`"), rule.id());
    }
    assertEquals(BuiltinRules.all().stream().map(BuiltinRules.Rule::id).toList(), List.copyOf(rows.keySet()), "the table lists the rules in order");
  }
}
