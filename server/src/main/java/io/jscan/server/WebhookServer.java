package io.jscan.server;

import io.jscan.core.FailureKind;
import io.jscan.core.oci.Digest;
import io.jscan.core.text.Durations;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.registry.RetryPolicy;
import io.jscan.server.AdmissionController.Decision;
import io.jscan.server.AdmissionController.Endpoint;
import io.jscan.signing.SigningException;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierException;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code jscan serve}: the admission webhook over HTTPS.
 *
 * <p><b>Why Jetty 12 (core API, no servlets).</b> The JDK's {@code HttpsServer} would spare a
 * dependency, but it does its TLS on the dispatcher thread, has no graceful shutdown that waits
 * for requests in flight, and no way to swap the certificate of a running listener. Jetty is
 * maintained, small without the servlet layer (server, http, io, util), handles TLS on its
 * selector with per-connection {@code SSLEngine}s, and has what a webhook needs built in:
 * {@link SslContextFactory#reload} (new connections get a new certificate, open ones keep theirs),
 * {@link GracefulHandler} with {@link Server#setStopTimeout} (stop accepting, finish what is in
 * flight), and a bounded {@link QueuedThreadPool}. Netty or Undertow would do too, at the cost of
 * writing HTTP handling Jetty already has.
 *
 * <p><b>Endpoints.</b> {@code POST /validate} and {@code POST /mutate} (AdmissionReview v1),
 * {@code GET /healthz} (the process answers), {@code GET /readyz} (policies loaded and not
 * shutting down), {@code GET /metrics} (Prometheus text format).
 *
 * <p><b>Reload.</b> Every {@link ServeOptions#reloadInterval} the policy files (with the key files
 * they read and the {@code --key} files) and the certificate and key are hashed; changed policies
 * and keys are loaded and swapped in atomically ({@link PolicyStore}),
 * a changed certificate pair is checked and handed to the TLS factory. Nothing is dropped: a
 * request in progress keeps the policies it started with, a connection keeps its TLS session. A
 * pair caught half-written (a new certificate with the old key) is refused and tried again at the
 * next check.
 *
 * <p><b>Shutdown.</b> {@link #shutdown}: {@code /readyz} turns 503 at once, requests are still
 * served for {@link ServeOptions#drainDelay} (until the endpoints controller has taken the pod out
 * of the Service), then the listener closes and requests in flight get up to {@link
 * ServeOptions#stopTimeout} to finish.
 */
public final class WebhookServer implements AutoCloseable {
  private final ServeOptions options;
  private final ServerLog log;
  private final Metrics metrics;
  private final PolicyStore policies;
  private final ImageChecks checks;
  private final AdmissionController controller;
  private final Server server;
  private final ServerConnector connector;
  private final SslContextFactory.Server tls;
  private final ScheduledExecutorService reloader;
  private final AtomicReference<Digest> tlsFingerprint = new AtomicReference<>();
  private final AtomicReference<Digest> tlsFailed = new AtomicReference<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  /** When the certificate being served expires (a gauge: alert before it does). */
  private volatile Instant leafExpiry = Instant.EPOCH;

  private WebhookServer(ServeOptions options, PolicyStore policies, TlsMaterial material, Verifier verifier, RegistryClient registry,
      ServerLog log) {
    this.options = options;
    this.log = log;
    this.metrics = new Metrics();
    this.policies = policies;
    this.checks = new ImageChecks(verifier, registry, options, metrics);
    this.controller = new AdmissionController(policies, checks, options, metrics, log);
    metrics.gauge("jscan_policies_loaded", "Policies in force (0 until loaded).", () -> policies.current().all().policies().size());
    metrics.gauge("jscan_policy_generation", "How many times the policies were loaded (1 at start).", () -> policies.current().generation());
    metrics.gauge("jscan_admission_in_flight", "Admission requests being answered.", inFlight::get);
    metrics.gauge("jscan_cache_entries_facts", "Images whose inspection is cached.", checks::cachedFacts);
    metrics.gauge("jscan_cache_entries_evidence", "Images whose signatures and attestations found in a repository are cached.", checks::cachedEvidence);
    metrics.gauge("jscan_cache_entries_decision", "Verdicts cached.", checks::cachedDecisions);
    metrics.gauge("jscan_verifications_pending", "Images waiting for or being verified.", checks::pending);
    metrics.gauge("jscan_tls_certificate_expiry_seconds", "When the serving certificate expires (Unix time).",
        () -> currentLeafExpiry().getEpochSecond());

    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setName("jscan-http");
    threads.setDaemon(true);
    server = new Server(threads);
    server.setStopTimeout(options.stopTimeout().toMillis());
    server.setStopAtShutdown(false); // the command's shutdown hook drains first, then stops
    tls = new SslContextFactory.Server();
    // TLS 1.2 and 1.3 only (Kubernetes' API server speaks both); Jetty's defaults already leave out
    // the weak cipher suites (RC4, 3DES, MD5/SHA-1 MACs, export and anonymous suites)
    tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    tls.setRenegotiationAllowed(false);
    apply(tls, material);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    HttpConnectionFactory h1 = new HttpConnectionFactory(http);
    connector = new ServerConnector(server, new SslConnectionFactory(tls, h1.getProtocol()), h1);
    connector.setHost(options.host());
    connector.setPort(options.port());
    // longer than Go's http.Transport IdleConnTimeout (90 s), so the API server, not us, closes idle
    // connections: a POST on a connection we closed at the same moment would not be retried
    connector.setIdleTimeout(Duration.ofSeconds(120).toMillis());
    server.addConnector(connector);
    server.setHandler(new GracefulHandler(new Routes()));
    tlsFingerprint.set(material.fingerprint());
    reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jscan-reload");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads the policies, the {@code --key} files and the certificate, starts listening and watching the files.
   *
   * @throws VerifierException a policy that does not load (bad input)
   * @throws SigningException a {@code --key} file that is missing or not a public key (bad input)
   * @throws ServerException a certificate or key that cannot be used (bad input), a port that
   *     cannot be bound
   */
  public static WebhookServer start(ServeOptions options, Verifier verifier, RegistryClient registry, ServerLog log)
      throws VerifierException, ServerException, SigningException {
    PolicyStore policies = PolicyStore.load(options.policySpecs(), options.keys(), verifier.options().limits());
    TlsMaterial material = TlsMaterial.load(options.tlsCert(), options.tlsKey());
    if (!material.validAt(Instant.now())) {
      log.warn("the certificate in " + options.tlsCert() + " is not valid now (valid " + material.leaf().getNotBefore().toInstant()
          + " to " + material.leaf().getNotAfter().toInstant() + "); the API server will refuse it");
    }
    WebhookServer s = new WebhookServer(options, policies, material, verifier, registry, log);
    try {
      s.server.start();
    } catch (Exception e) {
      s.close();
      Throwable cause = e instanceof IOException && e.getCause() instanceof BindException ? e.getCause() : e;
      throw new ServerException(FailureKind.UNEXPECTED, "listening on " + options.host() + ":" + options.port(), String.valueOf(cause.getMessage()), e);
    }
    long every = options.reloadInterval().toMillis();
    s.reloader.scheduleWithFixedDelay(s::reloadChanged, every, every, TimeUnit.MILLISECONDS);
    log.info("jscan serve: listening on https://" + options.host() + ":" + s.port() + " (policies: "
        + String.join(", ", policies.current().all().policies().stream().map(p -> p.name()).toList()) + ")");
    return s;
  }

  /** The admission defaults of the connect timeout ({@link #forAdmission}). */
  public static final Duration ADMISSION_CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /** The admission defaults of the read timeout ({@link #forAdmission}). */
  public static final Duration ADMISSION_READ_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Registry options for admission: a webhook has seconds, not minutes, so a registry that does not
   * answer is given up on quickly (two tries, a 3 s connect timeout, 10 s without a byte, a short
   * {@code Retry-After} honoured) and the failure mode decides, instead of the API server's timeout.
   * Each verification also has a deadline of its own ({@link ServeOptions#verifyTimeout}). These are
   * defaults: {@code --connect-timeout}, {@code --read-timeout} and their variables change them.
   */
  public static RegistryOptions forAdmission(RegistryOptions base) {
    return base.withRetry(new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .withConnectTimeout(ADMISSION_CONNECT_TIMEOUT)
        .withReadTimeout(ADMISSION_READ_TIMEOUT)
        .withUserAgent(base.userAgent().startsWith("jscan-serve") ? base.userAgent() : "jscan-serve");
  }

  /** The port listened on (the one picked when the options said 0). */
  public int port() {
    return connector.getLocalPort();
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Admission requests being answered now. */
  public int inFlight() {
    return inFlight.get();
  }

  public PolicyStore policies() {
    return policies;
  }

  /** Whether {@code /readyz} says ready. */
  public boolean ready() {
    return !draining.get() && server.isStarted() && policies.current() != null;
  }

  /** Blocks until the server has stopped. */
  public void awaitStopped() throws InterruptedException {
    server.join();
  }

  /** Drains and stops (see the class comment); returns when it has stopped. Safe to call twice. */
  public void shutdown() {
    if (!draining.compareAndSet(false, true)) {
      awaitQuietly();
      return;
    }
    log.info("jscan serve: shutting down: not ready; serving for " + Durations.format(options.drainDelay())
        + ", then up to " + Durations.format(options.stopTimeout()) + " for requests in flight (" + inFlight.get() + " now)");
    try {
      Thread.sleep(options.drainDelay().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
    log.info("jscan serve: stopped");
  }

  private void awaitQuietly() {
    try {
      server.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops at once: closes the listener, lets requests in flight finish within the stop timeout. */
  @Override
  public void close() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    draining.set(true);
    reloader.shutdownNow();
    try {
      server.stop();
    } catch (Exception e) {
      log.error("stopping the HTTP server: " + e);
    }
    checks.close();
  }

  // ---------------------------------------------------------------- reload

  void reloadChanged() {
    try {
      PolicyStore.Reload r = policies.reloadIfChanged(problem -> log.error(
          "policies changed but do not load; keeping the policies in force (generation " + policies.current().generation() + "): " + problem));
      if (r == PolicyStore.Reload.RELOADED) {
        metrics.reloads.inc("policies", "ok");
        log.info("policies reloaded (generation " + policies.current().generation() + "): "
            + String.join(", ", policies.current().all().policies().stream().map(p -> p.name()).toList()));
      } else if (r == PolicyStore.Reload.FAILED) {
        metrics.reloads.inc("policies", "failed");
      }
      reloadTlsIfChanged();
    } catch (RuntimeException e) {
      // the reloader must survive anything, or changes would silently stop being picked up
      log.error("reload check failed: " + e);
    }
  }

  private void reloadTlsIfChanged() {
    Digest now = TlsMaterial.fingerprintOf(options.tlsCert(), options.tlsKey());
    if (now.equals(tlsFingerprint.get()) || now.equals(tlsFailed.get())) {
      return;
    }
    TlsMaterial material;
    try {
      material = TlsMaterial.load(options.tlsCert(), options.tlsKey());
      tls.reload(f -> apply((SslContextFactory.Server) f, material));
    } catch (ServerException e) {
      tlsFailed.set(now);
      metrics.reloads.inc("tls", "failed");
      log.error("TLS files changed but cannot be used; keeping the certificate in force: " + e.getMessage());
      return;
    } catch (Exception e) {
      tlsFailed.set(now);
      metrics.reloads.inc("tls", "failed");
      log.error("TLS reload failed; keeping the certificate in force: " + e);
      return;
    }
    tlsFingerprint.set(material.fingerprint());
    tlsFailed.set(null);
    metrics.reloads.inc("tls", "ok");
    log.info("TLS certificate reloaded: " + material.leaf().getSubjectX500Principal().getName() + ", valid to "
        + material.leaf().getNotAfter().toInstant());
  }

  private Instant currentLeafExpiry() {
    return leafExpiry;
  }

  private void apply(SslContextFactory.Server factory, TlsMaterial material) {
    factory.setKeyStore(material.keyStore());
    factory.setKeyStorePassword(material.password());
    factory.setKeyManagerPassword(material.password());
    leafExpiry = material.leaf().getNotAfter().toInstant();
  }

  // ---------------------------------------------------------------- HTTP

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      switch (path) {
        case "/validate" -> admission(request, response, callback, Endpoint.VALIDATE);
        case "/mutate" -> admission(request, response, callback, Endpoint.MUTATE);
        case "/healthz" -> send(response, callback, "healthz", 200, "text/plain; charset=utf-8", "ok\n");
        case "/readyz" -> {
          if (ready()) {
            send(response, callback, "readyz", 200, "text/plain; charset=utf-8", "ok\n");
          } else {
            send(response, callback, "readyz", 503, "text/plain; charset=utf-8", draining.get() ? "shutting down\n" : "not ready\n");
          }
        }
        case "/metrics" -> send(response, callback, "metrics", 200, Metrics.CONTENT_TYPE, metrics.scrape());
        default -> send(response, callback, "other", 404, "text/plain; charset=utf-8",
            "not found: " + path + " (endpoints: /validate, /mutate, /healthz, /readyz, /metrics)\n");
      }
      return true;
    }

    private void admission(Request request, Response response, Callback callback, Endpoint endpoint) {
      long start = System.nanoTime();
      String label = endpoint.label();
      inFlight.incrementAndGet();
      try {
        if (!request.getMethod().equals("POST")) {
          response.getHeaders().put(HttpHeader.ALLOW, "POST");
          send(response, callback, label, 405, "text/plain; charset=utf-8", "jscan: " + request.getMethod() + " " + "/" + label
              + ": use POST with an AdmissionReview\n");
          return;
        }
        long declared = request.getLength();
        if (declared > options.maxRequestBytes()) {
          tooLarge(response, callback, label, declared + " bytes");
          return;
        }
        byte[] body;
        try (InputStream in = Request.asInputStream(request)) {
          body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, options.maxRequestBytes() + 1));
        }
        if (body.length > options.maxRequestBytes()) {
          tooLarge(response, callback, label, "more than " + options.maxRequestBytes() + " bytes");
          return;
        }
        Decision decision;
        try {
          decision = controller.review(body, endpoint, start);
        } catch (BadReviewException e) {
          log.warn(label + ": 400 from " + Request.getRemoteAddr(request) + ": " + e.getMessage());
          send(response, callback, label, 400, "text/plain; charset=utf-8", "jscan: bad AdmissionReview: " + e.getMessage() + "\n");
          return;
        }
        send(response, callback, label, 200, "application/json", decision.response().toJson());
      } catch (IOException e) {
        // the client went away or sent a broken body: nobody to answer, count it
        metrics.requests.inc(label, "499");
        callback.failed(e);
      } catch (RuntimeException e) {
        log.error(label + ": internal error: " + e);
        send(response, callback, label, 500, "text/plain; charset=utf-8", "jscan: internal error: " + e + "\n");
      } finally {
        inFlight.decrementAndGet();
        metrics.latency.observe((System.nanoTime() - start) / 1e9, label);
      }
    }

    private void tooLarge(Response response, Callback callback, String label, String size) {
      log.warn(label + ": 413: request body of " + size + " exceeds the limit of " + options.maxRequestBytes() + " bytes");
      send(response, callback, label, 413, "text/plain; charset=utf-8",
          "jscan: the request body (" + size + ") exceeds the limit of " + options.maxRequestBytes() + " bytes\n");
    }

    private void send(Response response, Callback callback, String endpoint, int status, String contentType, String body) {
      send(response, callback, endpoint, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private void send(Response response, Callback callback, String endpoint, int status, String contentType, byte[] body) {
      metrics.requests.inc(endpoint, Integer.toString(status));
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }
}
