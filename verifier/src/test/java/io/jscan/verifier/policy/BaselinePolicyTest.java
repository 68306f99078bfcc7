package io.jscan.verifier.policy;

import static io.jscan.verifier.TestImage.findings;
import static io.jscan.verifier.TestImage.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.RepoPaths;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.Severity;
import io.jscan.verifier.TestImage;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verdict;
import io.jscan.verifier.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The shipped baseline policy on the classic tutorial Dockerfile and on the sample image. */
class BaselinePolicyTest {
  static final String TUTORIAL = """
      FROM ubuntu:latest
      MAINTAINER John Doe <john.doe@example.com>
      RUN apt-get update && apt-get install -y curl
      COPY index.html /var/www/html/
      EXPOSE 80
      CMD ["/usr/bin/httpd", "-f", "/var/www/html/index.html"]
      """;

  @Test
  void tutorialDockerfile_failsBaselineOnLatest_passesMaintainer() throws Exception {
    PolicySet baseline = PolicyLoader.load(List.of("baseline"));
    try (Verifier v = TestImage.verifier()) {
      VerificationReport r = v.lint(Dockerfile.parse("Dockerfile", TUTORIAL), baseline, Severity.INFO);
      assertEquals(Verdict.POLICY_VIOLATION, r.verdict());
      assertEquals(Status.FAILED, status(r, "base-not-latest"));
      assertEquals(Status.PASSED, status(r, "maintainer"));
      Finding latest = findings(r, "base-not-latest").get(0);
      assertEquals("base image ubuntu:latest uses the latest tag (DL3007)", latest.message());
      assertEquals(1, ((Location.InDockerfile) latest.location().orElseThrow()).startLine());
      assertEquals(1, findings(r, "DL3007").size());
    }
  }

  @Test
  void tutorialImage_withItsDockerfile_failsBaselineOnLatest_passesMaintainer() throws Exception {
    // what a builder makes of the tutorial: MAINTAINER becomes the config's author
    Image image = TestImage.image().author("John Doe <john.doe@example.com>")
        .layer(RawTar.tar().dir("var").dir("var/www").dir("var/www/html").file("var/www/html/index.html", "<h1>hi</h1>").build()).build();
    VerificationReport r = TestImage.verify(image, PolicyLoader.load(List.of("baseline")), TUTORIAL);
    assertEquals(Verdict.POLICY_VIOLATION, r.verdict());
    assertEquals(Status.FAILED, status(r, "base-not-latest"));
    assertEquals(Status.PASSED, status(r, "maintainer"));
    assertEquals(Status.PASSED, status(r, "integrity"));
    assertTrue(findings(r, "DL3007").stream().noneMatch(Finding::blocking), "baseline has no dockerfile-lint rule: lint only reports");
  }

  /**
   * The sample image (testdata/sample), made from its parts with core's image builder because
   * {@code jscan build} does not exist yet: the layer COPY makes, the labels, env, workdir, user
   * and cmd its Dockerfile sets, FROM scratch. Once the builder lands, build it for real.
   */
  static Image sampleImage() throws Exception {
    Path sample = RepoPaths.testdata("sample");
    byte[] layer = RawTar.tar().dir("app")
        .file("app/hello.txt", 0644, Files.readAllBytes(sample.resolve("hello.txt")))
        .file("app/message.txt", 0644, Files.readAllBytes(sample.resolve("message.txt"))).build();
    Instant epoch = Instant.parse("2026-01-01T00:00:00Z");
    TreeMap<String, String> labels = new TreeMap<>();
    labels.put("org.opencontainers.image.authors", "jscan maintainers");
    labels.put("org.opencontainers.image.description", "jscan sample image");
    return ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(epoch)
        .addLayer(Layers.compress(layer, Compression.GZIP),
            new History(Optional.of(epoch), Optional.of("COPY hello.txt message.txt ./ # buildkit"), Optional.empty(), Optional.empty(), false))
        .containerConfig(c -> new ContainerConfig(Optional.of("65534"), c.exposedPorts(), List.of("GREETING=hello from jscan"),
            Optional.empty(), Optional.of(List.of("/app/hello.txt")), c.volumes(), Optional.of("/app"), labels, c.stopSignal(),
            c.argsEscaped(), c.healthcheck(), c.onBuild(), c.shell()))
        .build();
  }

  @Test
  void sampleImage_passesBaseline() throws Exception {
    String dockerfile = Files.readString(RepoPaths.testdata("sample/Dockerfile"));
    VerificationReport r = TestImage.verify(sampleImage(), PolicyLoader.load(List.of("baseline")), dockerfile);
    assertEquals(Verdict.PASSED, r.verdict(), () -> r.allFindings().toString());
    assertEquals(Status.PASSED, status(r, "integrity"));
    assertEquals(Status.PASSED, status(r, "base-not-latest"), "FROM scratch floats on nothing");
    assertEquals(Status.PASSED, status(r, "maintainer"));
    assertTrue(r.images().get(0).layers().get(0).verified());
  }
}
