package io.jscan.server;

import static io.jscan.server.WebhookHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.image.StaticImage;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TarBuilder;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.signing.Json;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.oci.ImageAttester;
import io.jscan.signing.oci.RegistrySignatureStore;
import io.jscan.signing.oci.SigningMethod;
import io.jscan.signing.oci.StorageFormat;
import io.jscan.verifier.TestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures, attestations, attached SBOMs and packages in admission: images in a real registry,
 * signed and attested with the signing module where cosign puts them, judged by policies whose
 * rules name their own keys (cosign.pub beside the policy files, as in a ConfigMap), over HTTPS.
 * Each test starts a new server, so nothing one test cached decides another.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignedImageAdmissionTest {
  /** Namespace staging: signatures required as in prod, but what cannot be checked is admitted. */
  private static final String STAGING_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: staging
      match:
        namespaces: [staging]
      failureMode: allow
      rules:
        - id: signature-required
          parameters:
            keys: [cosign.pub]
      """;
  /** Namespace release: provenance signed by the key, from the CI's builder. */
  private static final String RELEASE_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: release
      match:
        namespaces: [release]
      rules:
        - id: attestation-required
          parameters:
            predicateType: slsaprovenance
            keys: [cosign.pub]
            condition: "predicate.runDetails.builder.id == 'https://ci.example/runner'"
      """;
  private static final String SBOM_POLICIES = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: sbom-lenient
      description: accepts an SBOM attached without a signature (pipelines that do not sign yet)
      match:
        namespaces: [sbom-lenient]
      rules:
        - id: sbom-required
          parameters:
            acceptUnsigned: true
      """;
  private static final String SBOM_STRICT_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: sbom-strict
      match:
        namespaces: [sbom-strict]
      rules:
        - id: sbom-required
          parameters:
            keys: [cosign.pub]
      """;
  private static final String PACKAGES_POLICY = """
      apiVersion: jscan.io/v1
      kind: Policy
      name: packages
      match:
        namespaces: [packages]
      rules:
        - id: forbidden-packages
          parameters:
            packages:
              - {name: openssl, type: deb, versions: "< 3.0.7", reason: CVE-2022-3602}
      """;
  private static final String IN_TOTO = "application/vnd.in-toto+json";

  Path dir;
  WebhookHarness h;
  RegistryClient client;

  @BeforeAll
  void create(@TempDir Path tmp) throws Exception {
    dir = tmp;
    h = WebhookHarness.create(dir);
    Files.writeString(h.policies.resolve("40-staging.yaml"), STAGING_POLICY);
    Files.writeString(h.policies.resolve("50-release.yaml"), RELEASE_POLICY);
    Files.writeString(h.policies.resolve("60-sbom-lenient.yaml"), SBOM_POLICIES);
    Files.writeString(h.policies.resolve("61-sbom-strict.yaml"), SBOM_STRICT_POLICY);
    Files.writeString(h.policies.resolve("70-packages.yaml"), PACKAGES_POLICY);
    client = new RegistryClient(RegistryOptions.defaults());
  }

  @BeforeEach
  void freshServer() throws Exception {
    h.stopServer();
    h.start(o -> o);
  }

  @AfterAll
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  /** Pushes a compliant image of its own content (so no two tests share a digest) as REPOSITORY:TAG. */
  private Descriptor push(String name, byte[]... layers) throws Exception {
    TestImage image = TestImage.image().user("65534").label("org.opencontainers.image.authors", "shop team")
        .layer(TarBuilder.tar().file("app/name", name).build());
    for (byte[] layer : layers) {
      image.layer(layer);
    }
    return client.push(image.build(), ImageName.parse(h.registry.host() + "/" + name));
  }

  private String image(String name) {
    return h.registry.host() + "/" + name;
  }

  private static String message(JsonNode response) {
    return response.path("status").path("message").asText();
  }

  @Test
  void validate_unsignedImageInProd_deniedUntilSignedWithThePolicysKey() throws Exception {
    JsonNode denied = h.review("/validate", "pod-create-unsigned-in-prod.json");
    assertFalse(denied.path("allowed").asBoolean(), denied.toString());
    assertEquals(403, denied.path("status").path("code").asInt());
    assertTrue(message(denied).startsWith("jscan: image " + image("good:1") + " (container web): signature-required (policy prod): no signature found"),
        message(denied));
    assertFalse(message(denied).contains("\n"), "one line: " + message(denied));

    h.sign("good:1", h.signingKey);
    h.stopServer();
    h.start(o -> o); // nothing cached: the verdict is the signature's

    JsonNode allowed = h.review("/validate", "pod-create-unsigned-in-prod.json");
    assertTrue(allowed.path("allowed").asBoolean(), allowed.toString());
    assertFalse(allowed.has("warnings"), allowed.toString());
    JsonNode pinned = WebhookHarness.patch(h.review("/mutate", "pod-create-unsigned-in-prod.json"));
    assertEquals(image("good:1") + "@" + h.goodDigest, pinned.get(0).path("value").asText(), "the signed digest is what runs");
  }

  @Test
  void validate_signatureAddedAfterADenial_admittedOnceTheVerdictHasExpired() throws Exception {
    h.stopServer();
    h.start(o -> o.withCacheTimes(Duration.ofSeconds(30), Duration.ofMillis(500)));
    push("later:1");
    JsonNode denied = h.reviewPod("/validate", "prod", image("later:1"));
    assertTrue(message(denied).contains("signature-required (policy prod): no signature found"), denied.toString());

    h.sign("later:1", h.signingKey);

    // the verdict was kept for --verdict-ttl; after it the signatures are looked for again
    await("the signature to be found", Duration.ofSeconds(20), () -> {
      try {
        return h.reviewPod("/validate", "prod", image("later:1")).path("allowed").asBoolean();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void validate_imageSignedWithAnotherKey_deniedSayingTheKeyDoesNotMatch() throws Exception {
    push("other-signer:1");
    h.sign("other-signer:1", Keys.generate(KeyAlgorithm.ECDSA_P256));

    JsonNode r = h.reviewPod("/validate", "prod", image("other-signer:1"));

    assertFalse(r.path("allowed").asBoolean(), r.toString());
    String m = message(r);
    assertTrue(m.startsWith("jscan: image " + image("other-signer:1")
        + " (container web): signature-required (policy prod): no signature verified under the rule's keys or identities"), m);
    assertTrue(m.contains("does not match the key"), m);
    assertFalse(m.contains("\n"), m);
  }

  @Test
  void validate_signatureLookupFails_denyOrAllowAsThePolicysFailureModeSays() throws Exception {
    push("flaky:1");
    h.sign("flaky:1", h.signingKey);
    try (FaultProxy proxy = FaultProxy.inFrontOf(h.registry)) {
      // the image itself reads fine; its signature tags and referrers answer 503
      for (String method : List.of("GET", "HEAD")) {
        proxy.add(new FaultProxy.Rule(method, "/manifests/sha256-|/referrers/", 1000, new FaultProxy.Reply(503, Map.of())));
      }
      String image = proxy.host() + "/flaky:1";

      JsonNode prod = h.reviewPod("/validate", "prod", image);
      assertFalse(prod.path("allowed").asBoolean(), prod.toString());
      String m = message(prod);
      assertTrue(m.startsWith("jscan: image " + image + " (container web): could not be verified: "), m);
      assertTrue(m.contains("503"), m);
      assertTrue(m.endsWith("(failureMode deny: policy prod)"), m);
      assertFalse(m.contains("no signature found"), "not being able to look is not unsigned: " + m);

      JsonNode staging = h.reviewPod("/validate", "staging", image);
      assertTrue(staging.path("allowed").asBoolean(), staging.toString());
      List<String> warnings = WebhookHarness.warnings(staging);
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).startsWith("image " + image + " (container web): not verified, admitted because failureMode is allow (policy staging): "),
          warnings.get(0));
      assertTrue(h.server.metrics().registryErrors.get("evidence") >= 2);

      proxy.clearRules(); // the registry answers again: the signature is found (failures are never cached as verdicts)
      JsonNode recovered = h.reviewPod("/validate", "prod", image);
      assertTrue(recovered.path("allowed").asBoolean(), recovered.toString());
    }
  }

  @Test
  void validate_namespaceWhosePoliciesJudgeNoSignatures_looksForNone() throws Exception {
    push("plain:1");
    try (FaultProxy proxy = FaultProxy.inFrontOf(h.registry)) {
      JsonNode r = h.reviewPod("/validate", "shop", proxy.host() + "/plain:1");
      assertTrue(r.path("allowed").asBoolean(), r.toString());
      List<String> evidenceRequests = proxy.requests().stream().filter(q -> q.contains("/manifests/sha256-") || q.contains("/referrers/")).toList();
      assertEquals(List.of(), evidenceRequests, "the default policy has no signature rule: " + proxy.requests());
      assertTrue(proxy.requests().stream().anyMatch(q -> q.contains("/manifests/sha256:")), "the image itself was read: " + proxy.requests());
    }
  }

  @Test
  void validate_provenanceAttestedWithThePolicysKey_admitted_andAnImageWithoutItDenied() throws Exception {
    Descriptor attested = push("attested:1");
    ImageName name = ImageName.parse(image("attested:1"));
    // a Sigstore bundle referrer: the registry (distribution 2.8) has no referrers API, so this also
    // goes through the referrers tag schema both ways
    ImageAttester.attest(new RegistrySignatureStore(client, name), attested, "slsaprovenance",
        Json.MAPPER.readTree("{\"buildDefinition\":{\"buildType\":\"https://jscan.io/build/v1\"},\"runDetails\":{\"builder\":{\"id\":\"https://ci.example/runner\"}}}"),
        new SigningMethod.WithKey(h.signingKey.signer()), StorageFormat.BUNDLE_REFERRER);
    push("unattested:1");

    JsonNode ok = h.reviewPod("/validate", "release", image("attested:1"));
    assertTrue(ok.path("allowed").asBoolean(), ok.toString());

    JsonNode denied = h.reviewPod("/validate", "release", image("unattested:1"));
    assertFalse(denied.path("allowed").asBoolean(), denied.toString());
    assertTrue(message(denied).startsWith("jscan: image " + image("unattested:1")
        + " (container web): attestation-required (policy release): no verified https://slsa.dev/provenance/v1 attestation"), message(denied));
  }

  @Test
  void validate_unsignedSbomAttached_acceptedOnlyWhereThePolicyAcceptsUnsigned() throws Exception {
    Descriptor subject = push("with-sbom:1");
    String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"with-sbom\",\"digest\":{\"sha256\":\""
        + subject.digest().encoded() + "\"}}],\"predicateType\":\"https://cyclonedx.org/bom\",\"predicate\":{\"bomFormat\":\"CycloneDX\","
        + "\"specVersion\":\"1.5\",\"components\":[]}}";
    Image sbom = StaticImage.builder().artifactType(IN_TOTO).blob(IN_TOTO, statement.getBytes(StandardCharsets.UTF_8), Map.of())
        .subject(subject).build();
    client.referrers(ImageName.parse(image("with-sbom:1"))).attach(sbom); // as jscan build --sbom does without --sign

    JsonNode lenient = h.reviewPod("/validate", "sbom-lenient", image("with-sbom:1"));
    assertTrue(lenient.path("allowed").asBoolean(), lenient.toString());

    JsonNode strict = h.reviewPod("/validate", "sbom-strict", image("with-sbom:1"));
    assertFalse(strict.path("allowed").asBoolean(), strict.toString());
    assertTrue(message(strict).startsWith("jscan: image " + image("with-sbom:1")
        + " (container web): sbom-required (policy sbom-strict): no signed SBOM: the SBOM attached as " + sbom.digest() + " is not signed"),
        message(strict));
  }

  @Test
  void validate_forbiddenPackageInstalled_deniedNamingThePackage_andAFixedVersionAdmitted() throws Exception {
    push("old-openssl:1", debian("3.0.2-1"));
    push("new-openssl:1", debian("3.0.11-1~deb12u2"));

    JsonNode denied = h.reviewPod("/validate", "packages", image("old-openssl:1"));
    assertFalse(denied.path("allowed").asBoolean(), denied.toString());
    assertTrue(message(denied).startsWith("jscan: image " + image("old-openssl:1")
        + " (container web): forbidden-packages (policy packages): forbidden package openssl 3.0.2-1"), message(denied));

    JsonNode allowed = h.reviewPod("/validate", "packages", image("new-openssl:1"));
    assertTrue(allowed.path("allowed").asBoolean(), allowed.toString());
  }

  /** A layer as Debian leaves it: os-release and the dpkg database with openssl at {@code version}. */
  private static byte[] debian(String opensslVersion) throws Exception {
    String status = "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n"
        + "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + opensslVersion + "\n\n";
    return TarBuilder.tar().file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n").file("var/lib/dpkg/status", status).build();
  }

  @Test
  void reload_policyStartsRequiringSignatures_anImageAdmittedBeforeIsJudgedOnItsSignatures() throws Exception {
    Path policies = Files.createDirectories(dir.resolve("tightening"));
    Files.writeString(policies.resolve("cosign.pub"), Keys.publicKeyPem(h.signingKey.publicKey()));
    Files.writeString(policies.resolve("prod.yaml"), WebhookHarness.PROD_POLICY.replaceAll("(?s)\\s+- id: signature-required.*", "\n"));
    h.stopServer();
    h.start(o -> o.withPolicySpecs(List.of(policies.toString())));
    push("known:1");
    JsonNode before = h.reviewPod("/validate", "prod", image("known:1"));
    assertTrue(before.path("allowed").asBoolean(), before.toString());

    TestCerts.writeAtomically(policies.resolve("prod.yaml"), WebhookHarness.PROD_POLICY);
    await("the reload", Duration.ofSeconds(10), () -> h.server.policies().current().generation() == 2);

    // the image's bytes are known (cached without signatures); its signatures are looked for now
    JsonNode after = h.reviewPod("/validate", "prod", image("known:1"));
    assertFalse(after.path("allowed").asBoolean(), after.toString());
    assertTrue(message(after).contains("signature-required (policy prod): no signature found"), message(after));
  }

  @Test
  void reload_keyFileReplaced_signaturesByTheOldKeyNoLongerAdmit() throws Exception {
    Path policies = Files.createDirectories(dir.resolve("rotating"));
    Files.writeString(policies.resolve("cosign.pub"), Keys.publicKeyPem(h.signingKey.publicKey()));
    Files.writeString(policies.resolve("prod.yaml"), WebhookHarness.PROD_POLICY);
    h.stopServer();
    h.start(o -> o.withPolicySpecs(List.of(policies.toString())));
    push("rotated:1");
    h.sign("rotated:1", h.signingKey);
    JsonNode before = h.reviewPod("/validate", "prod", image("rotated:1"));
    assertTrue(before.path("allowed").asBoolean(), before.toString());

    // only the key changes, not the policy file: the key file is watched too
    SigningKey next = Keys.generate(KeyAlgorithm.ECDSA_P256);
    TestCerts.writeAtomically(policies.resolve("cosign.pub"), Keys.publicKeyPem(next.publicKey()));
    await("the reload", Duration.ofSeconds(10), () -> h.server.policies().current().generation() == 2);

    JsonNode after = h.reviewPod("/validate", "prod", image("rotated:1"));
    assertFalse(after.path("allowed").asBoolean(), "the verdict cached under the old key is not reused: " + after);
    assertTrue(message(after).contains("does not match the key"), message(after));
    Thread.sleep(600); // three more checks: nothing changed, so no further reload
    assertEquals(2, h.server.policies().current().generation());
  }

  /**
   * SLSA v1 provenance as jscan writes it: a builder stage's {@code golang} written without a tag
   * or digest (so it follows latest, whether base-not-latest judges the reference as written or as
   * resolved), and the final base {@code debian:12} pinned by digest.
   */
  private static JsonNode provenanceReadingUntaggedGolang() throws Exception {
    return Json.MAPPER.readTree("""
        {"buildDefinition": {"buildType": "https://jscan.io/buildtypes/dockerfile/v1", "externalParameters": {},
          "resolvedDependencies": [
            {"uri": "pkg:docker/docker.io/library/golang?platform=linux%2Famd64", "annotations": {"finalBase": false}},
            {"uri": "pkg:docker/docker.io/library/debian@12?platform=linux%2Famd64",
             "digest": {"sha256": "%s"}, "annotations": {"finalBase": true}}]},
         "runDetails": {"builder": {"id": "https://jscan.io/builders/cli/v1"}}}
        """.replace("%s", "b".repeat(64)));
  }

  /**
   * Base rules judge what signed provenance says the build read, as {@code jscan verify
   * docker://IMAGE --key K} does (issue 15): with {@code --key}, the webhook looks up the
   * attestations of images whose policies have a base rule, although no rule judges signatures.
   * The label says {@code debian:12}; the provenance signed with the key lists an untagged {@code
   * golang} builder stage, so baseline's base-not-latest denies it. Without {@code --key} nothing
   * could verify the provenance: no lookup is made, and the label decides (as verify without a key).
   */
  @Test
  void validate_baselineWithKey_signedProvenanceReadingAFloatingImage_denied_andWithoutKeyNotLookedUp() throws Exception {
    TestImage labelled = TestImage.image().user("65534").label("org.opencontainers.image.authors", "shop team")
        .label("org.opencontainers.image.base.name", "docker.io/library/debian:12")
        .layer(TarBuilder.tar().file("app/name", "provenance golang").build());
    Descriptor pushed = client.push(labelled.build(), ImageName.parse(image("golang-builder:1")));
    ImageAttester.attest(new RegistrySignatureStore(client, ImageName.parse(image("golang-builder:1"))), pushed, "slsaprovenance",
        provenanceReadingUntaggedGolang(), new SigningMethod.WithKey(h.signingKey.signer()), StorageFormat.COSIGN_TAG);
    Path serverKey = Files.writeString(dir.resolve("provenance-key.pub"), Keys.publicKeyPem(h.signingKey.publicKey()));

    try (FaultProxy proxy = FaultProxy.inFrontOf(h.registry)) {
      String image = proxy.host() + "/golang-builder:1";
      h.stopServer();
      h.start(o -> o.withPolicySpecs(List.of("baseline")).withKeys(List.of(serverKey)));
      JsonNode denied = h.reviewPod("/validate", "shop", image);
      assertFalse(denied.path("allowed").asBoolean(), denied.toString());
      assertTrue(message(denied).startsWith("jscan: image " + image + " (container web): base-not-latest (policy baseline): "), message(denied));
      assertTrue(message(denied).contains("docker.io/library/golang"), message(denied));
      assertTrue(proxy.requests().stream().anyMatch(q -> q.contains("/manifests/sha256-")), "the .att tag was looked up: " + proxy.requests());

      int before = proxy.requests().size();
      h.stopServer();
      h.start(o -> o.withPolicySpecs(List.of("baseline")));
      JsonNode admitted = h.reviewPod("/validate", "shop", image);
      assertTrue(admitted.path("allowed").asBoolean(), "the label's debian:12 decides: " + admitted);
      List<String> evidenceRequests = proxy.requests().subList(before, proxy.requests().size()).stream().filter(q -> q.contains("/manifests/sha256-") || q.contains("/referrers/")).toList();
      assertEquals(List.of(), evidenceRequests, "no key, nothing could verify: no lookup " + proxy.requests());
    }
  }

  @Test
  void validate_keyGivenToTheServer_trustedByRulesWithoutKeysOfTheirOwn() throws Exception {
    Path policies = Files.createDirectories(dir.resolve("server-key"));
    Files.writeString(policies.resolve("prod.yaml"), WebhookHarness.PROD_POLICY.replaceAll("(?s)\\s+parameters:.*", "\n"));
    h.stopServer();
    Path serverKey = Files.writeString(dir.resolve("server-key.pub"), Keys.publicKeyPem(h.signingKey.publicKey()));
    h.start(o -> o.withPolicySpecs(List.of(policies.toString())).withKeys(List.of(serverKey)));
    push("server-key:1");
    h.sign("server-key:1", h.signingKey);
    push("server-key-unsigned:1");

    JsonNode signed = h.reviewPod("/validate", "prod", image("server-key:1"));
    assertTrue(signed.path("allowed").asBoolean(), signed.toString());
    JsonNode unsigned = h.reviewPod("/validate", "prod", image("server-key-unsigned:1"));
    assertFalse(unsigned.path("allowed").asBoolean(), unsigned.toString());
    assertTrue(message(unsigned).contains("signature-required (policy prod): no signature found"), message(unsigned));
  }
}
