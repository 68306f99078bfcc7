package io.jscan.core.transport.registry;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How a {@link RegistryClient} talks to registries.
 *
 * <p><b>TLS.</b> Every registry is reached over HTTPS with the JDK's certificate and host name
 * checks, except the hosts in {@code insecureRegistries} ({@code HOST:PORT} or {@code HOST}, as
 * docker's {@code --insecure-registry}) and, when {@code loopbackInsecure} is on (the default,
 * as in docker), loopback hosts ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}): those
 * are tried over HTTPS without certificate checks first and over plain HTTP when that fails.
 * Loopback traffic never leaves the machine, so only local processes could tamper with it.
 *
 * @param parallelism how many blobs of one image are transferred at once
 * @param chunkSize blobs larger than this are uploaded in chunks of this size (distribution-spec
 *     "chunked upload"), so a failed upload resumes from the last chunk the registry acknowledged;
 *     smaller blobs go in one request ("monolithic upload", a POST then a PUT with the blob, which
 *     is how containerd and BuildKit push every blob). The default, 256 MiB, keeps nearly every
 *     layer to one request; a failure of one re-sends at most 256 MiB
 */
public record RegistryOptions(
    Set<String> insecureRegistries,
    boolean loopbackInsecure,
    CredentialStore credentials,
    RetryPolicy retry,
    int parallelism,
    long chunkSize,
    TransferListener listener,
    Duration connectTimeout,
    String userAgent) {

  /** Environment variable with more insecure registries, comma separated (for commands without the option). */
  public static final String INSECURE_ENV = "JSCAN_INSECURE_REGISTRIES";

  private static final Pattern HOST =
      Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]{1,5})?");

  public RegistryOptions {
    TreeSet<String> hosts = new TreeSet<>();
    for (String h : insecureRegistries) {
      hosts.add(validHost(h));
    }
    insecureRegistries = Set.copyOf(hosts);
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1");
    }
    if (chunkSize < 1024) {
      throw new IllegalArgumentException("chunk size must be at least 1 KiB");
    }
    if (userAgent == null || userAgent.isBlank()) {
      throw new IllegalArgumentException("user agent is empty");
    }
  }

  /** Checks a {@code --insecure-registry} value: a host with an optional port, nothing else. */
  public static String validHost(String host) {
    if (host == null || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "invalid registry \"" + host + "\" (expected HOST or HOST:PORT, without scheme or path)");
    }
    return host.toLowerCase(Locale.ROOT);
  }

  /** Anonymous access, defaults for everything else. */
  public static RegistryOptions defaults() {
    return new RegistryOptions(
        Set.of(), true, CredentialStore.ANONYMOUS, RetryPolicy.DEFAULT, 4, 256L << 20, TransferListener.NONE,
        Duration.ofSeconds(30), "jscan");
  }

  /**
   * What commands use: credentials from Docker's config file and helpers, insecure registries
   * from {@link #INSECURE_ENV}.
   */
  public static RegistryOptions fromEnvironment(Map<String, String> environment) {
    RegistryOptions o = defaults().withCredentials(DockerConfig.fromEnvironment(environment));
    String insecure = environment.get(INSECURE_ENV);
    if (insecure != null && !insecure.isBlank()) {
      TreeSet<String> hosts = new TreeSet<>();
      for (String h : insecure.split(",")) {
        if (!h.isBlank()) {
          hosts.add(h.strip());
        }
      }
      o = o.withInsecureRegistries(hosts);
    }
    return o;
  }

  /** Whether {@code registry} may be reached without TLS verification (see the class comment). */
  public boolean isInsecure(String registry) {
    String r = registry.toLowerCase(Locale.ROOT);
    if (insecureRegistries.contains(r) || insecureRegistries.contains(hostWithoutPort(r))) {
      return true;
    }
    return loopbackInsecure && isLoopback(r);
  }

  static String hostWithoutPort(String registry) {
    if (registry.startsWith("[")) {
      int close = registry.indexOf(']');
      return registry.substring(0, close + 1);
    }
    int colon = registry.lastIndexOf(':');
    return colon < 0 ? registry : registry.substring(0, colon);
  }

  /** {@code localhost}, {@code 127.0.0.0/8} or {@code [::1]}, with any port. */
  public static boolean isLoopback(String registry) {
    String host = hostWithoutPort(registry.toLowerCase(Locale.ROOT));
    return host.equals("localhost") || host.equals("[::1]") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  public RegistryOptions withInsecureRegistries(Set<String> hosts) {
    java.util.Set<String> all = new TreeSet<>(insecureRegistries);
    all.addAll(hosts);
    return new RegistryOptions(all, loopbackInsecure, credentials, retry, parallelism, chunkSize, listener, connectTimeout, userAgent);
  }

  public RegistryOptions withLoopbackInsecure(boolean allowed) {
    return new RegistryOptions(insecureRegistries, allowed, credentials, retry, parallelism, chunkSize, listener, connectTimeout, userAgent);
  }

  public RegistryOptions withCredentials(CredentialStore store) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, store, retry, parallelism, chunkSize, listener, connectTimeout, userAgent);
  }

  public RegistryOptions withRetry(RetryPolicy policy) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, policy, parallelism, chunkSize, listener, connectTimeout, userAgent);
  }

  public RegistryOptions withParallelism(int n) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, n, chunkSize, listener, connectTimeout, userAgent);
  }

  public RegistryOptions withChunkSize(long bytes) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, bytes, listener, connectTimeout, userAgent);
  }

  public RegistryOptions withListener(TransferListener l) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, chunkSize, l, connectTimeout, userAgent);
  }

  public RegistryOptions withConnectTimeout(Duration timeout) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, chunkSize, listener, timeout, userAgent);
  }

  public RegistryOptions withUserAgent(String agent) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, chunkSize, listener, connectTimeout, agent);
  }
}
