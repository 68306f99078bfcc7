package io.jscan.cli;

import io.jscan.core.Deadline;
import io.jscan.core.oci.OciException;
import io.jscan.core.text.Durations;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.registry.TransferListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The registry options every command that reaches registries takes: {@code --insecure-registry}
 * (also {@code $JSCAN_INSECURE_REGISTRIES}), the connect and read timeouts (also
 * {@code $JSCAN_CONNECT_TIMEOUT}, {@code $JSCAN_READ_TIMEOUT}); credentials come from Docker's
 * config file. The whole operation's deadline is {@link TimeoutMixin}'s.
 */
final class RegistryMixin {
  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      description = {
        "Reach this registry over plain HTTP or TLS without certificate checks (repeatable; also "
            + RegistryOptions.INSECURE_ENV + ", comma separated).",
        "Loopback registries (localhost, 127.0.0.0/8, [::1]) are allowed so by default."
      })
  List<String> insecure = new ArrayList<>();

  @Option(names = "--connect-timeout", paramLabel = "DURATION",
      description = "Give up a connection to a registry (TCP and TLS) not made within this; it is retried"
          + " (default: 30s, or " + RegistryOptions.CONNECT_TIMEOUT_ENV + ").")
  String connectTimeout;

  @Option(names = "--read-timeout", paramLabel = "DURATION",
      description = "Give up an exchange with a registry when no byte moved for this long; it is retried"
          + " (default: 60s, or " + RegistryOptions.READ_TIMEOUT_ENV + ").")
  String readTimeout;

  RegistryOptions options(Map<String, String> env, TransferListener listener) throws OciException {
    return options(RegistryOptions.defaults(), env, listener);
  }

  /** {@code base} (defaults of a command's own, as serve's), with the environment and these options on top. */
  RegistryOptions options(RegistryOptions base, Map<String, String> env, TransferListener listener) throws OciException {
    RegistryOptions o;
    try {
      o = base.withEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw OciException.badInput("environment", e.getMessage());
    }
    try {
      o = o.withListener(listener).withInsecureRegistries(Set.copyOf(insecure));
    } catch (IllegalArgumentException e) {
      throw OciException.badInput("--insecure-registry", e.getMessage());
    }
    if (connectTimeout != null) {
      o = o.withConnectTimeout(positive("--connect-timeout", connectTimeout));
    }
    if (readTimeout != null) {
      o = o.withReadTimeout(positive("--read-timeout", readTimeout));
    }
    return o;
  }

  private static Duration positive(String option, String text) throws OciException {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw OciException.badInput(option, e.getMessage());
    }
    if (d.isZero()) {
      throw OciException.badInput(option, "must be more than 0");
    }
    return d;
  }

  /** A client without a deadline of its own (the webhook's; a build's, which gives each registry operation one). */
  RegistryClient client(Map<String, String> env, TransferListener listener) throws OciException {
    return new RegistryClient(options(env, listener));
  }

  /** A client whose every request, retry and read ends by {@code deadline} (the command's). */
  RegistryClient client(Map<String, String> env, TransferListener listener, Deadline deadline) throws OciException {
    return client(env, listener).withDeadline(deadline);
  }
}
