package io.jscan.cli;

import io.jscan.core.text.Durations;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.TransferListener;
import io.jscan.server.ServeOptions;
import io.jscan.server.ServerLog;
import io.jscan.server.WebhookServer;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.VerifierOptions;
import io.jscan.verifier.policy.FailureMode;
import io.jscan.verifier.policy.PolicyLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jscan serve}: the Kubernetes admission webhook ({@link WebhookServer}). Runs until SIGTERM
 * or SIGINT, then drains and stops: a shutdown hook does it, so the process ends the way the JVM
 * ends on a signal (exit status 143 for SIGTERM), after requests in flight were answered.
 */
@Command(
    name = "serve",
    description = {
      "Run the Kubernetes admission webhook.",
      "",
      "POST /validate and /mutate take AdmissionReview (admission.k8s.io/v1) requests for Pods and the pod templates"
          + " of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs, and verify every image with the policies"
          + " (match and failureMode in a policy file choose where it applies; see policies/README.md). /mutate pins verified"
          + " tags to their digests. Also /healthz, /readyz and /metrics (Prometheus).",
      "HTTPS only (TLS 1.2 and 1.3). Policy files, --key files and the certificate are reloaded when they change."
          + " Logs go to standard error.",
      "",
      "Signatures and attestations are looked for in each image's registry when the policies applying to it use"
          + " signature-required, attestation-required or sbom-required; those rules trust their own keys/identities alone,"
          + " or --key when they name none. Unlike verify's --key, serve's requires no signature of its own. With --key they"
          + " are also looked for when a policy has base-not-latest, base-pinned, allowed-registries, forbidden-packages or"
          + " licenses: provenance and SBOMs signed with the key decide those rules, as in jscan verify --key.",
      ""
    })
final class ServeCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;

  @Option(names = "--policy", paramLabel = "FILE|DIR|NAME", required = true,
      description = "A policy file, a directory of them (a ConfigMap volume), or a shipped policy (baseline, strict). Repeatable.")
  List<String> policies = new ArrayList<>();

  @Option(names = "--tls-cert", paramLabel = "CERT", required = true, description = "PEM certificate chain, leaf first (tls.crt of a TLS Secret).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "KEY", required = true, description = "PEM private key, unencrypted (tls.key).")
  Path tlsKey;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8443", description = "HTTPS port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--address", paramLabel = "ADDR", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String address;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "8s",
      description = "Answer each request within this (default: ${DEFAULT-VALUE}; Kubernetes waits 10s); past it the failure mode applies.")
  String timeout;

  @Option(names = "--no-match", paramLabel = "deny|allow", defaultValue = "deny",
      description = "What to do with an image no policy applies to (default: ${DEFAULT-VALUE}).")
  String noMatch;

  @Option(names = "--max-request-size", paramLabel = "SIZE", defaultValue = "8MiB",
      description = "Refuse larger request bodies with 413 (default: ${DEFAULT-VALUE}).")
  String maxRequestSize;

  @Option(names = "--reload-interval", paramLabel = "DURATION", defaultValue = "2s",
      description = "How often policy and TLS files are checked for changes (default: ${DEFAULT-VALUE}).")
  String reloadInterval;

  @Option(names = "--digest-ttl", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long a tag's digest is trusted (default: ${DEFAULT-VALUE}).")
  String digestTtl;

  @Option(names = "--verdict-ttl", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long a verdict is reused before policies, time-dependent rules and signatures are looked at again (default: ${DEFAULT-VALUE}).")
  String verdictTtl;

  @Option(names = "--cache-size", paramLabel = "N", defaultValue = "1000", description = "Images whose verification is kept (default: ${DEFAULT-VALUE}).")
  int cacheSize;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "4", description = "Images verified at once (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--workers-per-request", paramLabel = "N",
      description = "The most workers one request's images take at once; the rest stay free for other requests (default: half of --workers).")
  Integer workersPerRequest;

  @Option(names = "--workers-per-registry", paramLabel = "N",
      description = "The most workers all requests take at once against one registry, so a registry that stalls holds no more"
          + " (default: half of --workers).")
  Integer workersPerRegistry;

  @Option(names = "--max-images", paramLabel = "N", defaultValue = "" + ServeOptions.DEFAULT_MAX_IMAGES_PER_REVIEW,
      description = "Deny a request whose object names more distinct images than this, before fetching any (default: ${DEFAULT-VALUE}).")
  int maxImages;

  @Option(names = "--drain-delay", paramLabel = "DURATION", defaultValue = "0s",
      description = "On SIGTERM, keep serving this long while /readyz says no (default: ${DEFAULT-VALUE}; the manifests use 5s).")
  String drainDelay;

  @Option(names = "--stop-timeout", paramLabel = "DURATION", defaultValue = "20s",
      description = "Then give requests in flight this long to finish (default: ${DEFAULT-VALUE}).")
  String stopTimeout;

  @Option(names = "--key", paramLabel = "FILE",
      description = "Trust this public key (cosign.pub, PEM) in signature and attestation rules that name no keys of their own, and for "
          + "signed provenance and SBOMs; repeatable. Not required of every image (unlike verify --key). "
          + "Watched like the policies: a replaced file is trusted instead.")
  List<Path> keys = new ArrayList<>();

  @Option(names = "--parallelism", paramLabel = "N", description = "Layers read at once, across all images (default: processors, at most 8).")
  Integer parallelism;

  @picocli.CommandLine.Mixin RegistryMixin registry;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public Integer call() throws Exception {
    ServeOptions options = options();
    VerifierOptions verifierOptions = VerifierOptions.defaults();
    if (parallelism != null) {
      if (parallelism < 1) {
        throw VerifierException.badInput("--parallelism", "must be at least 1");
      }
      verifierOptions = verifierOptions.withParallelism(parallelism);
    }
    RegistryClient client = new RegistryClient(
        registry.options(WebhookServer.forAdmission(io.jscan.core.transport.registry.RegistryOptions.defaults()), env, TransferListener.NONE));
    ServerLog log = new ServerLog(spec.commandLine().getErr());
    Verifier verifier = new Verifier(verifierOptions);
    WebhookServer server;
    try {
      server = WebhookServer.start(options, verifier, client, log);
    } catch (Exception e) {
      verifier.close();
      throw e;
    }
    Thread hook = new Thread(() -> {
      server.shutdown();
      verifier.close();
    }, "jscan-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    server.awaitStopped();
    return ExitCode.OK.code();
  }

  private ServeOptions options() throws VerifierException {
    if (port < 0 || port > 65535) {
      throw VerifierException.badInput("--port", "must be 0 to 65535, got " + port);
    }
    FailureMode onNoMatch;
    try {
      onNoMatch = FailureMode.parse(noMatch);
    } catch (IllegalArgumentException e) {
      throw VerifierException.badInput("--no-match", "expected deny or allow, got \"" + noMatch + "\"");
    }
    long maxBytes;
    try {
      maxBytes = PolicyLoader.parseSize(maxRequestSize);
    } catch (IllegalArgumentException e) {
      throw VerifierException.badInput("--max-request-size", e.getMessage());
    }
    try {
      return new ServeOptions(address, port, policies, tlsCert, tlsKey, duration("--timeout", timeout), Duration.ofMinutes(2), maxBytes,
          duration("--reload-interval", reloadInterval), onNoMatch, duration("--digest-ttl", digestTtl),
          duration("--verdict-ttl", verdictTtl), cacheSize, workers, Math.max(64, workers * 64),
          durationOrZero("--drain-delay", drainDelay), durationOrZero("--stop-timeout", stopTimeout), keys, maxImages,
          workersPerRequest == null ? ServeOptions.defaultShare(workers) : workersPerRequest,
          workersPerRegistry == null ? ServeOptions.defaultShare(workers) : workersPerRegistry);
    } catch (IllegalArgumentException e) {
      throw VerifierException.badInput("jscan serve", e.getMessage());
    }
  }

  private static Duration durationOrZero(String option, String text) throws VerifierException {
    return text.trim().equals("0") ? Duration.ZERO : duration(option, text);
  }

  static Duration duration(String option, String text) throws VerifierException {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw VerifierException.badInput(option, e.getMessage());
    }
  }
}
