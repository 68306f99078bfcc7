package io.jscan.verifier.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.Deadline;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.image.ManifestFormat;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.Platform;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Platforms;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.VerifyRequest;
import io.jscan.verifier.policy.PolicySet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageWalkTest {
  @TempDir Path tmp;

  private static PolicySet integrityOnly() throws VerifierException {
    return TestImage.rule("- id: integrity");
  }

  @Test
  void walk_everyCompressionAndDockerFormat_verifies() throws Exception {
    for (Compression c : Compression.values()) {
      Image image = TestImage.image().compression(c).layer(RawTar.tar().file("a", "x".repeat(1000)).build()).build();
      VerificationReport r = TestImage.verify(image, integrityOnly());
      assertEquals(Verdict.PASSED, r.verdict(), c + ": " + r.allFindings());
      assertEquals(MediaTypes.ociLayer(c), r.images().get(0).layers().get(0).mediaType());
      // header, 1000 bytes padded to two blocks, end marker, padded by the writer to a record
      assertTrue(r.images().get(0).layers().get(0).uncompressedSize().getAsLong() >= 512 + 1024 + 1024);
    }
    Image docker = ImageBuilder.fromScratch(Platform.LINUX_AMD64).format(ManifestFormat.DOCKER)
        .addLayer(Layers.compress(RawTar.tar().file("a", "x").build(), Compression.GZIP),
            new History(Optional.empty(), Optional.of("COPY a /"), Optional.empty(), Optional.empty(), false)).build();
    assertEquals(Verdict.PASSED, TestImage.verify(docker, integrityOnly()).verdict());
  }

  @Test
  void walk_referenceDigestDiffers_isIntegrityFailure() throws Exception {
    Image image = TestImage.image().layer(RawTar.tar().file("a", "x").build()).build();
    try (Verifier v = TestImage.verifier()) {
      VerifyRequest request = new VerifyRequest("app@sha256:" + "b".repeat(64), Optional.empty(), Optional.of(Digest.parse("sha256:" + "b".repeat(64))),
          integrityOnly(), Optional.empty(), new Platforms.Default(), Deadline.none());
      VerificationReport r = v.verify(image, request);
      assertEquals(Verdict.INTEGRITY_FAILURE, r.verdict());
      assertTrue(r.allFindings().get(0).message().startsWith("the reference names sha256:bbbb"));
    }
  }

  @Test
  void verify_expiredDeadline_stopsWithException() throws Exception {
    Image image = TestImage.image().layer(RawTar.tar().file("a", 0644, new byte[1 << 20]).build()).build();
    try (Verifier v = TestImage.verifier()) {
      VerifyRequest request = TestImage.request(integrityOnly()).withDeadline(Deadline.at(Instant.now().minus(Duration.ofSeconds(1))));
      VerifierException e = assertThrows(VerifierException.class, () -> v.verify(image, request));
      assertEquals(FailureKind.UNEXPECTED, e.kind());
      assertTrue(e.getMessage().contains("deadline"), e.getMessage());
    }
  }

  /** An OCI layout whose index.json names an index of two platform images. */
  private Artifact twoPlatformIndex() throws Exception {
    Image amd = TestImage.image().layer(RawTar.tar().file("amd", "x").build()).build();
    Image arm = ImageBuilder.fromScratch(new Platform("linux", "arm64"))
        .addLayer(Layers.compress(RawTar.tar().file("arm", "y").build(), Compression.GZIP),
            new History(Optional.empty(), Optional.of("COPY arm /"), Optional.empty(), Optional.empty(), false)).build();
    OciLayout layout = OciLayout.create(tmp);
    layout.writeBlobs(amd);
    layout.writeBlobs(arm);
    IndexManifest index = new IndexManifest(List.of(
        amd.descriptor().withPlatform(Platform.LINUX_AMD64), arm.descriptor().withPlatform(new Platform("linux", "arm64"))));
    byte[] bytes = OciJson.write(index);
    Descriptor d = Descriptor.of(MediaTypes.OCI_INDEX, bytes);
    layout.writeBlob(d, () -> new java.io.ByteArrayInputStream(bytes));
    layout.updateIndex(entries -> List.of(OciLayout.entryFor(d, Optional.of("multi"))));
    return OciLayout.open(tmp).resolve(Optional.of("multi"), Optional.empty());
  }

  @Test
  void verify_index_onePlatformOrAll() throws Exception {
    Artifact index = twoPlatformIndex();
    try (Verifier v = TestImage.verifier()) {
      VerificationReport all = v.verify(index, TestImage.request(integrityOnly()).withPlatforms(new Platforms.All()));
      assertEquals(2, all.images().size());
      assertEquals(Verdict.PASSED, all.verdict(), all.allFindings().toString());
      assertEquals(MediaTypes.OCI_INDEX, all.subjectMediaType().orElseThrow());
      VerificationReport arm = v.verify(index, TestImage.request(integrityOnly()).withPlatforms(new Platforms.One(Platform.parse("linux/arm64"))));
      assertEquals(1, arm.images().size());
      assertEquals("linux/arm64", arm.images().get(0).platform().orElseThrow().toString());
      VerifierException none = assertThrows(VerifierException.class,
          () -> v.verify(index, TestImage.request(integrityOnly()).withPlatforms(new Platforms.One(Platform.parse("linux/s390x")))));
      assertEquals(FailureKind.BAD_INPUT, none.kind());
      assertTrue(none.getMessage().contains("available: linux/amd64, linux/arm64"), none.getMessage());
    }
  }

  @Test
  void inspect_isCacheableByDigest_evaluateAgainWithOtherPolicies() throws Exception {
    Image image = TestImage.image().layer(RawTar.tar().dir("bin").file("bin/su", 04755, new byte[] {1}).build()).build();
    try (Verifier v = TestImage.verifier()) {
      var facts = v.inspect(image, "cached", Optional.empty(), Optional.empty(), v.options().limits(), Deadline.none());
      var lenient = v.evaluate(facts, io.jscan.verifier.Evidence.none(), integrityOnly(), Optional.empty(), List.of(), TestImage.NOW);
      var strict = v.evaluate(facts, io.jscan.verifier.Evidence.none(), TestImage.rule("- id: no-setuid"), Optional.empty(), List.of(), TestImage.NOW);
      assertEquals(Verdict.PASSED, lenient.verdict());
      assertEquals(Verdict.POLICY_VIOLATION, strict.verdict());
      assertEquals(image.descriptor().digest(), facts.walk().manifestCheck().digest());
    }
  }

  @Test
  void evidence_signatureThatDoesNotVerify_isExit4WhateverThePolicies() throws Exception {
    Image image = TestImage.image().layer(RawTar.tar().file("a", "x").build()).build();
    var options = io.jscan.verifier.VerifierOptions.defaults().withParallelism(1)
        .withEvidence((subject, img, ref) -> new io.jscan.verifier.Evidence(
            List.of(new io.jscan.verifier.Evidence.Signature("cosign", false, Optional.of("key"), "signature does not match the manifest digest")),
            List.of(new io.jscan.verifier.Evidence.Attestation("https://cyclonedx.org/bom", true, "verified", Map.of("bomFormat", "CycloneDX")))));
    try (Verifier v = new Verifier(options)) {
      VerificationReport r = v.verify(image, TestImage.request(TestImage.policy("""
          apiVersion: jscan.io/v1
          kind: Policy
          name: p
          rules:
            - id: sbom-required
            - id: signature-required
            - id: cel-sees-attestations
              expression: "attestations.exists(a, a.predicateType.startsWith('https://cyclonedx.org') && a.predicate.bomFormat == 'CycloneDX')"
          """)));
      assertEquals(Verdict.INTEGRITY_FAILURE, r.verdict());
      assertEquals(io.jscan.verifier.RuleResult.Status.PASSED, TestImage.status(r, "sbom-required"));
      assertEquals(io.jscan.verifier.RuleResult.Status.PASSED, TestImage.status(r, "cel-sees-attestations"));
      assertEquals("no signature verified", TestImage.findings(r, "signature-required").get(0).message());
      assertTrue(TestImage.findings(r, "signature").get(0).message().contains("does not verify"));
    }
  }
}
