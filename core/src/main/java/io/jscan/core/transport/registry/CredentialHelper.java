package io.jscan.core.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.io.InputLimit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A {@code docker-credential-NAME} program, spoken to as docker-credential-helpers' protocol says:
 * the action is the only argument; {@code get} and {@code erase} read the server URL on standard
 * input, {@code store} reads {@code {"ServerURL","Username","Secret"}}; {@code get} prints the same
 * JSON; a failure is a non-zero exit with the reason on standard output ("credentials not found
 * in native keychain" when there are none).
 *
 * <p>The helper's output is never quoted in an error message except for its first line when it
 * failed, which the protocol reserves for the reason; secrets are only ever on a successful
 * {@code get}'s output.
 */
final class CredentialHelper {
  static final String PREFIX = "docker-credential-";
  private static final String NOT_FOUND = "credentials not found";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final long TIMEOUT_SECONDS = 60;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Path program;
  private final Map<String, String> environment;

  CredentialHelper(String name, Map<String, String> environment) throws RegistryException {
    if (!NAME.matcher(name).matches()) {
      // the name comes from config.json and becomes a program name: no paths, no options
      throw RegistryException.badInput("credential helper \"" + name + "\"", "not a valid helper name");
    }
    this.name = name;
    this.environment = environment;
    this.program = find(PREFIX + name, environment)
        .orElseThrow(() -> RegistryException.badInput(
            "credential helper " + PREFIX + name, "not found on the PATH (named in the docker config file)"));
  }

  private static Optional<Path> find(String program, Map<String, String> environment) {
    String path = environment.getOrDefault("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Paths.get(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  Optional<Credentials> get(String serverUrl) throws RegistryException {
    Result r = run("get", serverUrl);
    if (r.exit != 0) {
      if (r.stdout.toLowerCase(java.util.Locale.ROOT).contains(NOT_FOUND)) {
        return Optional.empty();
      }
      throw failure("get", r);
    }
    JsonNode node;
    try {
      node = JSON.readTree(r.stdout);
    } catch (IOException e) {
      // do not quote the output: it may be a secret in the wrong shape
      throw RegistryException.badInput(PREFIX + name + " get", "did not print credentials as JSON");
    }
    String username = text(node, "Username");
    String secret = text(node, "Secret");
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    if (Credentials.IDENTITY_TOKEN_USER.equals(username)) {
      return Optional.of(Credentials.identityToken(username, secret));
    }
    if (username.isEmpty()) {
      throw RegistryException.badInput(PREFIX + name + " get", "printed a secret without a user name");
    }
    return Optional.of(Credentials.password(username, secret));
  }

  void store(String serverUrl, Credentials credentials) throws RegistryException {
    ObjectNode body = JSON.createObjectNode();
    body.put("ServerURL", serverUrl);
    body.put(
        "Username",
        credentials.kind() == Credentials.Kind.IDENTITY_TOKEN ? Credentials.IDENTITY_TOKEN_USER : credentials.username());
    body.put("Secret", credentials.secret());
    Result r = run("store", body.toString());
    if (r.exit != 0) {
      throw failure("store", r);
    }
  }

  boolean erase(String serverUrl) throws RegistryException {
    Result r = run("erase", serverUrl);
    if (r.exit != 0) {
      if (r.stdout.toLowerCase(java.util.Locale.ROOT).contains(NOT_FOUND)) {
        return false;
      }
      throw failure("erase", r);
    }
    return true;
  }

  private RegistryException failure(String action, Result r) {
    String first = r.stdout.strip().lines().findFirst().orElse("").strip();
    if (first.isEmpty()) {
      first = r.stderr.strip().lines().findFirst().orElse("").strip();
    }
    if (first.length() > 200) {
      first = first.substring(0, 200) + "…";
    }
    return RegistryException.badInput(
        PREFIX + name + " " + action, "exited with status " + r.exit + (first.isEmpty() ? "" : " (" + first + ")"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }

  private record Result(int exit, String stdout, String stderr) {}

  private Result run(String action, String input) throws RegistryException {
    ProcessBuilder pb = new ProcessBuilder(List.of(program.toString(), action));
    pb.environment().clear();
    pb.environment().putAll(environment);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw RegistryException.unexpected(PREFIX + name + " " + action, "cannot run: " + e.getMessage(), e);
    }
    try {
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // a helper that exits without reading its input reports why on stdout
      }
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw RegistryException.unexpected(
            PREFIX + name + " " + action, "did not finish within " + TIMEOUT_SECONDS + " seconds", null);
      }
      if (out.join().length > InputLimit.CREDENTIAL_HELPER_OUTPUT.bytes()) {
        throw RegistryException.badInput(PREFIX + name + " " + action,
            "printed more than the limit of " + InputLimit.CREDENTIAL_HELPER_OUTPUT.human());
      }
      return new Result(
          p.exitValue(),
          new String(out.join(), StandardCharsets.UTF_8),
          new String(err.join(), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw RegistryException.unexpected(PREFIX + name + " " + action, "interrupted", e);
    }
  }

  /**
   * What the helper printed, at most one byte past {@link InputLimit#CREDENTIAL_HELPER_OUTPUT}:
   * closing the pipe then ends a helper that prints without end (it gets EPIPE).
   */
  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readNBytes((int) InputLimit.CREDENTIAL_HELPER_OUTPUT.bytes() + 1);
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
