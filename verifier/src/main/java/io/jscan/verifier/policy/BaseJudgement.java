package io.jscan.verifier.policy;

import io.jscan.core.oci.Digest;
import io.jscan.core.transport.ImageName;
import io.jscan.verifier.BaseImage;
import io.jscan.verifier.ImageFacts;
import io.jscan.verifier.Location;
import io.jscan.verifier.attest.ProvenanceFacts;
import io.jscan.verifier.lint.DockerfileFacts;
import io.jscan.verifier.policy.BuiltinRules.Outcome;
import io.jscan.verifier.policy.BuiltinRules.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How {@code base-not-latest} and {@code base-pinned} judge the base image, the same way whichever
 * sources there are: the Dockerfile alone ({@code jscan dockerfile lint --policy}), the image alone
 * (its {@code base.name} label, or signed provenance), or both ({@code jscan verify --dockerfile}).
 *
 * <p>Each source names the base <em>as written</em> ({@link BaseImage}); a digest a builder
 * resolved and recorded never decides. When the Dockerfile and the image both name a base, each is
 * judged: a finding from either fails the rule (fail closed: a label that says {@code debian:12}
 * does not excuse a Dockerfile that says {@code latest}, nor the other way round), and when they
 * name different images the message says which source said what. When they agree, one finding is
 * reported, at the Dockerfile's FROM line.
 */
final class BaseJudgement {
  private BaseJudgement() {}

  /** What a rule asks of one base image as written: empty when it is fine, else why not. */
  @FunctionalInterface
  interface Check {
    Optional<String> problem(BaseImage base);
  }

  /** base-not-latest: the tag as written, whatever digest follows it or was resolved (hadolint DL3006, DL3007). */
  static Optional<String> latestProblem(BaseImage b) {
    if (!b.floatsOnLatest()) {
      return Optional.empty();
    }
    String why = b.tag().isPresent()
        ? "uses the latest tag (DL3007)" + (b.digest().isPresent() ? ", which the digest written after it does not change: name a release tag" : "")
        : "has no tag, so it follows latest (DL3006)";
    if (b.digest().isEmpty() && b.resolvedDigest().isPresent()) {
      why += "; the digest " + b.resolvedDigest().get() + " resolved at build time does not pin what the Dockerfile names";
    }
    return Optional.of(why);
  }

  /** base-pinned: a digest written in the reference; a resolution recorded by a builder or jscan.lock does not count. */
  static Optional<String> pinnedProblem(BaseImage b) {
    if (b.pinned()) {
      return Optional.empty();
    }
    String why = "is not pinned by digest";
    if (b.resolvedDigest().isPresent()) {
      Digest resolved = b.resolvedDigest().get();
      why += ": the digest " + resolved + " it resolved to at build time is not written in the reference, so another build may read "
          + "other bytes" + (b.localTransport() ? "" : " (write " + pinnedForm(b, resolved) + ")");
    }
    return Optional.of(why);
  }

  /**
   * The reference to write instead: with the digest, and without a {@code latest} tag, which would
   * still fail base-not-latest ({@code debian:latest} becomes {@code debian@sha256:…}).
   */
  private static String pinnedForm(BaseImage b, Digest resolved) {
    String name = b.reference();
    String latest = ":" + ImageName.DEFAULT_TAG;
    if (b.tag().filter(ImageName.DEFAULT_TAG::equals).isPresent() && name.endsWith(latest)) {
      name = name.substring(0, name.length() - latest.length());
    }
    return name + "@" + resolved;
  }

  static Outcome judge(RuleContext ctx, PolicyRule rule, Check check) {
    Optional<List<BaseImage>> provenance = provenanceImages(ctx);
    Optional<BaseImage> imageBase = ctx.image().flatMap(ImageFacts::base);
    Optional<DockerfileFacts> dockerfile = ctx.dockerfile();
    Optional<BaseImage> dockerfileBase = dockerfile.flatMap(DockerfileFacts::base);
    boolean dockerfileScratch = dockerfileBase.isEmpty() && dockerfile.map(DockerfileFacts::scratch).orElse(false);
    boolean dockerfileKnown = dockerfileBase.isPresent() || dockerfileScratch;
    if (provenance.isEmpty() && imageBase.isEmpty() && dockerfileBase.isEmpty()) {
      return dockerfileScratch ? Outcome.pass() : unknown(ctx, rule);
    }

    Optional<String> dockerfileProblem = dockerfileBase.map(b -> agreeing(b, imageBase)).flatMap(check::problem);
    List<Violation> out = new ArrayList<>();
    // the image's side: every image signed provenance says the build read, else the base label
    for (BaseImage b : provenance.orElseGet(() -> imageBase.map(List::of).orElse(List.of()))) {
      Optional<String> problem = check.problem(b);
      if (problem.isEmpty()) {
        continue;
      }
      boolean isFinal = imageBase.isPresent() && imageBase.get().equals(b);
      boolean sameAsDockerfile = dockerfileBase.isPresent() && dockerfileBase.get().sameAsWritten(b);
      if (isFinal && sameAsDockerfile && dockerfileProblem.isPresent()) {
        continue; // both say the same: reported once, at the Dockerfile's line
      }
      String message = (isFinal ? "base image " + b.reference() + " (" + sourceName(b) + ")"
          : "image " + b.reference() + " read by the build (" + sourceName(b) + ")") + " " + problem.get();
      if (isFinal && dockerfileKnown && !sameAsDockerfile) {
        message += "; the Dockerfile (" + dockerfile.get().finalFrom().file() + ":" + dockerfileLine(dockerfile.get(), dockerfileBase) + ") names "
            + dockerfileBase.map(BaseImage::reference).orElse("scratch") + " instead: the image and the Dockerfile disagree, so the rule fails";
      }
      out.add(Violation.policy(message, imageLocation(ctx, b)));
    }
    // the Dockerfile's side
    if (dockerfileProblem.isPresent()) {
      BaseImage b = dockerfileBase.get();
      String message = "base image " + b.reference() + " " + dockerfileProblem.get();
      if (imageBase.isPresent() && !imageBase.get().sameAsWritten(b)) {
        message += "; the image's " + sourceName(imageBase.get()) + " names " + imageBase.get().reference()
            + " instead: the image and the Dockerfile disagree, so the rule fails";
      }
      out.add(Violation.policy(message, dockerfileLocation(dockerfile.get(), b)));
    }
    return Outcome.of(out);
  }

  /**
   * The Dockerfile's base with what the image says it resolved to, when the image names the same
   * base: the message can then say which digest the build read.
   */
  private static BaseImage agreeing(BaseImage dockerfileBase, Optional<BaseImage> imageBase) {
    if (imageBase.isPresent() && imageBase.get().sameAsWritten(dockerfileBase) && dockerfileBase.resolvedDigest().isEmpty()) {
      return dockerfileBase.withResolvedDigest(imageBase.get().resolvedDigest());
    }
    return dockerfileBase;
  }

  private static String sourceName(BaseImage b) {
    return switch (b.source()) {
      case BaseImage.LABEL -> "org.opencontainers.image.base.name label";
      case BaseImage.PROVENANCE -> "signed provenance";
      default -> "Dockerfile";
    };
  }

  /** The FROM line that named the base (the root of the final stage's chain), else the final FROM. */
  private static int dockerfileLine(DockerfileFacts d, Optional<BaseImage> base) {
    return base.map(BaseImage::line).orElse(OptionalInt.empty()).orElse(d.finalFrom().startLine());
  }

  private static Location dockerfileLocation(DockerfileFacts d, BaseImage b) {
    int line = dockerfileLine(d, Optional.of(b));
    return new Location.InDockerfile(d.file(), line, line);
  }

  private static Location imageLocation(RuleContext ctx, BaseImage b) {
    ImageFacts image = ctx.image().orElseThrow();
    return b.source().equals(BaseImage.PROVENANCE)
        ? Location.InImage.part("manifest", image.walk().manifestCheck().digest())
        : BuiltinRules.config(image);
  }

  private static Outcome unknown(RuleContext ctx, PolicyRule rule) {
    if (Boolean.TRUE.equals(rule.parameter("requireKnown", Boolean.FALSE))) {
      Location at = ctx.image().map(BuiltinRules::config).orElse(null);
      return Outcome.of(List.of(Violation.policy(
          "base image unknown: no org.opencontainers.image.base.name label, signed provenance or --dockerfile names it", at)));
    }
    if (ctx.image().isPresent() && ProvenanceFacts.unsignedOnly(ctx.evidence())) {
      return Outcome.skip("base image unknown (no base label or --dockerfile; the provenance found is not signed by a trusted key, so it is not used)");
    }
    if (ctx.dockerfile().isPresent()) {
      return Outcome.skip("base image unknown (the Dockerfile's final FROM cannot be resolved: it needs --build-arg values or is not a valid reference"
          + (ctx.image().isPresent() ? ", and the image has no base label or signed provenance)" : ")"));
    }
    return Outcome.skip("base image unknown (no base label, provenance or --dockerfile)");
  }

  /**
   * Every image the build read, from provenance whose signature verified (unsigned provenance
   * never decides a rule); empty when there is no such provenance.
   */
  private static Optional<List<BaseImage>> provenanceImages(RuleContext ctx) {
    if (ctx.image().isEmpty()) {
      return Optional.empty();
    }
    return ProvenanceFacts.trusted(ctx.evidence()).map(ProvenanceFacts::baseImages);
  }
}
