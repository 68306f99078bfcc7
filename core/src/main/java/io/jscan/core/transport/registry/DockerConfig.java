package io.jscan.core.transport.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.FailureKind;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.transport.ImageName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Docker's client configuration file ({@code $DOCKER_CONFIG/config.json}, default
 * {@code ~/.docker/config.json}) as a {@link CredentialStore}, read and written the way the
 * docker CLI does, so {@code docker login} and {@code jscan login} share credentials:
 *
 * <ul>
 *   <li>{@code credHelpers} maps a registry to a helper ({@code "gcr.io": "gcloud"} runs
 *       {@code docker-credential-gcloud}); it wins over everything else for that registry;
 *   <li>{@code credsStore} names the helper for all other registries;
 *   <li>{@code auths} holds {@code base64(user:password)} in {@code auth}, or an
 *       {@code identitytoken}, keyed by registry host; Docker Hub's key is
 *       {@code https://index.docker.io/v1/}. Keys written with a scheme or path
 *       ({@code https://host/v2/}) match their host, as docker's {@code ConvertToHostname} does.
 * </ul>
 *
 * <p>Writes keep every field jscan does not know, go to a temp file that is renamed over the old
 * one, and leave the file readable by its owner only ({@code 0600}), because it may hold secrets.
 */
public final class DockerConfig implements CredentialStore {
  /** Docker Hub's key in {@code auths} and for credential helpers (docker's {@code IndexServer}). */
  public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path file;
  private final Map<String, String> environment;

  /**
   * @param file the config file (it need not exist)
   * @param environment where {@code PATH} for {@code docker-credential-*} helpers comes from
   */
  public DockerConfig(Path file, Map<String, String> environment) {
    this.file = file;
    this.environment = Map.copyOf(environment);
  }

  /** The config docker would use: {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public static DockerConfig fromEnvironment(Map<String, String> environment) {
    return new DockerConfig(defaultPath(environment), environment);
  }

  public static Path defaultPath(Map<String, String> environment) {
    String dir = environment.get("DOCKER_CONFIG");
    if (dir != null && !dir.isBlank()) {
      return Paths.get(dir, "config.json");
    }
    String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
    return Paths.get(home, ".docker", "config.json");
  }

  public Path file() {
    return file;
  }

  /** The key a registry has in {@code auths} and for helpers. */
  public static String keyFor(String registry) {
    return ImageName.DOCKER_HUB.equals(registry) ? DOCKER_HUB_KEY : registry;
  }

  /**
   * docker's {@code ConvertToHostname}: the registry a config key or a {@code login} argument
   * names, without scheme and path ({@code https://index.docker.io/v1/} is {@code docker.io}).
   */
  public static String hostOf(String key) {
    String k = key;
    if (k.startsWith("http://")) {
      k = k.substring("http://".length());
    } else if (k.startsWith("https://")) {
      k = k.substring("https://".length());
    }
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    k = k.toLowerCase(Locale.ROOT);
    return k.equals("index.docker.io") || k.equals("registry-1.docker.io") ? ImageName.DOCKER_HUB : k;
  }

  @Override
  public Optional<Credentials> get(String registry) throws RegistryException {
    ObjectNode config = read();
    Optional<String> helper = helperFor(config, registry);
    if (helper.isPresent()) {
      Optional<Credentials> fromHelper = helper(helper.get()).get(keyFor(registry));
      if (fromHelper.isPresent()) {
        return fromHelper;
      }
    }
    return fromAuths(config, registry);
  }

  /**
   * Stores credentials for {@code registry}: through its credential helper when one is configured
   * (leaving an empty {@code auths} entry, as docker does), else in {@code auths}.
   */
  public void store(String registry, Credentials credentials) throws RegistryException {
    ObjectNode config = read();
    ObjectNode auths = objectField(config, "auths");
    String key = keyFor(registry);
    removeMatching(auths, registry);
    Optional<String> helper = helperFor(config, registry);
    ObjectNode entry = auths.putObject(key);
    if (helper.isPresent()) {
      helper(helper.get()).store(key, credentials);
    } else if (credentials.kind() == Credentials.Kind.IDENTITY_TOKEN) {
      entry.put("auth", base64(credentials.username() + ":"));
      entry.put("identitytoken", credentials.secret());
    } else {
      entry.put("auth", base64(credentials.username() + ":" + credentials.secret()));
    }
    write(config);
  }

  /**
   * Removes credentials for {@code registry} from its helper and from {@code auths}; returns
   * whether there were any.
   */
  public boolean erase(String registry) throws RegistryException {
    ObjectNode config = read();
    boolean had = false;
    Optional<String> helper = helperFor(config, registry);
    if (helper.isPresent()) {
      had = helper(helper.get()).erase(keyFor(registry));
    }
    JsonNode auths = config.get("auths");
    if (auths instanceof ObjectNode a && removeMatching(a, registry)) {
      had = true;
      write(config);
    }
    return had;
  }

  private CredentialHelper helper(String name) throws RegistryException {
    return new CredentialHelper(name, environment);
  }

  private static Optional<String> helperFor(ObjectNode config, String registry) {
    JsonNode helpers = config.get("credHelpers");
    if (helpers instanceof ObjectNode h) {
      for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (hostOf(e.getKey()).equals(registry) && e.getValue().isTextual() && !e.getValue().asText().isEmpty()) {
          return Optional.of(e.getValue().asText());
        }
      }
    }
    JsonNode store = config.get("credsStore");
    if (store != null && store.isTextual() && !store.asText().isEmpty()) {
      return Optional.of(store.asText());
    }
    return Optional.empty();
  }

  private Optional<Credentials> fromAuths(ObjectNode config, String registry) throws RegistryException {
    JsonNode auths = config.get("auths");
    if (!(auths instanceof ObjectNode a)) {
      return Optional.empty();
    }
    // an exact key first, then any key naming the same host
    JsonNode entry = a.get(keyFor(registry));
    if (entry == null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (hostOf(e.getKey()).equals(registry)) {
          entry = e.getValue();
          break;
        }
      }
    }
    if (entry == null || !entry.isObject()) {
      return Optional.empty();
    }
    String username = "";
    String password = "";
    JsonNode auth = entry.get("auth");
    if (auth != null && auth.isTextual() && !auth.asText().isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.asText().trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        // never quote the value: it is a secret
        throw RegistryException.badInput("credentials for " + registry + " in " + file, "the \"auth\" field is not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw RegistryException.badInput(
            "credentials for " + registry + " in " + file, "the \"auth\" field is not base64 of user:password");
      }
      username = decoded.substring(0, colon);
      password = decoded.substring(colon + 1);
    } else {
      username = text(entry, "username");
      password = text(entry, "password");
    }
    String identityToken = text(entry, "identitytoken");
    if (!identityToken.isEmpty()) {
      return Optional.of(Credentials.identityToken(username, identityToken));
    }
    if (username.isEmpty() || password.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Credentials.password(username, password));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }

  private static boolean removeMatching(ObjectNode auths, String registry) {
    boolean removed = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      if (hostOf(it.next().getKey()).equals(registry)) {
        it.remove();
        removed = true;
      }
    }
    return removed;
  }

  private static ObjectNode objectField(ObjectNode parent, String name) {
    JsonNode existing = parent.get(name);
    if (existing instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(name);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private ObjectNode read() throws RegistryException {
    byte[] bytes;
    try {
      Optional<byte[]> read = BoundedFiles.readIfExists(file, InputLimit.REGISTRY_CONFIG);
      if (read.isEmpty()) {
        return JSON.createObjectNode();
      }
      bytes = read.get();
    } catch (InputFileException e) {
      throw e.kind() == FailureKind.BAD_INPUT
          ? RegistryException.badInput(e.what(), e.detail())
          : RegistryException.unexpected(e.what(), e.detail(), e);
    }
    if (bytes.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (!(node instanceof ObjectNode o)) {
        throw RegistryException.badInput("reading " + file, "not a JSON object");
      }
      return o;
    } catch (JsonProcessingException e) {
      // the parser's message may quote the file's text, which may hold secrets: give the position only
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw RegistryException.badInput("reading " + file, "not valid JSON" + where);
    } catch (IOException e) {
      throw RegistryException.unexpected("reading " + file, String.valueOf(e.getMessage()), e);
    }
  }

  private void write(ObjectNode config) throws RegistryException {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = AtomicFiles.tempName(dir, ".config.json.");
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, JSON.writeValueAsBytes(config));
        AtomicFiles.force(tmp);
        AtomicFiles.publish(tmp, file);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw RegistryException.unexpected("writing " + file, String.valueOf(e.getMessage()), e);
    }
  }
}
