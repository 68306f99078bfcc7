package io.jscan.verifier;

import io.jscan.core.Deadline;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.HealthCheck;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.verifier.policy.PolicyLoader;
import io.jscan.verifier.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Recipe for small images made in memory from explicit parts (labels, user, layers), and helpers
 * to verify them against policies written inline. The clock is fixed so ages and expiry dates
 * do not depend on when the tests run.
 */
public final class TestImage {
  public static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  public static final Instant CREATED = Instant.parse("2026-05-20T00:00:00Z");

  private final Map<String, String> labels = new TreeMap<>();
  private Optional<String> user = Optional.empty();
  private Optional<String> author = Optional.empty();
  private Optional<HealthCheck> healthcheck = Optional.empty();
  private Instant created = CREATED;
  private final List<byte[]> layers = new ArrayList<>();
  private Compression compression = Compression.GZIP;

  public static TestImage image() {
    return new TestImage();
  }

  public TestImage label(String key, String value) {
    labels.put(key, value);
    return this;
  }

  public TestImage user(String u) {
    user = Optional.of(u);
    return this;
  }

  public TestImage author(String a) {
    author = Optional.of(a);
    return this;
  }

  public TestImage healthcheck(String... test) {
    healthcheck = Optional.of(new HealthCheck(List.of(test), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
    return this;
  }

  public TestImage created(Instant when) {
    created = when;
    return this;
  }

  public TestImage layer(byte[] tar) {
    layers.add(tar);
    return this;
  }

  public TestImage compression(Compression c) {
    compression = c;
    return this;
  }

  public Image build() throws OciException {
    ImageBuilder b = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(created);
    int i = 0;
    for (byte[] tar : layers) {
      b.addLayer(Layers.compress(tar, compression),
          new History(Optional.of(created), Optional.of("COPY layer" + (++i) + " /"), Optional.empty(), Optional.empty(), false));
    }
    b.containerConfig(c -> new ContainerConfig(user, c.exposedPorts(), c.env(), c.entrypoint(), c.cmd(), c.volumes(), c.workingDir(),
        new TreeMap<>(labels), c.stopSignal(), c.argsEscaped(), healthcheck, c.onBuild(), c.shell()));
    author.ifPresent(b::author);
    return b.build();
  }

  /** A verifier whose clock stands at {@link #NOW}. */
  public static Verifier verifier() {
    return new Verifier(VerifierOptions.defaults().withParallelism(2).withClock(Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  public static PolicySet policy(String yaml) throws VerifierException {
    return new PolicySet(List.of(PolicyLoader.parse("test-policy.yaml", yaml.getBytes(StandardCharsets.UTF_8))));
  }

  /** A one-rule policy. */
  public static PolicySet rule(String ruleYaml) throws VerifierException {
    return policy("apiVersion: jscan.io/v1\nkind: Policy\nname: test\nrules:\n" + ruleYaml.stripIndent().lines().map(l -> "  " + l).reduce("", (a, l) -> a + l + "\n"));
  }

  public static VerifyRequest request(PolicySet policies) {
    return new VerifyRequest("test-image", Optional.empty(), Optional.empty(), policies, Optional.empty(), Platforms.defaults(), Deadline.none());
  }

  public static VerificationReport verify(Image image, PolicySet policies) throws VerifierException {
    try (Verifier v = verifier()) {
      return v.verify(image, request(policies));
    }
  }

  public static VerificationReport verify(Image image, PolicySet policies, String dockerfile) throws VerifierException, DockerfileException {
    try (Verifier v = verifier()) {
      return v.verify(image, request(policies).withDockerfile(Dockerfile.parse("Dockerfile", dockerfile)));
    }
  }

  /** The status of {@code rule} in the report's first image (or the report itself for a Dockerfile alone). */
  public static RuleResult.Status status(VerificationReport report, String rule) {
    List<RuleResult> results = report.images().isEmpty() ? report.rules() : report.images().get(0).rules();
    return results.stream().filter(r -> r.rule().equals(rule)).findFirst().orElseThrow(() -> new AssertionError("no result for " + rule)).status();
  }

  public static List<Finding> findings(VerificationReport report, String rule) {
    return report.allFindings().stream().filter(f -> f.rule().equals(rule)).toList();
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
