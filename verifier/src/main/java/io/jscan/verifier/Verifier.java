package io.jscan.verifier;

import io.jscan.core.Deadline;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Images;
import io.jscan.core.io.DaemonThreads;
import io.jscan.core.oci.Annotations;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageName;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.verifier.attest.AttestedFacts;
import io.jscan.verifier.files.FileFact;
import io.jscan.verifier.sbom.PackageCatalogue;
import io.jscan.verifier.sbom.PackageInventory;
import io.jscan.verifier.files.ScanLimits;
import io.jscan.verifier.integrity.ImageWalker;
import io.jscan.verifier.integrity.WalkResult;
import io.jscan.verifier.lint.DockerfileFacts;
import io.jscan.verifier.lint.DockerfileLinter;
import io.jscan.verifier.policy.BuiltinRules;
import io.jscan.verifier.policy.PolicyEngine;
import io.jscan.verifier.policy.PolicyInput;
import io.jscan.verifier.policy.PolicySet;
import io.jscan.verifier.policy.RuleContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The verifier: source → lazy {@link Artifact} → checks (integrity, files, signatures, policy) →
 * {@link VerificationReport}. Policy violations and integrity failures are findings in the report;
 * only what prevents a report (a passed deadline, an I/O error of the source, a bad platform
 * choice) is a {@link VerifierException}.
 *
 * <p>One instance is meant to be shared (an admission server makes one): its thread pool bounds
 * how many layers are read at once across all concurrent verifications, and each verification
 * holds only fixed-size windows per layer. {@link #inspect} is the expensive part and depends only
 * on the image's bytes, so a server can cache {@link ImageFacts} by manifest digest and call
 * {@link #evaluate} per request.
 *
 * <pre>{@code
 * try (Verifier verifier = new Verifier(VerifierOptions.defaults());
 *     LocalStore store = LocalStore.openDefault()) {
 *   ImageReference ref = ImageReference.parse("oci:build/layout:app");
 *   Artifact artifact = new Transports(store).read(ref);
 *   PolicySet policies = PolicyLoader.load(List.of("strict"));
 *   VerificationReport report = verifier.verify(artifact,
 *       VerifyRequest.of(ref, policies).withDeadline(Deadline.in(Duration.ofSeconds(10))));
 *   report.verdict();   // PASSED, POLICY_VIOLATION or INTEGRITY_FAILURE
 * }
 * }</pre>
 */
public final class Verifier implements AutoCloseable {
  private static final String ATTESTATION_TYPE = "vnd.docker.reference.type";

  private final VerifierOptions options;
  private final ExecutorService pool;

  public Verifier(VerifierOptions options) {
    this.options = options;
    this.pool = DaemonThreads.fixedPool("jscan-verify", options.parallelism());
  }

  public VerifierOptions options() {
    return options;
  }

  /** Verifies {@code subject} (an image, or an index whose images {@code request.platforms()} picks). */
  public VerificationReport verify(Artifact subject, VerifyRequest request) throws VerifierException {
    long start = System.nanoTime();
    Instant now = options.clock().instant();
    List<Finding> subjectFindings = new ArrayList<>();
    Optional<DockerfileFacts> dockerfileFacts = Optional.empty();
    List<Finding> lint = List.of();
    if (request.dockerfile().isPresent()) {
      try {
        dockerfileFacts = Optional.of(DockerfileFacts.of(request.dockerfile().get()));
        lint = DockerfileLinter.lint(request.dockerfile().get());
      } catch (DockerfileException e) {
        throw new VerifierException(e.kind(), e.what(), e.detail(), e);
      }
    }
    Descriptor top = descriptor(subject);
    List<Image> images = select(subject, request, top, subjectFindings);
    ScanLimits limits = limitsFor(request.policies());
    List<ImageReport> reports = new ArrayList<>();
    boolean rulesNeedPackages = BuiltinRules.needsPackages(request.policies());
    for (Image image : images) {
      Optional<Digest> expected = image == subject ? request.expectedDigest() : Optional.empty();
      // evidence first: a verified SBOM attestation spares cataloguing the image
      Evidence evidence = options.evidence().collect(subject, image, request.reference());
      boolean catalog = rulesNeedPackages && AttestedFacts.trustedSbom(evidence).isEmpty();
      ImageFacts facts = inspect(image, request.reference(), request.name(), expected, limits, request.deadline(), catalog);
      reports.add(evaluate(facts, evidence, request.policies(), dockerfileFacts, lint, now));
    }
    if (request.dockerfile().isPresent()) {
      RuleContext ctx = new RuleContext(Optional.empty(), dockerfileFacts, List.of(), lint, Evidence.none(), Map.of(), now);
      subjectFindings.addAll(PolicyEngine.lintFindings(request.policies(), lint, ctx));
    }
    return new VerificationReport(
        request.reference(), Optional.of(top.digest()), Optional.of(top.mediaType()), reports, subjectFindings,
        request.dockerfile().map(Dockerfile::file), request.policies().summaries(), List.of(), now,
        Duration.ofNanos(System.nanoTime() - start), Optional.empty());
  }

  /**
   * The expensive, cacheable part: the integrity walk and file checks of one image, with secrets
   * in distribution packages' unchanged files marked ({@link io.jscan.verifier.sbom.DistributionFiles}).
   * The result depends only on the image's bytes (its manifest digest) and {@code limits}.
   */
  public ImageFacts inspect(
      Image image, String reference, Optional<ImageName> name, Optional<Digest> expectedDigest, ScanLimits limits, Deadline deadline)
      throws VerifierException {
    return inspect(image, reference, name, expectedDigest, limits, deadline, false);
  }

  /**
   * As {@link #inspect(Image, String, Optional, Optional, ScanLimits, Deadline)}; with
   * {@code catalogPackages} the image's packages are catalogued from the same single read of each
   * layer ({@link PackageCatalogue}), for rules over SBOM content. (Cache such facts apart from
   * facts without packages.)
   */
  public ImageFacts inspect(
      Image image, String reference, Optional<ImageName> name, Optional<Digest> expectedDigest, ScanLimits limits, Deadline deadline,
      boolean catalogPackages) throws VerifierException {
    ImageWalker walker = new ImageWalker(pool, limits, deadline);
    WalkResult walk;
    Optional<PackageInventory> packages = Optional.empty();
    List<FileFact> facts;
    if (catalogPackages || limits.scanSecrets()) {
      // the distribution's package databases are captured in the same read, so that a secret in a
      // package's unchanged file can be told from one the builder added (DistributionFiles)
      try (PackageCatalogue catalogue = catalogPackages ? PackageCatalogue.everything() : PackageCatalogue.distributionPackages()) {
        walk = walker.walk(image, expectedDigest, Optional.of(catalogue.session()));
        PackageCatalogue.Finished finished = catalogue.finish(image, walk, name.map(ImageName::toString).orElse(reference), catalogPackages);
        packages = finished.inventory();
        facts = finished.facts();
      }
    } else {
      walk = walker.walk(image, expectedDigest);
      facts = walk.files().map(f -> f.facts()).orElse(List.of());
    }
    Optional<BaseImage> base = baseFromImage(image, walk);
    return new ImageFacts(reference, name, walk, base, facts, packages);
  }

  /**
   * Evaluates policies on inspected facts: cheap, so a server evaluates per request (the time,
   * exceptions and evidence can differ) on cached {@link ImageFacts}.
   */
  public ImageReport evaluate(
      ImageFacts inspected, Evidence evidence, PolicySet policies, Optional<DockerfileFacts> dockerfile, List<Finding> lint, Instant now) {
    // verified attestations may name the base (provenance) and the packages (SBOM); unsigned ones never do
    ImageFacts facts = AttestedFacts.apply(inspected, evidence);
    Map<String, Object> document = PolicyInput.document(Optional.of(facts), dockerfile, lint, evidence, now, options.limits().maxListed());
    RuleContext ctx = new RuleContext(Optional.of(facts), dockerfile, facts.walk().findings(), lint, evidence, document, now);
    PolicyEngine.Evaluation evaluation = PolicyEngine.evaluate(policies, ctx);
    List<Finding> findings = new ArrayList<>(facts.walk().findings());
    findings.addAll(signatureFailures(evidence, facts));
    findings.addAll(evaluation.findings());
    WalkResult w = facts.walk();
    Optional<Platform> platform = w.config().map(ImageConfig::platform);
    return new ImageReport(w.manifestCheck(), w.configCheck(), platform, w.layers(), findings, document, evaluation.results(), evidence);
  }

  /**
   * Lints a Dockerfile and evaluates the policies' rules that can judge a Dockerfile alone
   * ({@code jscan dockerfile lint}). Lint findings at or above {@code threshold} are enforced.
   */
  public VerificationReport lint(Dockerfile dockerfile, PolicySet policies, Severity threshold) throws VerifierException {
    return lint(dockerfile, policies, Optional.of(threshold));
  }

  /** As {@link #lint(Dockerfile, PolicySet, Severity)} with no lint finding enforced (policy rules still are). */
  public VerificationReport lintReportOnly(Dockerfile dockerfile, PolicySet policies) throws VerifierException {
    return lint(dockerfile, policies, Optional.empty());
  }

  private VerificationReport lint(Dockerfile dockerfile, PolicySet policies, Optional<Severity> threshold) throws VerifierException {
    long start = System.nanoTime();
    Instant now = options.clock().instant();
    DockerfileFacts facts;
    List<Finding> lint = new ArrayList<>();
    try {
      facts = DockerfileFacts.of(dockerfile);
      for (Finding f : DockerfileLinter.lint(dockerfile)) {
        lint.add(threshold.isPresent() && f.severity().atLeast(threshold.get()) ? f : f.withMode(Mode.WARN));
      }
    } catch (DockerfileException e) {
      // a Dockerfile over a limit (expansion without bound) is refused, as build refuses it
      throw new VerifierException(e.kind(), e.what(), e.detail(), e);
    }
    Map<String, Object> document = PolicyInput.document(Optional.empty(), Optional.of(facts), lint, Evidence.none(), now, options.limits().maxListed());
    RuleContext ctx = new RuleContext(Optional.empty(), Optional.of(facts), List.of(), lint, Evidence.none(), document, now);
    PolicyEngine.Evaluation evaluation = PolicyEngine.evaluate(policies, ctx);
    List<Finding> findings = new ArrayList<>(lint);
    findings.addAll(evaluation.findings());
    return new VerificationReport(
        dockerfile.file(), Optional.empty(), Optional.empty(), List.of(), findings, Optional.of(dockerfile.file()),
        policies.summaries(), evaluation.results(), now, Duration.ofNanos(System.nanoTime() - start), Optional.empty());
  }

  /** The scan limits, with the large-file threshold lowered to what the policies' rules need. */
  ScanLimits limitsFor(PolicySet policies) {
    ScanLimits limits = options.limits();
    Optional<Long> threshold = BuiltinRules.largeFileThreshold(policies);
    if (threshold.isPresent() && threshold.get() < limits.largeFileThreshold()) {
      limits = limits.withLargeFileThreshold(Math.max(1, threshold.get()));
    }
    return limits;
  }

  private static Descriptor descriptor(Artifact subject) throws VerifierException {
    try {
      return subject.descriptor();
    } catch (OciException e) {
      throw new VerifierException(e.kind(), "image", e.getMessage(), e);
    }
  }

  private List<Image> select(Artifact subject, VerifyRequest request, Descriptor top, List<Finding> findings) throws VerifierException {
    if (subject instanceof Image image) {
      if (request.platforms() instanceof Platforms.One one) {
        // --platform judges a single image by its config too, as inspect and sbom do: verifying an
        // amd64 image for an arm64 deployment must not pass
        try {
          image.config();
        } catch (OciException e) {
          return List.of(image); // a config that cannot be read or parsed: the walk reports it
        }
        try {
          Images.forPlatform(image, one.platform());
        } catch (OciException e) {
          throw new VerifierException(e.kind(), e.what(), e.detail(), e);
        }
      }
      return List.of(image);
    }
    ImageIndex index = (ImageIndex) subject;
    Location.InImage at = Location.InImage.part("index", top.digest());
    if (request.expectedDigest().isPresent() && !request.expectedDigest().get().equals(top.digest())) {
      findings.add(Finding.integrity("the reference names " + request.expectedDigest().get() + " but the source resolved " + top.digest(), at));
    }
    List<Image> runnable = new ArrayList<>();
    try {
      collect(index, runnable, findings, new HashSet<>(), 0);
    } catch (OciException e) {
      findings.add(Finding.integrity("index: " + e.getMessage(), at));
      return List.of();
    }
    Platforms platforms = request.platforms();
    if (platforms instanceof Platforms.All) {
      return runnable;
    }
    Platform wanted;
    if (platforms instanceof Platforms.One one) {
      wanted = one.platform();
    } else if (runnable.size() == 1) {
      return runnable;
    } else {
      wanted = Platform.host();
    }
    try {
      return List.of(Images.forPlatform(index, wanted));
    } catch (OciException e) {
      if (e.kind() == FailureKind.INTEGRITY) {
        findings.add(Finding.integrity(e.getMessage(), at));
        return List.of();
      }
      // the message inspect and sbom give for the same image and platform
      throw new VerifierException(FailureKind.BAD_INPUT, e.what(), e.detail(), e);
    }
  }

  /** The runnable images of an index (attestation manifests left out), nested indexes included. */
  private static void collect(ImageIndex index, List<Image> out, List<Finding> findings, Set<Digest> seen, int depth) throws OciException {
    Location.InImage at = Location.InImage.part("index", index.descriptor().digest());
    if (depth > 8 || !seen.add(index.descriptor().digest())) {
      findings.add(Finding.integrity("index nesting is cyclic or deeper than 8 levels", at));
      return;
    }
    for (Descriptor child : index.index().manifests()) {
      if ("attestation-manifest".equals(child.annotations().get(ATTESTATION_TYPE))
          || child.platform().map(p -> p.os().equals("unknown")).orElse(false)) {
        continue;
      }
      if (!MediaTypes.isManifestOrIndex(child.mediaType())) {
        continue; // artifacts in an index (signatures, SBOMs) are not images to verify
      }
      Artifact a;
      try {
        a = index.child(child);
      } catch (OciException e) {
        findings.add(Finding.integrity("child " + child.digest() + ": " + e.getMessage(), at));
        continue;
      }
      if (a instanceof Image img) {
        out.add(img);
      } else {
        try {
          collect((ImageIndex) a, out, findings, seen, depth + 1);
        } catch (OciException e) {
          findings.add(Finding.integrity("nested index " + child.digest() + ": " + e.getMessage(), at));
        }
      }
    }
  }

  /**
   * The base image the image's labels (or its manifest's annotations) name: {@code base.name} as
   * written by the builder, and {@code base.digest} as what that name resolved to at build time
   * (OCI image-spec annotations.md; buildah and jscan write both). The resolved digest is kept
   * apart: it records one build's resolution and pins nothing.
   */
  private static Optional<BaseImage> baseFromImage(Image image, WalkResult walk) {
    Map<String, String> labels = walk.config().<Map<String, String>>map(c -> c.config().labels()).orElse(Map.of());
    Map<String, String> annotations = walk.manifest().map(m -> m.annotations()).orElse(Map.of());
    String name = labels.getOrDefault(Annotations.BASE_NAME, annotations.get(Annotations.BASE_NAME));
    String digest = labels.getOrDefault(Annotations.BASE_DIGEST, annotations.get(Annotations.BASE_DIGEST));
    if (name == null || name.isBlank()) {
      return Optional.empty();
    }
    // a malformed base.digest is left out (it decides nothing); the name is still judged
    Optional<Digest> resolved = digest != null && Digest.isValid(digest.trim()) ? Optional.of(Digest.parse(digest.trim())) : Optional.empty();
    try {
      return Optional.of(BaseImage.parse(name, resolved, BaseImage.LABEL, OptionalInt.empty()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Signature findings from the evidence, whatever the policies say:
   * <ul>
   *   <li>each requirement failure the provider reports (a key was given, no signature found);
   *   <li>each signature that does not verify under a trust the caller requires ({@link
   *       Evidence.Signature#enforced}), unless another signature of the image verified: as with
   *       cosign, an image may carry signatures by several parties, and one by a trusted signer is
   *       what counts; the others are reported as warnings;
   *   <li>each such attestation that does not verify, unless another of the same predicate type did.
   * </ul>
   * Tampered, copied and malformed evidence on an image with nothing valid is therefore exit 4 for
   * {@code jscan verify --key}. Evidence judged against a trust that is not required (a server's
   * {@code --key}: whom the rules without keys trust) is left to the rules, which judge it with
   * their own keys or that trust and fail with exit 4 themselves.
   */
  private static List<Finding> signatureFailures(Evidence evidence, ImageFacts facts) {
    List<Finding> out = new ArrayList<>();
    Location at = Location.InImage.part("manifest", facts.walk().manifestCheck().digest());
    for (String failure : evidence.failures()) {
      out.add(new Finding("signature", Optional.empty(), Severity.ERROR, Mode.ENFORCE, Category.SIGNATURE, failure, Optional.of(at), Optional.empty()));
    }
    boolean signatureVerified = evidence.signatures().stream().anyMatch(Evidence.Signature::verified);
    for (Evidence.Signature s : evidence.signatures()) {
      if (!s.verified() && s.enforced()) {
        out.add(signatureFinding(signatureVerified, s.kind() + " signature does not verify: " + s.detail(), at));
      }
    }
    Set<String> attested = new HashSet<>();
    for (Evidence.Attestation a : evidence.attestations()) {
      if (a.verified()) {
        attested.add(a.predicateType());
      }
    }
    for (Evidence.Attestation a : evidence.attestations()) {
      if (!a.verified() && a.enforced()) {
        out.add(signatureFinding(attested.contains(a.predicateType()), "attestation " + a.predicateType() + " does not verify: " + a.detail(), at));
      }
    }
    return out;
  }

  private static Finding signatureFinding(boolean outweighed, String message, Location at) {
    return outweighed
        ? new Finding("signature", Optional.empty(), Severity.WARNING, Mode.WARN, Category.SIGNATURE,
            message + " (ignored: another one verified)", Optional.of(at), Optional.empty())
        : new Finding("signature", Optional.empty(), Severity.ERROR, Mode.ENFORCE, Category.SIGNATURE, message, Optional.of(at), Optional.empty());
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
