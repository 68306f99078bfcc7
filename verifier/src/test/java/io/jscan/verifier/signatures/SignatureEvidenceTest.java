package io.jscan.verifier.signatures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.signing.Json;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.oci.ImageAttester;
import io.jscan.signing.oci.ImageSigner;
import io.jscan.signing.oci.LayoutSignatureStore;
import io.jscan.signing.oci.SigningMethod;
import io.jscan.signing.oci.StorageFormat;
import io.jscan.signing.oci.TrustPolicy;
import io.jscan.verifier.Category;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.Finding;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.VerifierOptions;
import io.jscan.verifier.VerifyRequest;
import io.jscan.verifier.policy.PolicyLoader;
import io.jscan.verifier.policy.PolicySet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures and attestations through the verifier: {@link SignatureEvidence} finds and judges
 * them, the policy rules ({@code signature-required}, {@code attestation-required}, {@code
 * sbom-required}) decide, with the trust of the command line or their own keys.
 */
class SignatureEvidenceTest {
  @TempDir Path dir;

  private OciLayout layout;
  private LayoutSignatureStore store;
  private Image signed;
  private Image unsigned;
  private SigningKey key;
  private Path pub;

  @BeforeEach
  void setUp() throws Exception {
    layout = OciLayout.create(dir.resolve("layout"));
    signed = TestImages.withLayers("signed");
    unsigned = TestImages.withLayers("unsigned");
    layout.write(signed, Optional.of("signed"));
    layout.write(unsigned, Optional.of("unsigned"));
    store = new LayoutSignatureStore(layout, "registry.example/app");
    key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    pub = dir.resolve("cosign.pub");
    KeyFiles.writePublicKey(pub, key.publicKey());
    SigningMethod method = new SigningMethod.WithKey(key.signer());
    ImageSigner.sign(store, signed.descriptor(), method, StorageFormat.COSIGN_TAG, Map.of());
    ImageAttester.attest(store, signed.descriptor(), "slsaprovenance",
        Json.MAPPER.readTree("{\"buildDefinition\":{\"buildType\":\"https://jscan.io/build/v1\"},\"runDetails\":{\"builder\":{\"id\":\"https://ci.example/runner\"}}}"),
        method, StorageFormat.COSIGN_TAG);
    ImageAttester.attest(store, signed.descriptor(), "cyclonedx", Json.MAPPER.readTree("{\"bomFormat\":\"CycloneDX\",\"components\":[]}"), method,
        StorageFormat.BUNDLE_REFERRER);
  }

  private String ref(String name) {
    return "oci:" + layout.root() + ":" + name;
  }

  private VerificationReport verify(Image image, String name, TrustPolicy trust, boolean required, PolicySet policies) throws Exception {
    SignatureEvidence evidence = new SignatureEvidence(r -> store, trust, required);
    VerifierOptions options = VerifierOptions.defaults().withParallelism(1).withClock(Clock.fixed(TestImage.NOW, ZoneOffset.UTC)).withEvidence(evidence);
    try (Verifier v = new Verifier(options)) {
      return v.verify(image, VerifyRequest.of(ImageReference.parse(ref(name)), policies));
    }
  }

  private TrustPolicy trustingKey() {
    return TrustPolicy.ofKeys(List.of(new TrustPolicy.TrustedKey("cosign.pub", key.publicKey())));
  }

  private PolicySet policyFile(String rules) throws Exception {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, "apiVersion: jscan.io/v1\nkind: Policy\nname: signing\nrules:\n" + rules);
    return PolicyLoader.load(List.of(file.toString()));
  }

  @Test
  void signatureRequired_withTheCommandLinesKey_passesOnASignedImage() throws Exception {
    VerificationReport r = verify(signed, "signed", trustingKey(), true, TestImage.rule("- id: signature-required"));
    assertEquals(Verdict.PASSED, r.verdict(), () -> r.allFindings().toString());
    assertEquals(Status.PASSED, TestImage.status(r, "signature-required"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> sigs = (List<Map<String, Object>>) r.images().get(0).policyInput().get("signatures");
    assertEquals(1, sigs.size());
    assertEquals(true, sigs.get(0).get("verified"));
    assertTrue(sigs.get(0).get("identity").toString().contains("cosign.pub"));
  }

  @Test
  void keyGiven_unsignedImage_failsWithNoSignatureFound_exit4() throws Exception {
    VerificationReport r = verify(unsigned, "unsigned", trustingKey(), true, TestImage.rule("- id: integrity"));
    assertEquals(Verdict.INTEGRITY_FAILURE, r.verdict());
    Finding f = TestImage.findings(r, "signature").get(0);
    assertEquals(Category.SIGNATURE, f.category());
    assertTrue(f.message().startsWith("no signature found for " + unsigned.digest()), f.message());
  }

  @Test
  void signatureRequired_withTheRulesOwnKeyFile_passes_andFailsWithAnotherKey() throws Exception {
    VerificationReport ok = verify(signed, "signed", TrustPolicy.none(), false, policyFile("  - id: signature-required\n    parameters:\n      keys: [cosign.pub]\n"));
    assertEquals(Verdict.PASSED, ok.verdict(), () -> ok.allFindings().toString());

    SigningKey other = Keys.generate(KeyAlgorithm.ECDSA_P256);
    String inline = Keys.publicKeyPem(other.publicKey()).strip().replace("\n", "\n        ");
    VerificationReport bad = verify(signed, "signed", TrustPolicy.none(), false,
        policyFile("  - id: signature-required\n    parameters:\n      keys:\n      - |\n        " + inline + "\n"));
    assertEquals(Verdict.INTEGRITY_FAILURE, bad.verdict());
    Finding f = TestImage.findings(bad, "signature-required").get(0);
    assertEquals(Category.SIGNATURE, f.category());
    assertTrue(f.message().startsWith("no signature verified under the rule's keys or identities"), f.message());
    assertTrue(f.message().contains("does not match the key"), f.message());
  }

  @Test
  void signatureRequired_unsignedImage_failsExit4() throws Exception {
    VerificationReport r = verify(unsigned, "unsigned", TrustPolicy.none(), false, policyFile("  - id: signature-required\n    parameters:\n      keys: [cosign.pub]\n"));
    assertEquals(Verdict.INTEGRITY_FAILURE, r.verdict());
    assertEquals("no signature found", TestImage.findings(r, "signature-required").get(0).message());
  }

  @Test
  void signatureRequired_countOfTwo_needsTwoDistinctSigners() throws Exception {
    VerificationReport r = verify(signed, "signed", trustingKey(), false, TestImage.rule("- id: signature-required\n  parameters: {count: 2}"));
    assertEquals(Verdict.INTEGRITY_FAILURE, r.verdict());
    assertTrue(TestImage.findings(r, "signature-required").get(0).message().contains("2 required"));
  }

  @Test
  void attestationRequired_celOverTheProvenancePredicate() throws Exception {
    String rule = "  - id: attestation-required\n    parameters:\n      predicateType: slsaprovenance\n      keys: [cosign.pub]\n"
        + "      condition: \"predicate.runDetails.builder.id == '%s'\"\n";
    VerificationReport ok = verify(signed, "signed", TrustPolicy.none(), false, policyFile(rule.formatted("https://ci.example/runner")));
    assertEquals(Verdict.PASSED, ok.verdict(), () -> ok.allFindings().toString());

    VerificationReport wrongBuilder = verify(signed, "signed", TrustPolicy.none(), false, policyFile(rule.formatted("https://evil.example/runner")));
    assertEquals(Verdict.INTEGRITY_FAILURE, wrongBuilder.verdict());
    String message = TestImage.findings(wrongBuilder, "attestation-required").get(0).message();
    assertTrue(message.startsWith("no verified https://slsa.dev/provenance/v1 attestation satisfies the condition"), message);

    VerificationReport none = verify(unsigned, "unsigned", trustingKey(), false,
        TestImage.rule("- id: attestation-required\n  parameters: {predicateType: slsaprovenance}"));
    assertEquals("no verified https://slsa.dev/provenance/v1 attestation", TestImage.findings(none, "attestation-required").get(0).message());
  }

  @Test
  void sbomRequired_passesWithAVerifiedCycloneDxBundle() throws Exception {
    VerificationReport r = verify(signed, "signed", trustingKey(), false, TestImage.rule("- id: sbom-required"));
    assertEquals(Status.PASSED, TestImage.status(r, "sbom-required"), () -> r.allFindings().toString());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> atts = (List<Map<String, Object>>) r.images().get(0).policyInput().get("attestations");
    assertEquals(2, atts.size());
    assertTrue(atts.stream().allMatch(a -> Boolean.TRUE.equals(a.get("verified"))));
  }

  @Test
  void celRule_seesVerifiedAttestationsInThePolicyInput() throws Exception {
    VerificationReport r = verify(signed, "signed", trustingKey(), false, TestImage.rule(
        "- id: built-by-ci\n  expression: \"attestations.exists(a, a.verified && a.predicate.runDetails.builder.id.startsWith('https://ci.example/'))\""));
    assertEquals(Verdict.PASSED, r.verdict(), () -> r.allFindings().toString());
  }

  /** A trust of a key that did not sign the image: whom jscan verify --key or jscan serve --key would name. */
  private TrustPolicy trustingAnotherKey() {
    return TrustPolicy.ofKeys(List.of(new TrustPolicy.TrustedKey("server.pub", Keys.generate(KeyAlgorithm.ECDSA_P256).publicKey())));
  }

  private static final String RULES_OWN_KEY = "  - id: signature-required\n    parameters:\n      keys: [cosign.pub]\n";

  /**
   * A trust that is not required of the image (jscan serve --key) only says whom the rules without
   * keys of their own trust: a signature and attestations by the key a rule trusts on its own pass
   * that rule, and not verifying under the other trust is no failure of its own (issue 15).
   */
  @Test
  void trustNotRequired_imageSignedByTheRulesOwnKeyOnly_passesThatRule() throws Exception {
    VerificationReport r = verify(signed, "signed", trustingAnotherKey(), false, policyFile(RULES_OWN_KEY));
    assertEquals(Verdict.PASSED, r.verdict(), () -> r.allFindings().toString());
    assertEquals(List.of(), TestImage.findings(r, "signature"), "the other key's verdict on the signature is no finding");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> sigs = (List<Map<String, Object>>) r.images().get(0).policyInput().get("signatures");
    assertEquals(List.of(false), sigs.stream().map(m -> m.get("verified")).toList(), "judged under that trust for rules without keys");
  }

  /** The same trust decides a rule without keys of its own: the signature does not verify under it. */
  @Test
  void trustNotRequired_ruleWithoutKeys_judgesWithThatTrust() throws Exception {
    VerificationReport other = verify(signed, "signed", trustingAnotherKey(), false, TestImage.rule("- id: signature-required"));
    assertEquals(Verdict.INTEGRITY_FAILURE, other.verdict());
    assertEquals("no signature verified", TestImage.findings(other, "signature-required").get(0).message());
    assertEquals(List.of(), TestImage.findings(other, "signature"));

    VerificationReport signer = verify(signed, "signed", trustingKey(), false, TestImage.rule("- id: signature-required"));
    assertEquals(Verdict.PASSED, signer.verdict(), () -> signer.allFindings().toString());
  }

  /**
   * jscan verify's --key is required of the image whatever the policies say (README: with --key, a
   * signature that verifies is required): an image signed only by the key a rule trusts on its own
   * passes that rule and still fails the key's requirement, exit 4, naming each signature and
   * attestation that does not verify under it.
   */
  @Test
  void trustRequired_imageSignedByTheRulesOwnKeyOnly_passesThatRule_andFailsTheRequirement() throws Exception {
    VerificationReport r = verify(signed, "signed", trustingAnotherKey(), true, policyFile(RULES_OWN_KEY));
    assertEquals(Status.PASSED, TestImage.status(r, "signature-required"), () -> r.allFindings().toString());
    assertEquals(Verdict.INTEGRITY_FAILURE, r.verdict());
    List<Finding> failures = TestImage.findings(r, "signature");
    assertEquals(3, failures.size(), failures.toString());
    assertTrue(failures.stream().allMatch(Finding::blocking), failures.toString());
    assertTrue(failures.get(0).message().startsWith("cosign signature does not verify: "), failures.get(0).message());
    assertTrue(failures.stream().filter(f -> f.message().startsWith("attestation ")).count() == 2, failures.toString());
  }

  @Test
  void signatureByAnotherSigner_isIgnoredWhenATrustedOneVerifies() throws Exception {
    SigningKey other = Keys.generate(KeyAlgorithm.ECDSA_P256);
    ImageSigner.sign(store, signed.descriptor(), new SigningMethod.WithKey(other.signer()), StorageFormat.COSIGN_TAG, Map.of());
    VerificationReport r = verify(signed, "signed", trustingKey(), true, TestImage.rule("- id: signature-required"));
    assertEquals(Verdict.PASSED, r.verdict(), () -> r.allFindings().toString());
    Finding ignored = TestImage.findings(r, "signature").get(0);
    assertFalse(ignored.blocking());
    assertTrue(ignored.message().endsWith("(ignored: another one verified)"), ignored.message());
  }

  @Test
  void provider_isThreadSafeValue_andRefusesARequirementWithoutTrust() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SignatureEvidence(r -> store, TrustPolicy.none(), true));
    assertTrue(e.getMessage().contains("trusted keys or identities"));
  }

  @Test
  void policy_identitiesWithoutTrustedRoot_isRefusedWhenLoaded() {
    VerifierException e = assertThrows(VerifierException.class, () -> policyFile(
        "  - id: signature-required\n    parameters:\n      identities:\n      - {subject: a@example.com, issuer: https://accounts.example}\n"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("identities need trustedRoot"), e.getMessage());
  }

  @Test
  void evidence_rawMaterialIsKeptForRules() throws Exception {
    Evidence e = new SignatureEvidence(r -> store, trustingKey(), false)
        .collect(signed, signed, ref("signed"));
    assertEquals(1, e.found().size(), "an image's own digest is looked up once");
    assertEquals(3, e.found().get(0).candidates().size());
    assertTrue(e.failures().isEmpty());
  }
  /**
   * What a server stores is what it found, unjudged; judged later with a trust, it is what
   * collecting with that trust gives, so the trust can change without looking again.
   */
  @Test
  void judged_evidenceFoundWithoutTrust_isWhatCollectingWithTheTrustGives() throws Exception {
    String reference = ref("signed");
    Evidence found = new SignatureEvidence(r -> store, TrustPolicy.none(), false).collect(signed, signed, reference);
    assertTrue(found.signatures().isEmpty() && found.attestations().isEmpty(), "nothing judged without trust");
    assertFalse(found.found().isEmpty());

    Evidence collected = new SignatureEvidence(r -> store, trustingKey(), false).collect(signed, signed, reference);
    Evidence judged = SignatureEvidence.judged(found, trustingKey(), false);
    assertEquals(collected.signatures(), judged.signatures());
    assertEquals(collected.attestations(), judged.attestations());
    assertEquals(collected.failures(), judged.failures());
    assertEquals(found.found(), judged.found(), "the stored material is kept as found");
    assertEquals(1, judged.signatures().size());
    assertTrue(judged.signatures().get(0).verified(), judged.signatures().toString());

    SigningKey other = Keys.generate(KeyAlgorithm.ECDSA_P256);
    Evidence underAnother = SignatureEvidence.judged(found, TrustPolicy.ofKeys(List.of(new TrustPolicy.TrustedKey("other.pub", other.publicKey()))), false);
    assertFalse(underAnother.signatures().isEmpty());
    assertTrue(underAnother.signatures().stream().noneMatch(Evidence.Signature::verified), underAnother.signatures().toString());
    assertEquals(found, SignatureEvidence.judged(found, TrustPolicy.none(), false));
  }
}
