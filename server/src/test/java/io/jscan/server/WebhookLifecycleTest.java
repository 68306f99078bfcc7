package io.jscan.server;

import static io.jscan.server.WebhookHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.FaultProxy;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook over time: files that change under it (a ConfigMap's symlink swap, a renewed
 * certificate), a registry slower than the deadline, TLS versions, and a shutdown with a request
 * in flight. Each test starts its own server; the registry and its images are shared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookLifecycleTest {
  WebhookHarness h;
  Path dir;

  @BeforeAll
  void registry(@TempDir Path tmp) throws Exception {
    dir = tmp;
    h = WebhookHarness.create(tmp);
  }

  @AfterEach
  void stopServer() throws Exception {
    h.stopServer();
    h.certs.write(h.certs.issue("jscan-webhook"), h.cert, h.key); // a test may have left a broken pair
  }

  @AfterAll
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  /** A directory laid out as kubelet lays out a ConfigMap volume: files are symlinks through {@code ..data}. */
  private static Path configMapVolume(Path root, String version, Map<String, String> files) throws IOException {
    Files.createDirectories(root);
    Path data = Files.createDirectory(root.resolve("..2026_11_27_" + version));
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(data.resolve(f.getKey()), f.getValue());
      Path link = root.resolve(f.getKey());
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of("..data", f.getKey()));
      }
    }
    // kubelet's AtomicWriter: a new symlink ..data_tmp renamed over ..data, in one step
    Path tmp = root.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, data.getFileName());
    Files.move(tmp, root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return root;
  }

  private static final String ENFORCING = WebhookHarness.DEFAULT_POLICY;
  private static final String WARNING_ONLY = WebhookHarness.DEFAULT_POLICY.replace("  - id: non-root-user\n", "  - id: non-root-user\n    mode: warn\n");

  @Test
  void reload_configMapSymlinkSwap_newPoliciesApplyAndNoRequestIsDropped() throws Exception {
    Path volume = configMapVolume(dir.resolve("cm-swap"), "v1", Map.of("policy.yaml", ENFORCING));
    h.start(o -> o.withPolicySpecs(List.of(volume.toString())));
    assertFalse(h.review("/validate", "pod-create-root-image.json").path("allowed").asBoolean(), "v1 enforces non-root-user");

    ConcurrentLinkedQueue<String> outcomes = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService load = Executors.newFixedThreadPool(3);
    String body = h.fixture("pod-create-root-image.json");
    for (int t = 0; t < 3; t++) {
      load.execute(() -> {
        try {
          HttpClient client = h.newClient();
          for (int i = 0; i < 2000 && running.get(); i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(h.uri("/validate")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            JsonNode resp = WebhookHarness.JSON.readTree(r.body()).path("response");
            outcomes.add(r.statusCode() + " " + (resp.path("allowed").asBoolean() ? "allowed" : "denied"));
          }
        } catch (Exception e) {
          outcomes.add("failed " + e);
        }
      });
    }
    await("some requests under the old policies", Duration.ofSeconds(10), () -> outcomes.size() > 20);
    configMapVolume(volume, "v2", Map.of("policy.yaml", WARNING_ONLY));
    await("the new policies", Duration.ofSeconds(15), () -> outcomes.contains("200 allowed"));
    int before = outcomes.size();
    await("requests under the new policies", Duration.ofSeconds(10), () -> outcomes.size() > before + 20);
    running.set(false);
    load.shutdown();
    assertTrue(load.awaitTermination(30, TimeUnit.SECONDS));

    for (String o : outcomes) {
      assertTrue(o.equals("200 denied") || o.equals("200 allowed"), "every request answered: " + o);
    }
    assertEquals(2, h.server.policies().current().generation());
    assertEquals(1, h.server.metrics().reloads.get("policies", "ok"));
    assertTrue(h.log().contains("policies reloaded (generation 2): default"), h.log());
    JsonNode after = h.review("/validate", "pod-create-root-image.json");
    assertTrue(after.path("allowed").asBoolean(), after.toString());
    assertTrue(WebhookHarness.warnings(after).get(0).contains("non-root-user (policy default)"), after.toString());
  }

  @Test
  void reload_brokenPolicy_keepsThePoliciesInForceAndStaysReady() throws Exception {
    Path policies = Files.createDirectories(dir.resolve("broken"));
    Path file = policies.resolve("default.yaml");
    Files.writeString(file, ENFORCING);
    h.start(o -> o.withPolicySpecs(List.of(policies.toString())));
    TestCerts.writeAtomically(file, ENFORCING.replace("non-root-user", "no-such-rule"));
    await("the failed reload", Duration.ofSeconds(10), () -> h.server.metrics().reloads.get("policies", "failed") == 1);
    Thread.sleep(600); // three more checks: the same broken content is reported once
    assertEquals(1, h.server.metrics().reloads.get("policies", "failed"));
    assertTrue(h.log().contains("policies changed but do not load; keeping the policies in force (generation 1): " + file
        + ":"), h.log());
    assertTrue(h.log().matches("(?s).*" + java.util.regex.Pattern.quote(file.toString()) + ":\\d+: rule no-such-rule: .*"), h.log());
    assertEquals(200, h.get("/readyz").statusCode());
    assertFalse(h.review("/validate", "pod-create-root-image.json").path("allowed").asBoolean(), "the old policy still enforces");
  }

  @Test
  void reload_policyLinkedOutOfItsDirectory_logsNoneOfTheTargetsContent() throws Exception {
    Path policies = Files.createDirectories(dir.resolve("linked"));
    Path file = policies.resolve("default.yaml");
    Files.writeString(file, ENFORCING);
    h.start(o -> o.withPolicySpecs(List.of(policies.toString())));
    // a file that parses as YAML and would be quoted ("apiVersion must be …, got …") if named directly
    Path secret = Files.writeString(dir.resolve("node-credentials.yaml"), "apiVersion: S3CRET-node-token\nkind: Policy\nname: x\nrules: []\n");
    Path tmpLink = policies.resolve(".default.yaml.tmp");
    Files.createSymbolicLink(tmpLink, secret);
    Files.move(tmpLink, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    await("the failed reload", Duration.ofSeconds(10), () -> h.server.metrics().reloads.get("policies", "failed") == 1);

    assertFalse(h.log().contains("S3CRET"), h.log());
    assertTrue(h.log().contains(file + ":1: not a valid policy file (" + file + " is reached through a symlink that leads out of its directory"),
        h.log());
    assertFalse(h.review("/validate", "pod-create-root-image.json").path("allowed").asBoolean(), "the old policy still enforces");
  }

  @Test
  void reload_renewedCertificate_servedOnNewConnectionsWhileOpenOnesGoOn() throws Exception {
    h.start(o -> o);
    try (javax.net.ssl.SSLSocket open = (javax.net.ssl.SSLSocket) h.certs.clientContext().getSocketFactory()
        .createSocket("127.0.0.1", h.server.port())) {
      open.startHandshake();
      BigInteger first = ((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber();
      assertEquals("200", healthzOn(open));
      TestCerts.Leaf renewed = h.certs.issue("jscan-webhook-renewed");
      h.certs.write(renewed, h.cert, h.key);
      await("the renewed certificate", Duration.ofSeconds(10), () -> {
        try {
          return servedSerial(h.newClient()).equals(renewed.serial());
        } catch (Exception e) {
          return false;
        }
      });
      assertEquals("200", healthzOn(open), "the connection opened before the reload goes on");
      assertEquals(first, ((X509Certificate) open.getSession().getPeerCertificates()[0]).getSerialNumber());
      assertEquals(1, h.server.metrics().reloads.get("tls", "ok"));

      // a key of another pair (as when a certificate is written before its key): refused, the renewed one stays
      TestCerts.writeAtomically(h.cert, TestCerts.pem(h.certs.issue("mismatched").cert()));
      await("the refused reload", Duration.ofSeconds(10), () -> h.server.metrics().reloads.get("tls", "failed") == 1);
      assertTrue(h.log().contains("TLS files changed but cannot be used; keeping the certificate in force: " + h.key
          + ": the private key does not belong to the certificate"), h.log());
      assertEquals(renewed.serial(), servedSerial(h.newClient()));
    }
  }

  /** GET /healthz on an open keep-alive connection; the status code. */
  private static String healthzOn(javax.net.ssl.SSLSocket socket) throws IOException {
    socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    java.io.InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) c);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    assertTrue(length.find(), head.toString());
    in.readNBytes(Integer.parseInt(length.group(1)));
    return head.substring(9, 12);
  }

  private BigInteger servedSerial(HttpClient client) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(h.uri("/healthz")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
  }

  @Test
  void tls_versions12And13Accepted() throws Exception {
    h.start(o -> o);
    for (String version : List.of("TLSv1.2", "TLSv1.3")) {
      SSLParameters p = new SSLParameters();
      p.setProtocols(new String[] {version});
      HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(h.certs.clientContext()).sslParameters(p).build();
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(h.uri("/healthz")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertEquals(version, r.sslSession().orElseThrow().getProtocol());
    }
  }

  @Test
  void tls_version11Refused() throws Exception {
    Path openssl = ExternalTool.require("openssl");
    h.start(o -> o);
    // the JDK's client will not even offer TLS 1.1, so openssl (at security level 0) tries it
    Process p = new ProcessBuilder(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + h.server.port(), "-tls1_1",
        "-cipher", "DEFAULT@SECLEVEL=0").redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(p.exitValue() != 0, out);
    assertTrue(out.contains("alert protocol version"), "the server refuses the version: " + out);
    assertTrue(out.contains("Cipher is (NONE)"), "no session was made: " + out);
  }

  @Test
  void deadline_slowRegistry_failureModeAppliedThenTheRetryIsAnsweredFromTheCache() throws Exception {
    try (FaultProxy slow = FaultProxy.inFrontOf(h.registry)) {
      slow.add(new FaultProxy.Rule("GET", "/v2/good/manifests/1$", 1, new FaultProxy.Action(() -> sleep(2500))));
      h.start(o -> o.withRequestTimeout(Duration.ofSeconds(1)));
      String body = h.fixture("pod-create.json").replace(h.registry.host(), slow.host());
      HttpResponse<String> first = h.post("/validate", body);
      JsonNode r = WebhookHarness.JSON.readTree(first.body()).path("response");
      assertFalse(r.path("allowed").asBoolean(), first.body());
      assertTrue(r.path("status").path("message").asText().contains(
          "could not be verified: verification did not finish within the request's deadline of 1s"), first.body());
      assertEquals(1, h.server.metrics().deadlines.get());
      // the verification went on; the API server's retry finds its result
      await("the background verification", Duration.ofSeconds(15), () -> h.server.metrics().verifications.get("ok") >= 1);
      JsonNode retry = WebhookHarness.JSON.readTree(h.post("/validate", body).body()).path("response");
      assertTrue(retry.path("allowed").asBoolean(), retry.toString());
    }
  }

  @Test
  void shutdown_requestInFlight_finishesWhileReadyzSaysNoThenTheListenerCloses() throws Exception {
    try (FaultProxy slow = FaultProxy.inFrontOf(h.registry)) {
      slow.add(new FaultProxy.Rule("GET", "/v2/good/manifests/1$", 1, new FaultProxy.Action(() -> sleep(1500))));
      h.start(o -> o.withShutdown(Duration.ofMillis(800), Duration.ofSeconds(10)));
      String body = h.fixture("pod-create.json").replace(h.registry.host(), slow.host());
      CompletableFuture<HttpResponse<String>> inFlight = h.client.sendAsync(
          HttpRequest.newBuilder(h.uri("/validate")).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      await("the request in flight", Duration.ofSeconds(10), () -> h.server.inFlight() == 1);
      java.net.URI healthz = h.uri("/healthz");
      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(h.server::shutdown);
      await("draining", Duration.ofSeconds(5), () -> !h.server.ready());
      assertEquals(503, h.get("/readyz").statusCode(), "not ready while draining, so the Service stops sending");
      HttpResponse<String> answered = inFlight.get(20, TimeUnit.SECONDS);
      assertEquals(200, answered.statusCode());
      assertTrue(WebhookHarness.JSON.readTree(answered.body()).path("response").path("allowed").asBoolean(), answered.body());
      shutdown.get(20, TimeUnit.SECONDS);
      Exception refused = assertThrows(Exception.class, () -> h.newClient().send(
          HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()));
      assertTrue(refused instanceof ConnectException || refused.getCause() instanceof ConnectException, refused.toString());
      assertTrue(h.log().contains("jscan serve: stopped"), h.log());
    }
  }

  @Test
  void cache_imageInSteadyUse_isRefreshedAheadOfExpirySoNoRequestWaitsForTheRegistry() throws Exception {
    try (FaultProxy counting = FaultProxy.inFrontOf(h.registry)) {
      h.start(o -> o.withCacheTimes(Duration.ofMillis(1500), Duration.ofMillis(1500)));
      String body = h.fixture("pod-create.json").replace(h.registry.host(), counting.host());
      assertTrue(WebhookHarness.JSON.readTree(h.post("/validate", body).body()).path("response").path("allowed").asBoolean());
      Metrics m = h.server.metrics();
      long digestMisses = m.cacheMisses.get("digest");
      long decisionMisses = m.cacheMisses.get("decision");
      long end = System.nanoTime() + Duration.ofMillis(4500).toNanos(); // three times the caches' time to live
      while (System.nanoTime() < end) {
        JsonNode r = WebhookHarness.JSON.readTree(h.post("/validate", body).body()).path("response");
        assertTrue(r.path("allowed").asBoolean(), r.toString());
        Thread.sleep(50);
      }
      assertEquals(digestMisses, m.cacheMisses.get("digest"), "no later request resolved the tag itself");
      assertEquals(decisionMisses, m.cacheMisses.get("decision"), "no later request waited for a verdict");
      long manifestReads = counting.requests().stream().filter(r -> r.startsWith("GET /v2/good/manifests/")).count();
      assertTrue(manifestReads >= 4, "the tag and the signatures were looked up again in the background: " + counting.requests());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
