package io.jscan.cli;

import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.Credentials;
import io.jscan.core.transport.registry.DockerConfig;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.registry.TransferListener;
import java.io.Console;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan login [-u USER] [--password-stdin] [HOST]}: check and store registry credentials. */
@Command(
    name = "login",
    description = {
      "Log in to a registry.",
      "",
      "The credentials are checked against the registry, then stored as 'docker login' stores them ($DOCKER_CONFIG/config.json"
          + " or ~/.docker/config.json, through its credsStore/credHelpers helper when one is set). HOST defaults to Docker Hub."
    })
final class LoginCommand implements Callable<Integer>, Jscan.EnvironmentAware, Jscan.InputAware {
  @Spec CommandSpec spec;
  @Mixin RegistryMixin registry;

  @Mixin TimeoutMixin time;

  @Parameters(index = "0", arity = "0..1", paramLabel = "HOST", description = "The registry, e.g. registry.example.com or localhost:5000.")
  String host;

  @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "User name (prompted for on a terminal when absent).")
  String username;

  @Option(names = "--password-stdin", description = "Read the password from standard input (one line).")
  boolean passwordStdin;

  private Map<String, String> env = System.getenv();
  private InputStream stdin = System.in;

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public void input(InputStream in) {
    this.stdin = in;
  }

  @Override
  public Integer call() throws Exception {
    String server = registryHost(host);
    Console console = System.console();
    String user = username;
    if (user == null) {
      if (console == null || passwordStdin) {
        throw OciException.badInput("login " + server, "give a user name with -u");
      }
      user = console.readLine("Username: ");
      if (user == null || user.isBlank()) {
        throw OciException.badInput("login " + server, "no user name entered");
      }
    }
    String password;
    if (passwordStdin) {
      // the first line, bounded: /dev/zero or an endless pipe on standard input is refused, not read to the end
      password = BoundedFiles.readLine(stdin, "standard input", InputLimit.PASSWORD)
          .map(line -> new String(line, StandardCharsets.UTF_8).strip()).orElse("");
    } else {
      if (console == null) {
        throw OciException.badInput("login " + server, "no terminal to prompt on; use --password-stdin");
      }
      char[] typed = console.readPassword("Password: ");
      password = typed == null ? "" : new String(typed);
    }
    if (password.isEmpty()) {
      throw OciException.badInput("login " + server, "empty password");
    }
    Credentials credentials;
    try {
      credentials = Credentials.password(user, password);
    } catch (IllegalArgumentException e) {
      throw OciException.badInput("login " + server, e.getMessage());
    }
    RegistryOptions options = registry.options(env, TransferListener.NONE);
    new io.jscan.core.transport.registry.RegistryClient(options).withDeadline(time.start(env)).login(server, credentials);
    DockerConfig config = DockerConfig.fromEnvironment(env);
    config.store(server, credentials);
    spec.commandLine().getErr().println("Credentials for " + server + " stored in " + config.file());
    spec.commandLine().getOut().println("Login Succeeded");
    return ExitCode.OK.code();
  }

  /** The registry a login argument names: docker's rules, Docker Hub by default. */
  static String registryHost(String text) throws OciException {
    if (text == null || text.isBlank()) {
      return ImageName.DOCKER_HUB;
    }
    String host = DockerConfig.hostOf(text.strip());
    try {
      return RegistryOptions.validHost(host);
    } catch (IllegalArgumentException e) {
      throw OciException.badInput("registry \"" + text + "\"", e.getMessage());
    }
  }
}
