package io.jscan.core.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real CNCF distribution registry ({@code docker-registry serve}, Debian package
 * {@code docker-registry}) for tests of any module: filesystem storage in a temp directory, a
 * free loopback port, plain HTTP, optionally htpasswd basic auth (bcrypt, as distribution
 * requires; made with {@code htpasswd -Bbc}). Started by {@link #start}, stopped by its PID in
 * {@link #close} (SIGTERM, then SIGKILL); {@link #kill} and {@link #restart} let a test take it
 * down mid-operation and bring it back on the same port and storage.
 *
 * <pre>{@code
 * try (TestRegistry registry = TestRegistry.start(tmp)) {
 *   String ref = registry.host() + "/app:1";   // 127.0.0.1:PORT/app:1
 * }
 * }</pre>
 *
 * <p>Skips the test when docker-registry is missing, except in CI (see {@link ExternalTool}).
 */
public final class TestRegistry implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final Path dir;
  private final Optional<String> user;
  private final Optional<String> password;
  private Optional<String> tokenAuth = Optional.empty();
  private boolean tls;
  private int port;
  private Process process;

  private TestRegistry(Path dir, Optional<String> user, Optional<String> password) {
    this.dir = dir;
    this.user = user;
    this.password = password;
  }

  /**
   * A registry that wants bearer tokens from {@code realm} (distribution's {@code auth.token}:
   * JWTs whose {@code x5c} chain ends at a certificate of {@code rootCertBundle}, issued by
   * {@code issuer} for audience {@code service}).
   */
  public static TestRegistry startWithTokenAuth(Path dir, String realm, String service, String issuer, Path rootCertBundle)
      throws IOException {
    TestRegistry r = new TestRegistry(dir, Optional.empty(), Optional.empty());
    r.tokenAuth = Optional.of(
        "auth:\n  token:\n    realm: " + realm + "\n    service: " + service + "\n    issuer: " + issuer
            + "\n    rootcertbundle: " + rootCertBundle + "\n");
    r.launchOnFreePort();
    return r;
  }

  /** An anonymous registry with its files under {@code dir} (a test's temp directory). */
  public static TestRegistry start(Path dir) throws IOException {
    TestRegistry r = new TestRegistry(dir, Optional.empty(), Optional.empty());
    r.launchOnFreePort();
    return r;
  }

  /** A registry that wants basic auth for {@code user}/{@code password} (htpasswd, bcrypt). */
  public static TestRegistry startWithBasicAuth(Path dir, String user, String password) throws IOException {
    Path htpasswd = ExternalTool.require("htpasswd");
    TestRegistry r = new TestRegistry(dir, Optional.of(user), Optional.of(password));
    Files.createDirectories(dir);
    run(List.of(htpasswd.toString(), "-Bbc", dir.resolve("htpasswd").toString(), user, password));
    r.launchOnFreePort();
    return r;
  }

  /**
   * A registry serving HTTPS with a self-signed certificate for {@code 127.0.0.1} (made with
   * openssl; {@code cert.pem} in {@code dir}): for tests of certificate checks.
   */
  public static TestRegistry startWithTls(Path dir) throws IOException {
    Path openssl = ExternalTool.require("openssl");
    Files.createDirectories(dir);
    run(List.of(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"));
    TestRegistry r = new TestRegistry(dir, Optional.empty(), Optional.empty());
    r.tls = true;
    r.launchOnFreePort();
    return r;
  }

  /** {@code 127.0.0.1:PORT}: the registry part of image names. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path directory() {
    return dir;
  }

  public Path log() {
    return dir.resolve("registry.log");
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Kills the registry at once (SIGKILL), as a crash would. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts it again on the same port and storage (after {@link #kill}). */
  public void restart() throws IOException {
    kill();
    IOException last = null;
    for (int i = 0; i < 50; i++) {
      try {
        launch();
        return;
      } catch (IOException e) {
        last = e; // the port may take a moment to be free again
        sleep(200);
      }
    }
    throw last;
  }

  private void launchOnFreePort() throws IOException {
    IOException last = null;
    for (int i = 0; i < 5; i++) {
      port = freePort();
      try {
        launch();
        return;
      } catch (IOException e) {
        last = e; // someone took the port between our check and the registry's bind
      }
    }
    throw last;
  }

  /** A port free on the loopback interface now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void launch() throws IOException {
    Path binary = ExternalTool.require("docker-registry");
    Files.createDirectories(dir.resolve("data"));
    String auth = user.isPresent()
        ? "auth:\n  htpasswd:\n    realm: jscan-test\n    path: " + dir.resolve("htpasswd") + "\n"
        : tokenAuth.orElse("");
    // the same shape as ../shared/tools/registry-up.sh; a fixed secret keeps upload state valid across restarts
    String config =
        "version: 0.1\n"
            + "log:\n  level: info\n  accesslog:\n    disabled: false\n"
            + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n"
            + "  delete:\n    enabled: true\n  cache:\n    blobdescriptor: inmemory\n"
            + "  maintenance:\n    uploadpurging:\n      enabled: false\n"
            + "http:\n  addr: 127.0.0.1:" + port + "\n  secret: jscan-test-secret\n"
            + "  headers:\n    X-Content-Type-Options: [nosniff]\n"
            + (tls ? "  tls:\n    certificate: " + dir.resolve("cert.pem") + "\n    key: " + dir.resolve("key.pem") + "\n" : "")
            + auth;
    Path configFile = dir.resolve("config.yml");
    Files.writeString(configFile, config, StandardCharsets.UTF_8);
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "serve", configFile.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    process = pb.start();
    Instant deadline = Instant.now().plus(STARTUP);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited with " + process.exitValue() + "; log " + log() + ":\n" + tail());
      }
      int code = ping();
      if (code == 200 || code == 401) {
        return;
      }
      sleep(50);
    }
    process.destroyForcibly();
    throw new IOException("docker-registry did not answer on " + host() + " within " + STARTUP + "; log:\n" + tail());
  }

  private int ping() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create((tls ? "https://" : "http://") + host() + "/v2/").toURL().openConnection();
      if (c instanceof javax.net.ssl.HttpsURLConnection https) {
        https.setSSLSocketFactory(trustingContext().getSocketFactory());
        https.setHostnameVerifier((h, session) -> true);
      }
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int code = c.getResponseCode();
      c.disconnect();
      return code;
    } catch (IOException e) {
      return -1;
    }
  }

  private static javax.net.ssl.SSLContext trustingContext() {
    try {
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
          return new java.security.cert.X509Certificate[0];
        }
      }}, null);
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        throw new IOException(command.get(0) + " failed: " + new String(out, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the registry by its PID: SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
