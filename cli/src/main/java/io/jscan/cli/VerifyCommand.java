package io.jscan.cli;

import io.jscan.core.Deadline;
import io.jscan.core.image.Artifact;
import io.jscan.core.io.InputFileException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageCopy;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.signing.oci.SignatureStores;
import io.jscan.signing.oci.TrustPolicy;
import io.jscan.verifier.Platforms;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.VerifierOptions;
import io.jscan.verifier.VerifyRequest;
import io.jscan.verifier.files.ScanLimits;
import io.jscan.verifier.policy.PolicyLoader;
import io.jscan.verifier.policy.PolicySet;
import io.jscan.verifier.report.ReportFormat;
import io.jscan.verifier.signatures.SignatureEvidence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jscan verify IMAGE}: walks the image (digests, sizes, diff_ids, media types, tar safety),
 * evaluates policies and prints a report; the exit code says whether it passed.
 */
@Command(
    name = "verify",
    description = {
      "Verify an image: integrity, file checks, signatures and policy rules.",
      "",
      "Integrity covers digests, sizes, diff_ids, media types and the tar safety of every layer; file checks find setuid"
          + " files, secrets, devices and links. Exit code 0 passed, 3 enforced policy violations, 4 integrity or signature failure.",
      "",
      "IMAGE is a local image name (myapp:1.0, name@sha256:..., sha256:...), oci:DIR[:REF|@DIGEST],"
          + " docker-archive:FILE[:NAME:TAG] or docker://NAME. A name is looked up in the local store ($JSCAN_HOME) first,"
          + " then in its registry; docker://NAME always reads the registry. The report names the copy verified; for the"
          + " store's copy of a name with a registry host (registry.example/app:1) it asks the registry (one HEAD) and warns"
          + " when its tag names another image.",
      "",
      "Signatures: with --key or --certificate-identity/--certificate-oidc-issuer, a signature that verifies is required"
          + " (cosign signatures in the sha256-<hex>.sig tag and Sigstore bundle referrers, whose payload names exactly this digest);"
          + " attestations found are verified too and given to the policies. The report names each signature and attestation"
          + " that verified, with its key or identity and transparency log entry."
    })
final class VerifyCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to verify.")
  String image;

  @Option(names = "--policy", paramLabel = "FILE|DIR|NAME",
      description = "A policy file, a directory of them, or a shipped policy (baseline, strict). Repeatable. Default: baseline.")
  List<String> policies = new ArrayList<>();

  @Option(names = "--dockerfile", paramLabel = "FILE", description = "Lint this Dockerfile too, and take the base image from it.")
  Path dockerfile;

  @ArgGroup(exclusive = true)
  PlatformChoice platform;

  static final class PlatformChoice {
    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "For an index: verify the image of this platform.")
    String platform;

    @Option(names = "--all-platforms", description = "For an index: verify every image in it.")
    boolean all;
  }

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
      description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  ReportFormat output;

  @Option(names = "--output-file", paramLabel = "FILE", description = "Write the report to FILE (whole or not at all) instead of standard output.")
  Path outputFile;

  @Option(names = "--max-layer-size", paramLabel = "SIZE",
      description = "A layer that decompresses to more than this is a decompression bomb (default 16GiB).")
  String maxLayerSize;

  @Option(names = "--max-compression-ratio", paramLabel = "N",
      description = "A layer that expands more than N:1 past 64MiB is a decompression bomb (default 200).")
  Long maxRatio;

  @Option(names = "--parallelism", paramLabel = "N", description = "Layers read at once (default: processors, at most 8).")
  Integer parallelism;

  @picocli.CommandLine.Mixin RegistryMixin registry;

  /** The whole verification's deadline: registry reads, retries and the layer walk. */
  @picocli.CommandLine.Mixin TimeoutMixin time;

  @picocli.CommandLine.Mixin TrustOptions trust;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public Integer call() throws Exception {
    Deadline deadline = time.start(env);
    ImageReference ref = ImageReference.parse(image);
    PolicySet policySet = PolicyLoader.load(policies.isEmpty() ? List.of("baseline") : policies);
    VerifyRequest request = VerifyRequest.of(ref, policySet).withPlatforms(platforms()).withDeadline(deadline);
    if (dockerfile != null) {
      request = request.withDockerfile(readDockerfile(dockerfile));
    }
    VerifierOptions options = options();
    TrustPolicy trustPolicy = trust.policy();
    boolean evidenceWanted = trust.given() || io.jscan.verifier.policy.BuiltinRules.needsEvidence(policySet);
    io.jscan.core.transport.registry.RegistryClient client = registry.client(env, io.jscan.core.transport.registry.TransferListener.NONE, deadline);
    // oci:, docker-archive: and docker:// need no store, so verifying them writes nothing to $JSCAN_HOME
    boolean storeNeeded = ref instanceof ImageReference.StoreReference;
    VerificationReport report;
    try (LocalStore store = storeNeeded ? LocalStore.open(LocalStore.defaultHome()) : null) {
      Transports transports = storeNeeded ? new Transports(store, client) : Transports.withoutStore(client);
      Transports.Resolved resolved = transports.resolve(ref);
      // the registry is asked (one HEAD) while the layers are read
      CompletableFuture<ImageCopy> copy = transports.compareInBackground(resolved);
      SignatureStores.Locator locator = storeNeeded ? SignatureStores.locator(transports) : SignatureStores.withoutStore(client);
      report = verify(withEvidence(options, evidenceWanted, locator, trustPolicy), transports.referrers(ref), resolved.artifact(), request);
      report = report.withCopy(copy.join());
    }
    ReportOutput.write(report, policySet, output, outputFile, spec.commandLine().getOut(), spec.commandLine().getErr(), env);
    return ReportOutput.exitCode(report).code();
  }

  /**
   * Signatures are looked for when trust is given (then one must verify) or a policy asks about
   * them; otherwise not at all, so a plain verify makes no extra registry requests.
   */
  private static VerifierOptions withEvidence(VerifierOptions options, boolean wanted, SignatureStores.Locator locator, TrustPolicy trust) {
    return wanted ? options.withEvidence(new SignatureEvidence(locator, trust, !trust.isEmpty())) : options;
  }

  /**
   * Verifies with the statements attached to the image where it was found (OCI referrers: SBOM and
   * provenance that {@code jscan build} attached unsigned) added to whatever evidence the options
   * look for. Attached statements are informational (see {@code AttachedStatements}).
   */
  private static VerificationReport verify(
      VerifierOptions options, Optional<io.jscan.core.image.Referrers> referrers, Artifact artifact, VerifyRequest request)
      throws VerifierException {
    io.jscan.verifier.EvidenceProvider attached = referrers.<io.jscan.verifier.EvidenceProvider>map(
        io.jscan.verifier.attest.AttachedStatements::new).orElse(io.jscan.verifier.EvidenceProvider.none());
    try (Verifier verifier = new Verifier(options.withEvidence(options.evidence().and(attached)))) {
      return verifier.verify(artifact, request);
    }
  }

  static Dockerfile readDockerfile(Path file) throws DockerfileException, InputFileException {
    return Dockerfile.read(file);
  }

  private Platforms platforms() throws VerifierException {
    if (platform == null) {
      return new Platforms.Default();
    }
    if (platform.all) {
      return new Platforms.All();
    }
    try {
      return new Platforms.One(Platform.parse(platform.platform));
    } catch (IllegalArgumentException e) {
      throw VerifierException.badInput("--platform", e.getMessage());
    }
  }

  private VerifierOptions options() throws VerifierException {
    VerifierOptions options = VerifierOptions.defaults();
    ScanLimits limits = options.limits();
    if (maxLayerSize != null) {
      try {
        limits = limits.withMaxLayerUncompressedBytes(PolicyLoader.parseSize(maxLayerSize));
      } catch (IllegalArgumentException e) {
        throw VerifierException.badInput("--max-layer-size", e.getMessage());
      }
    }
    if (maxRatio != null) {
      if (maxRatio < 1) {
        throw VerifierException.badInput("--max-compression-ratio", "must be at least 1");
      }
      limits = limits.withCompressionRatio(maxRatio, limits.ratioFloorBytes());
    }
    options = options.withLimits(limits);
    if (parallelism != null) {
      if (parallelism < 1) {
        throw VerifierException.badInput("--parallelism", "must be at least 1");
      }
      options = options.withParallelism(parallelism);
    }
    return options;
  }
}
