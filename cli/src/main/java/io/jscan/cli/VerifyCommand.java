package io.jscan.cli;

import io.jscan.core.image.Artifact;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.dockerarchive.DockerArchive;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.signing.oci.SignatureStores;
import io.jscan.signing.oci.TrustPolicy;
import io.jscan.verifier.Deadline;
import io.jscan.verifier.signatures.SignatureEvidence;
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
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
      "IMAGE is a local image name (myapp:1.0, name@sha256:..., sha256:...), oci:DIR[:REF|@DIGEST] or"
          + " docker-archive:FILE[:NAME:TAG]. A bare name is looked up in the local store ($JSCAN_HOME) first.",
      "",
      "Signatures: with --key or --certificate-identity/--certificate-oidc-issuer, a signature that verifies is required"
          + " (cosign signatures in the sha256-<hex>.sig tag and Sigstore bundle referrers, whose payload names exactly this digest);"
          + " attestations found are verified too and given to the policies. The report names each signature and attestation"
          + " that verified, with its key or identity and transparency log entry."
    })
final class VerifyCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

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

  @Option(names = "--timeout", paramLabel = "DURATION", description = "Give up after this long (e.g. 30s, 5m).")
  String timeout;

  @Option(names = "--max-layer-size", paramLabel = "SIZE",
      description = "A layer that decompresses to more than this is a decompression bomb (default 16GiB).")
  String maxLayerSize;

  @Option(names = "--max-compression-ratio", paramLabel = "N",
      description = "A layer that expands more than N:1 past 64MiB is a decompression bomb (default 200).")
  Long maxRatio;

  @Option(names = "--parallelism", paramLabel = "N", description = "Layers read at once (default: processors, at most 8).")
  Integer parallelism;

  @picocli.CommandLine.Mixin RegistryMixin registry;

  @picocli.CommandLine.Mixin TrustOptions trust;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public Integer call() throws Exception {
    ImageReference ref = ImageReference.parse(image);
    PolicySet policySet = PolicyLoader.load(policies.isEmpty() ? List.of("baseline") : policies);
    VerifyRequest request = VerifyRequest.of(ref, policySet).withPlatforms(platforms()).withDeadline(deadline());
    if (dockerfile != null) {
      request = request.withDockerfile(readDockerfile(dockerfile));
    }
    VerifierOptions options = options();
    TrustPolicy trustPolicy = trust.policy();
    boolean evidenceWanted = trust.given() || io.jscan.verifier.policy.BuiltinRules.needsEvidence(policySet);
    io.jscan.core.transport.registry.RegistryClient client = registry.client(env, io.jscan.core.transport.registry.TransferListener.NONE);
    VerificationReport report;
    if (ref instanceof ImageReference.StoreReference) {
      try (LocalStore store = LocalStore.open(LocalStore.defaultHome())) {
        Transports transports = new Transports(store, client);
        report = verify(withEvidence(options, evidenceWanted, SignatureStores.locator(transports), trustPolicy), transports.referrers(ref),
            transports.read(ref), request);
      }
    } else if (ref instanceof ImageReference.RegistryReference remote) {
      // streamed from the registry through the same checks; nothing is stored
      report = verify(withEvidence(options, evidenceWanted, SignatureStores.withoutStore(client), trustPolicy),
          Optional.of(client.referrers(remote.name())), client.read(remote.name()), request);
    } else {
      Optional<io.jscan.core.image.Referrers> referrers = ref instanceof ImageReference.OciLayoutReference oci
          ? Optional.of(OciLayout.open(oci.directory()).referrers()) : Optional.empty();
      report = verify(withEvidence(options, evidenceWanted, SignatureStores.withoutStore(client), trustPolicy), referrers,
          readFileTransport(ref), request);
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

  /** oci: and docker-archive: need no store, so verifying them writes nothing to $JSCAN_HOME. */
  private static Artifact readFileTransport(ImageReference ref) throws OciException {
    if (ref instanceof ImageReference.OciLayoutReference oci) {
      return OciLayout.open(oci.directory()).resolve(oci.refName(), oci.digest());
    }
    if (ref instanceof ImageReference.DockerArchiveReference archive) {
      return DockerArchive.read(archive.file(), archive.name());
    }
    throw new IllegalStateException("unhandled transport " + ref.transport());
  }

  static Dockerfile readDockerfile(Path file) throws DockerfileException, VerifierException, IOException {
    try {
      return Dockerfile.read(file);
    } catch (NoSuchFileException e) {
      throw VerifierException.badInput(file.toString(), "no such file");
    }
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

  private Deadline deadline() throws VerifierException {
    if (timeout == null) {
      return Deadline.none();
    }
    Matcher m = DURATION.matcher(timeout.trim());
    if (!m.matches()) {
      throw VerifierException.badInput("--timeout", "expected a duration such as 500ms, 30s, 5m or 1h, got \"" + timeout + "\"");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
    return Deadline.in(d);
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
