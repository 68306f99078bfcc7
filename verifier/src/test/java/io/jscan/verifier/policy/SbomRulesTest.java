package io.jscan.verifier.policy;

import static io.jscan.verifier.TestImage.findings;
import static io.jscan.verifier.TestImage.image;
import static io.jscan.verifier.TestImage.request;
import static io.jscan.verifier.TestImage.rule;
import static io.jscan.verifier.TestImage.status;
import static io.jscan.verifier.TestImage.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.VerifierOptions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rules over SBOM content (forbidden-packages, licenses, sbom-required) and the sbom key of the policy input. */
class SbomRulesTest {
  static String dpkg(String... nameVersions) {
    StringBuilder s = new StringBuilder();
    for (String nv : nameVersions) {
      String[] p = nv.split("=");
      s.append("Package: ").append(p[0]).append("\nStatus: install ok installed\nArchitecture: amd64\nVersion: ").append(p[1])
          .append("\nDescription: test package\n\n");
    }
    return s.toString();
  }

  /** apk records with licenses: "name=version=license". */
  static String apk(String... records) {
    StringBuilder s = new StringBuilder();
    for (String r : records) {
      String[] p = r.split("=", 3);
      s.append("P:").append(p[0]).append("\nV:").append(p[1]).append("\nA:x86_64\nL:").append(p[2]).append("\n\n");
    }
    return s.toString();
  }

  /** A Debian image whose second layer installs openssl {@code version} and curl. */
  static Image debian(String opensslVersion) throws Exception {
    return image()
        .layer(RawTar.tar().file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n").file("var/lib/dpkg/status", dpkg("base-files=12.4")).build())
        .layer(RawTar.tar().file("var/lib/dpkg/status", dpkg("base-files=12.4", "openssl=" + opensslVersion, "curl=7.88.1-10")).build())
        .build();
  }

  static Image alpine(String... records) throws Exception {
    return image()
        .layer(RawTar.tar().file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n").file("lib/apk/db/installed", apk(records)).build())
        .build();
  }

  static final String FORBID_OLD_OPENSSL = """
      - id: forbidden-packages
        parameters:
          packages:
            - {name: openssl, type: deb, versions: "< 3.0.7", reason: CVE-2022-3602}
            - {name: telnet*}
      """;

  @Test
  void verify_forbiddenPackageInCataloguedImage_failsForbiddenPackagesNamingTheLayer() throws Exception {
    VerificationReport r = verify(debian("3.0.2-1"), rule(FORBID_OLD_OPENSSL));
    assertEquals(Status.FAILED, status(r, "forbidden-packages"), r.allFindings()::toString);
    assertEquals(Verdict.POLICY_VIOLATION, r.verdict());
    List<Finding> f = findings(r, "forbidden-packages");
    assertEquals(1, f.size(), f::toString);
    assertEquals("forbidden package openssl 3.0.2-1 (deb) matches \"deb:openssl < 3.0.7\": CVE-2022-3602 (generated SBOM)", f.get(0).message());
    assertEquals(2, ((Location.InImage) f.get(0).location().orElseThrow()).layer().getAsInt(), "the layer that installed it");
  }

  @Test
  void verify_fixedPackageVersion_passesForbiddenPackages_andTheInputListsThePackages() throws Exception {
    VerificationReport r = verify(debian("3.0.11-1"), rule(FORBID_OLD_OPENSSL));
    assertEquals(Status.PASSED, status(r, "forbidden-packages"), r.allFindings()::toString);
    Map<String, Object> sbom = sbom(r);
    assertEquals("generated", sbom.get("source"));
    assertEquals(true, sbom.get("complete"));
    assertEquals(3L, sbom.get("packageCount"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> packages = (List<Map<String, Object>>) sbom.get("packages");
    Map<String, Object> openssl = packages.stream().filter(p -> p.get("name").equals("openssl")).findFirst().orElseThrow();
    assertEquals("3.0.11-1", openssl.get("version"));
    assertEquals("deb", openssl.get("type"));
    assertEquals(2L, openssl.get("layer"));
    assertTrue(((String) openssl.get("purl")).startsWith("pkg:deb/debian/openssl@3.0.11-1"), openssl::toString);
  }

  @Test
  void verify_withoutPackageRules_cataloguesNothing() throws Exception {
    VerificationReport r = verify(debian("3.0.2-1"), rule("- id: maintainer"));
    assertEquals(Map.of(), sbom(r), "no rule needs packages, so the image is not catalogued");
  }

  @Test
  void verify_celRuleReadingSbom_cataloguesTheImage() throws Exception {
    VerificationReport r = verify(debian("3.0.2-1"), rule("""
        - id: no-curl
          expression: "!sbom.packages.exists(p, p.name == 'curl')"
          message: "curl is installed ({{ sbom.packageCount }} packages)"
        """));
    assertEquals(Status.FAILED, status(r, "no-curl"));
    assertEquals("curl is installed (3 packages)", findings(r, "no-curl").get(0).message());
  }

  @Test
  void licenses_allowList_failsPackagesOutsideItAndUnknownOnes() throws Exception {
    Image img = alpine("musl=1.2.4-r2=MIT", "busybox=1.36.1-r15=GPL-2.0-only", "dual=1.0=MIT OR GPL-3.0-only", "mystery=1.0=Proprietary");
    VerificationReport r = verify(img, rule("""
        - id: licenses
          parameters: {allow: [MIT, Apache-2.0]}
        """));
    List<String> messages = findings(r, "licenses").stream().map(Finding::message).sorted().toList();
    assertEquals(List.of(
        "package busybox 1.36.1-r15 (apk) is licensed GPL-2.0-only, which is not in the allow list",
        "package mystery 1.0 (apk) has a license that is not an SPDX expression (\"Proprietary\"), so the allow list cannot admit it"),
        messages, "MIT OR GPL-3.0-only can be used under MIT");
    VerificationReport lenient = verify(img, rule("""
        - id: licenses
          parameters: {allow: [MIT, GPL-2.0-only], allowUnknown: true}
        """));
    assertEquals(Status.PASSED, status(lenient, "licenses"), lenient.allFindings()::toString);
  }

  @Test
  void licenses_denyList_failsOnlyWhatCannotBeAvoided() throws Exception {
    Image img = alpine("musl=1.2.4-r2=MIT", "dual=1.0=MIT OR GPL-3.0-only", "both=1.0=MIT AND GPL-3.0-only");
    VerificationReport r = verify(img, rule("""
        - id: licenses
          parameters: {deny: [GPL-3.0-only]}
        """));
    List<Finding> f = findings(r, "licenses");
    assertEquals(1, f.size(), f::toString);
    assertEquals("package both 1.0 (apk) is licensed MIT AND GPL-3.0-only, which needs a denied license", f.get(0).message());
  }

  @Test
  void licenses_misspeltId_isRefusedWhenThePolicyLoads() {
    VerifierException e = assertThrows(VerifierException.class, () -> rule("""
        - id: licenses
          parameters: {deny: [GPLv3]}
        """));
    assertTrue(e.getMessage().contains("\"GPLv3\" is not an SPDX license id"), e.getMessage());
  }

  @Test
  void forbiddenPackages_badRangeOrType_isRefusedWhenThePolicyLoads() {
    VerifierException range = assertThrows(VerifierException.class, () -> rule("""
        - id: forbidden-packages
          parameters:
            packages: [{name: openssl, versions: "<< >>"}]
        """));
    assertTrue(range.getMessage().contains("test-policy.yaml"), range.getMessage());
    VerifierException type = assertThrows(VerifierException.class, () -> rule("""
        - id: forbidden-packages
          parameters:
            packages: [{name: openssl, type: cargo}]
        """));
    assertTrue(type.getMessage().contains("unknown package type \"cargo\""), type.getMessage());
  }

  @Test
  void schemaAndLoader_bothRefuseMalformedPackageAndLicenseRules() throws Exception {
    String head = "apiVersion: jscan.io/v1\nkind: Policy\nname: t\nrules:\n";
    for (String rules : List.of(
        "  - id: forbidden-packages\n",
        "  - id: forbidden-packages\n    parameters:\n      packages: [{type: deb}]\n",
        "  - id: forbidden-packages\n    parameters:\n      packages: [{name: a, version: '1'}]\n",
        "  - id: licenses\n    parameters: {allowed: [MIT]}\n",
        "  - id: sbom-required\n    parameters: {acceptUnsigned: yes please}\n")) {
      String yaml = head + rules;
      assertFalse(io.jscan.verifier.Schemas.problems(io.jscan.verifier.Schemas.policy(), io.jscan.verifier.Schemas.yaml(yaml)).isEmpty(),
          "schema accepted:\n" + yaml);
      assertThrows(VerifierException.class, () -> TestImage.policy(yaml), "loader accepted:\n" + yaml);
    }
    String good = head + "  - id: forbidden-packages\n    parameters:\n      packages: [{name: a, type: npm, versions: '< 2', reason: r}]\n"
        + "  - id: licenses\n    parameters: {allow: [MIT], deny: [GPL-3.0-only], allowUnknown: true}\n"
        + "  - id: sbom-required\n    parameters: {acceptUnsigned: true}\n";
    assertEquals("", io.jscan.verifier.Schemas.problems(io.jscan.verifier.Schemas.policy(), io.jscan.verifier.Schemas.yaml(good)));
    TestImage.policy(good);
  }

  @Test
  void forbiddenPackages_imageThatCouldNotBeCatalogued_failsClosed() throws Exception {
    try (Verifier v = TestImage.verifier()) {
      Image img = debian("3.0.2-1");
      var facts = v.inspect(img, "test-image", java.util.Optional.empty(), java.util.Optional.empty(),
          io.jscan.verifier.files.ScanLimits.defaults(), io.jscan.core.Deadline.none());
      var report = v.evaluate(facts, Evidence.none(), rule(FORBID_OLD_OPENSSL), java.util.Optional.empty(), List.of(), TestImage.NOW);
      Finding f = report.findings().stream().filter(x -> x.rule().equals("forbidden-packages")).findFirst().orElseThrow();
      assertEquals("packages were not catalogued for this image", f.message());
    }
  }

  // ---------------------------------------------------------------- SBOMs that come with the image

  static final String CYCLONEDX = "https://cyclonedx.org/bom";

  /** A CycloneDX document listing one package. */
  static Map<String, Object> cycloneDx(String name, String version, String purl) {
    return Map.of("bomFormat", "CycloneDX", "specVersion", "1.6", "components",
        List.of(Map.of("type", "library", "name", name, "version", version, "purl", purl,
            "licenses", List.of(Map.of("license", Map.of("id", "Apache-2.0"))))));
  }

  static VerificationReport verifyWith(Image image, PolicySet policies, Evidence evidence) throws Exception {
    try (Verifier v = new Verifier(VerifierOptions.defaults().withParallelism(2).withClock(Clock.fixed(TestImage.NOW, ZoneOffset.UTC))
        .withEvidence((subject, img, ref) -> evidence))) {
      return v.verify(image, request(policies));
    }
  }

  @Test
  void verify_verifiedSbomAttestation_isThePackageListRulesJudge() throws Exception {
    Evidence signed = new Evidence(List.of(), List.of(new Evidence.Attestation(CYCLONEDX, true, "verified with the test key",
        cycloneDx("log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"))));
    VerificationReport r = verifyWith(debian("3.0.11-1"), rule("""
        - id: forbidden-packages
          parameters:
            packages: [{name: log4j-core, type: maven, versions: "[2.0-beta9,2.15.0)", reason: Log4Shell}]
        - id: sbom-required
        """), signed);
    assertEquals(Status.PASSED, status(r, "sbom-required"));
    assertEquals("forbidden package log4j-core 2.14.1 (java-archive) matches \"maven:log4j-core [2.0-beta9,2.15.0)\": Log4Shell "
        + "(attestation SBOM)", findings(r, "forbidden-packages").get(0).message());
    Map<String, Object> sbom = sbom(r);
    assertEquals("attestation", sbom.get("source"));
    assertEquals("cyclonedx", sbom.get("format"));
    assertEquals(1L, sbom.get("packageCount"), "the signed SBOM is used; the image is not catalogued");
  }

  @Test
  void sbomRequired_unsignedAttachedSbom_failsUnlessAcceptUnsigned() throws Exception {
    Digest artifact = Digest.sha256("artifact");
    Evidence unsigned = new Evidence(List.of(), List.of(),
        List.of(new Evidence.Attachment(CYCLONEDX, artifact, cycloneDx("x", "1", "pkg:npm/x@1"))));
    VerificationReport strict = verifyWith(debian("3.0.11-1"), rule("- id: sbom-required"), unsigned);
    assertEquals("no signed SBOM: the SBOM attached as " + artifact + " is not signed by a trusted key (acceptUnsigned: true accepts it)",
        findings(strict, "sbom-required").get(0).message());
    assertEquals(Verdict.POLICY_VIOLATION, strict.verdict(), "unsigned is not a signature failure: it claims no signature");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> attached = (List<Map<String, Object>>) sbom(strict).get("attached");
    assertEquals(List.of(Map.of("predicateType", CYCLONEDX, "source", "artifact", "verified", false, "artifact", artifact.toString())),
        attached);

    VerificationReport lenient = verifyWith(debian("3.0.11-1"), rule("- id: sbom-required\n  parameters: {acceptUnsigned: true}"), unsigned);
    assertEquals(Status.PASSED, status(lenient, "sbom-required"));
  }

  @Test
  void forbiddenPackages_unsignedAttachedSbom_isNotTrusted_theImageIsCataloguedInstead() throws Exception {
    // an unsigned SBOM that hides openssl must not let the image through
    Evidence unsigned = new Evidence(List.of(), List.of(),
        List.of(new Evidence.Attachment(CYCLONEDX, Digest.sha256("a"), cycloneDx("harmless", "1", "pkg:npm/harmless@1"))));
    VerificationReport r = verifyWith(debian("3.0.2-1"), rule(FORBID_OLD_OPENSSL), unsigned);
    assertEquals(Status.FAILED, status(r, "forbidden-packages"));
    assertEquals("generated", sbom(r).get("source"));
    assertFalse(findings(r, "forbidden-packages").isEmpty());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> sbom(VerificationReport r) {
    return (Map<String, Object>) r.images().get(0).policyInput().get("sbom");
  }
}
