package io.jscan.cli;

import io.jscan.core.oci.OciException;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.registry.TransferListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The registry options every command that reaches registries takes: {@code --insecure-registry}
 * (also {@code $JSCAN_INSECURE_REGISTRIES}); credentials come from Docker's config file.
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

  RegistryOptions options(Map<String, String> env, TransferListener listener) throws OciException {
    try {
      return RegistryOptions.fromEnvironment(env).withListener(listener).withInsecureRegistries(Set.copyOf(insecure));
    } catch (IllegalArgumentException e) {
      throw OciException.badInput("--insecure-registry", e.getMessage());
    }
  }

  RegistryClient client(Map<String, String> env, TransferListener listener) throws OciException {
    return new RegistryClient(options(env, listener));
  }
}
