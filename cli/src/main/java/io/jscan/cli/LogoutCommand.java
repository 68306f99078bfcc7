package io.jscan.cli;

import io.jscan.core.transport.registry.DockerConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan logout [HOST]}: remove stored registry credentials. */
@Command(
    name = "logout",
    description = {
      "Remove the credentials stored for a registry.",
      "",
      "They are removed from Docker's config file and its credential helper. HOST defaults to Docker Hub."
    })
final class LogoutCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "HOST")
  String host;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public Integer call() throws Exception {
    String server = LoginCommand.registryHost(host);
    boolean had = DockerConfig.fromEnvironment(env).erase(server);
    spec.commandLine().getOut().println(had ? "Removing login credentials for " + server : "Not logged in to " + server);
    return ExitCode.OK.code();
  }
}
