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
 * @param connectTimeout how long a TCP connection (with its TLS handshake) may take
 * @param readTimeout how long an exchange may go without a byte moving either way (an idle limit,
 *     not a limit on the whole transfer: the operation's {@link io.jscan.core.Deadline} is that;
 *     see {@link ExchangeLimits})
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
    Duration readTimeout,
    String userAgent) {

  /** Environment variable with more insecure registries, comma separated (for commands without the option). */
  public static final String INSECURE_ENV = "JSCAN_INSECURE_REGISTRIES";

  /** Environment variable with the connect timeout ({@code 10s}), for every command (the option wins). */
  public static final String CONNECT_TIMEOUT_ENV = "JSCAN_CONNECT_TIMEOUT";

  /** Environment variable with the read timeout ({@code 2m}), for every command (the option wins). */
  public static final String READ_TIMEOUT_ENV = "JSCAN_READ_TIMEOUT";

  /**
   * A TCP connection and its TLS handshake take a round trip or three; 30 s is docker's dial
   * timeout and leaves room for a slow DNS answer and a lossy link.
   */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How long a registry may send (or take) nothing before the exchange is given up and retried. A
   * registry answers a request within a second or two, even one that commits a large upload; 60 s of
   * silence is a stall, not a slow link (a slow link still moves bytes).
   */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

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
    positive(connectTimeout, "the connect timeout");
    positive(readTimeout, "the read timeout");
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

  private static void positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive");
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
        DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, "jscan");
  }

  /**
   * What commands use: credentials from Docker's config file and helpers, insecure registries
   * from {@link #INSECURE_ENV}, timeouts from {@link #CONNECT_TIMEOUT_ENV} and {@link #READ_TIMEOUT_ENV}.
   *
   * @throws IllegalArgumentException when one of those variables is not what it should be, naming it
   */
  public static RegistryOptions fromEnvironment(Map<String, String> environment) {
    return defaults().withEnvironment(environment);
  }

  /** These options with what {@link #fromEnvironment} takes from {@code environment} on top (another set of defaults below). */
  public RegistryOptions withEnvironment(Map<String, String> environment) {
    RegistryOptions o = withCredentials(DockerConfig.fromEnvironment(environment));
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
    String connect = environment.get(CONNECT_TIMEOUT_ENV);
    if (connect != null && !connect.isBlank()) {
      o = o.withConnectTimeout(envDuration(CONNECT_TIMEOUT_ENV, connect));
    }
    String read = environment.get(READ_TIMEOUT_ENV);
    if (read != null && !read.isBlank()) {
      o = o.withReadTimeout(envDuration(READ_TIMEOUT_ENV, read));
    }
    return o;
  }

  private static Duration envDuration(String variable, String value) {
    try {
      Duration d = io.jscan.core.text.Durations.parse(value);
      positive(d, variable);
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(variable + ": " + e.getMessage());
    }
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
    return new RegistryOptions(all, loopbackInsecure, credentials, retry, parallelism, chunkSize, listener, connectTimeout, readTimeout, userAgent);
  }

  public RegistryOptions withLoopbackInsecure(boolean allowed) {
    return new RegistryOptions(insecureRegistries, allowed, credentials, retry, parallelism, chunkSize, listener, connectTimeout, readTimeout, userAgent);
  }

  public RegistryOptions withCredentials(CredentialStore store) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, store, retry, parallelism, chunkSize, listener, connectTimeout, readTimeout, userAgent);
  }

  public RegistryOptions withRetry(RetryPolicy policy) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, policy, parallelism, chunkSize, listener, connectTimeout, readTimeout, userAgent);
  }

  public RegistryOptions withParallelism(int n) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, n, chunkSize, listener, connectTimeout, readTimeout, userAgent);
  }

  public RegistryOptions withChunkSize(long bytes) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, bytes, listener, connectTimeout, readTimeout, userAgent);
  }

  public RegistryOptions withListener(TransferListener l) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, chunkSize, l, connectTimeout, readTimeout, userAgent);
  }

  public RegistryOptions withConnectTimeout(Duration timeout) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, chunkSize, listener, timeout, readTimeout, userAgent);
  }

  public RegistryOptions withReadTimeout(Duration timeout) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, chunkSize, listener, connectTimeout, timeout, userAgent);
  }

  public RegistryOptions withUserAgent(String agent) {
    return new RegistryOptions(insecureRegistries, loopbackInsecure, credentials, retry, parallelism, chunkSize, listener, connectTimeout, readTimeout, agent);
  }
}
