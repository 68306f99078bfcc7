package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.RepoPaths;
import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code jscan serve} as a cluster runs it: a real process (this test run's classpath) on a free
 * loopback port, with a certificate made by the README's recipe ({@code
 * deploy/kubernetes/make-certs.sh}), asked over HTTPS by a client that trusts only that CA, as the
 * API server does. Stopped by its PID (SIGTERM, then SIGKILL) when closed.
 */
final class ServeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on https://127\\.0\\.0\\.1:(\\d+)");
  private static final AtomicInteger UIDS = new AtomicInteger();

  private final Process process;
  private final Path log;
  private final int port;
  private final HttpClient client;

  private ServeProcess(Process process, Path log, int port, HttpClient client) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.client = client;
  }

  /** The README's recipe: deploy/kubernetes/make-certs.sh, with the loopback address added for the test. */
  static Path certificates(Path dir) throws Exception {
    ExternalTool.require("openssl");
    Process p = new ProcessBuilder("bash", RepoPaths.repoRoot().resolve("deploy/kubernetes/make-certs.sh").toString(), dir.toString(),
        "IP:127.0.0.1").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return dir;
  }

  /**
   * Starts {@code jscan serve ARGS --tls-cert … --tls-key … --address 127.0.0.1 --port 0} with
   * certificates made in {@code dir/certs}, and waits until it listens.
   *
   * @param env variables added to this process's environment
   */
  static ServeProcess start(Path dir, Map<String, String> env, String... args) throws Exception {
    Path certs = certificates(dir.resolve("certs"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"), "io.jscan.cli.Main", "serve"));
    command.addAll(List.of(args));
    command.addAll(List.of("--tls-cert", certs.resolve("tls.crt").toString(), "--tls-key", certs.resolve("tls.key").toString(),
        "--address", "127.0.0.1", "--port", "0"));
    Path log = dir.resolve("serve.log");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(dir.resolve("serve.out").toFile()).redirectError(log.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    try {
      int port = Integer.parseInt(awaitLine(log, LISTENING, p).group(1));
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(certs.resolve("ca.crt"))).build();
      return new ServeProcess(p, log, port, client);
    } catch (Throwable t) {
      p.destroyForcibly();
      throw t;
    }
  }

  Process process() {
    return process;
  }

  Path log() {
    return log;
  }

  int port() {
    return port;
  }

  HttpClient client() {
    return client;
  }

  /** The {@code response} of a Pod CREATE review of one container running {@code image} in {@code namespace}, at {@code /validate}. */
  JsonNode review(String namespace, String image) throws Exception {
    return review("/validate", namespace, image);
  }

  /** The same at {@code path} ({@code /validate} or {@code /mutate}). */
  JsonNode review(String path, String namespace, String image) throws Exception {
    String review = podReview(namespace + "-" + UIDS.incrementAndGet(), namespace, image);
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new ObjectMapper().readTree(r.body()).path("response");
  }

  /** An AdmissionReview (admission.k8s.io/v1) of a Pod CREATE with one container, {@code app}, running {@code image}. */
  static String podReview(String uid, String namespace, String image) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"" + uid
        + "\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        + "\"namespace\":\"" + namespace + "\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"test\"},\"object\":{\"apiVersion\":\"v1\","
        + "\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\"}]}},\"dryRun\":false}}";
  }

  /** Waits until a line of {@code file} (a process's log) matches. */
  static Matcher awaitLine(Path file, Pattern pattern, Process p) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      if (!p.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no line matching " + pattern + " in the log:\n" + Files.readString(file));
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
