package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.jscan.core.Deadline;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The blocking client's request bodies: streamed with their length, and answers (a 401 too) read whole. */
class BlockingExchangeTest {
  static final ExchangeLimits LIMITS = new ExchangeLimits("registry test", Duration.ofSeconds(5), Duration.ofSeconds(5), Deadline.none());
  HttpServer server;
  final AtomicLong received = new AtomicLong();
  final AtomicReference<String> contentLength = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/upload", ex -> {
      contentLength.set(ex.getRequestHeaders().getFirst("Content-Length"));
      try (InputStream in = ex.getRequestBody()) {
        received.set(in.transferTo(java.io.OutputStream.nullOutputStream()));
      }
      ex.getResponseHeaders().add("Docker-Content-Digest", "sha256:x");
      ex.sendResponseHeaders(201, -1);
      ex.close();
    });
    server.createContext("/protected", ex -> {
      ex.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
      ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1/token\",service=\"s\"");
      ex.sendResponseHeaders(401, -1);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static RegistryHttp.Body body(byte[] bytes) {
    return new RegistryHttp.Body() {
      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }
    };
  }

  @Test
  void send_putWithABody_streamsExactlyItsLength_andReturnsTheStatusAndHeaders() throws Exception {
    byte[] blob = new byte[3 * 1024 * 1024 + 7];
    HttpResponse<InputStream> r = BlockingExchange.send("PUT", uri("/upload"), Map.of("Content-Type", "application/octet-stream"),
        LIMITS, Optional.empty(), Optional.of(body(blob)));
    assertEquals(201, r.statusCode());
    assertEquals(blob.length, received.get());
    assertEquals(String.valueOf(blob.length), contentLength.get());
    assertEquals("sha256:x", r.headers().firstValue("Docker-Content-Digest").orElseThrow());
  }

  @Test
  void send_postWithAnEmptyBody_sendsContentLengthZero() throws Exception {
    HttpResponse<InputStream> r = BlockingExchange.send("POST", uri("/upload"), Map.of(), LIMITS, Optional.empty(),
        Optional.of(body(new byte[0])));
    assertEquals(201, r.statusCode());
    assertEquals("0", contentLength.get());
  }

  /** A 401 comes back with its challenge, so the token is refreshed as for any other request. */
  @Test
  void send_401ToAStreamedBody_returnsTheStatusWithItsChallenge() throws Exception {
    HttpResponse<InputStream> r = BlockingExchange.send("PUT", uri("/protected"), Map.of(), LIMITS, Optional.empty(),
        Optional.of(body(new byte[100])));
    assertEquals(401, r.statusCode());
    assertEquals("Bearer realm=\"http://127.0.0.1/token\",service=\"s\"", r.headers().firstValue("WWW-Authenticate").orElseThrow());
  }

  // ---------------------------------------------------------------- HTTP/1.1 as jscan speaks it

  @Test
  void send_chunkedAnswer_isReadWhole_andTheConnectionIsReused() throws Exception {
    java.util.List<Integer> clientPorts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    server.createContext("/chunked", ex -> {
      clientPorts.add(ex.getRemoteAddress().getPort());
      ex.sendResponseHeaders(200, 0); // length 0: chunked
      try (java.io.OutputStream out = ex.getResponseBody()) {
        for (int i = 0; i < 100; i++) {
          out.write(("line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
          out.flush();
        }
      }
    });
    for (int round = 0; round < 2; round++) {
      HttpResponse<InputStream> r = BlockingExchange.send("GET", uri("/chunked"), Map.of(), LIMITS, Optional.empty());
      assertEquals(200, r.statusCode());
      assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElseThrow().toLowerCase(java.util.Locale.ROOT));
      String text;
      try (InputStream in = r.body()) {
        text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      assertEquals(100, text.lines().count(), text);
      assertTrue(text.endsWith("line 99\n"), text);
    }
    assertEquals(2, clientPorts.size());
    assertEquals(clientPorts.get(0), clientPorts.get(1), "the second request went over the kept-alive connection");
  }

  /** A server that closes a kept-alive connection while it sits in the pool: the next request goes over a new one. */
  @Test
  void send_keptAliveConnectionClosedByTheServer_isReplacedOnce() throws Exception {
    try (RawServer raw = new RawServer(socket -> {
      readHead(socket.getInputStream());
      socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      socket.close(); // without Connection: close, as a server whose idle timeout just passed
    })) {
      for (int round = 0; round < 3; round++) {
        HttpResponse<InputStream> r = BlockingExchange.send("GET", raw.uri("/x"), Map.of(), LIMITS, Optional.empty());
        assertEquals("ok", new String(r.body().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      assertEquals(3, raw.connections.get());
    }
  }

  @Test
  void send_headerValueWithALineBreak_isRefusedBeforeAnythingIsSent() {
    java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> BlockingExchange.send("GET", uri("/upload"), Map.of("X-Injected", "a\r\nX-Other: b"), LIMITS, Optional.empty()));
    assertTrue(e.getMessage().contains("X-Injected"), e.getMessage());
    assertEquals(null, contentLength.get(), "nothing reached the server");
  }

  /** An answer whose body trickles in a byte at a time ends at the deadline, however steady the trickle. */
  @Test
  void send_trickledBody_endsAtTheDeadline_namingWhoAndWhichDeadline() throws Exception {
    try (RawServer raw = new RawServer(socket -> {
      readHead(socket.getInputStream());
      java.io.OutputStream out = socket.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      for (int i = 0; i < 1_000_000; i++) {
        out.write('x');
        out.flush();
        sleepQuietly(100);
      }
    })) {
      ExchangeLimits limits = new ExchangeLimits("registry trickle", Duration.ofSeconds(5), Duration.ofSeconds(5),
          Deadline.in(Duration.ofMillis(1500), "--timeout 1500ms"));
      long start = System.nanoTime();
      HttpResponse<InputStream> r = BlockingExchange.send("GET", raw.uri("/blob"), Map.of(), limits, Optional.empty());
      Deadline.DeadlineExceededException e = org.junit.jupiter.api.Assertions.assertThrows(
          Deadline.DeadlineExceededException.class, () -> r.body().readAllBytes());
      assertEquals("--timeout 1500ms passed while waiting for registry trickle", e.getMessage());
      assertTrue(seconds(start) < 1.5 + 1.5, "ended " + seconds(start) + " s after it began");
    }
  }

  /** An answer that stops coming mid-body ends after the read timeout (an idle limit), not at the deadline. */
  @Test
  void send_stalledBody_endsAfterTheReadTimeout() throws Exception {
    try (RawServer raw = new RawServer(socket -> {
      readHead(socket.getInputStream());
      socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      sleepQuietly(60_000);
    })) {
      ExchangeLimits limits = new ExchangeLimits("registry stall", Duration.ofSeconds(5), Duration.ofMillis(400), Deadline.in(Duration.ofMinutes(1)));
      long start = System.nanoTime();
      HttpResponse<InputStream> r = BlockingExchange.send("GET", raw.uri("/blob"), Map.of(), limits, Optional.empty());
      ExchangeLimits.RegistryTimeoutException e = org.junit.jupiter.api.Assertions.assertThrows(
          ExchangeLimits.RegistryTimeoutException.class, () -> r.body().readAllBytes());
      assertEquals("registry stall sent nothing for 400ms (the read timeout, --read-timeout)", e.getMessage());
      assertTrue(seconds(start) < 5, "ended " + seconds(start) + " s after it began");
    }
  }

  /**
   * An upload to a server that stops reading blocks in a write, which no socket timeout ends: the
   * watch closes the socket when nothing moved for the read timeout.
   */
  @Test
  void send_uploadToAServerThatStopsReading_endsAfterTheReadTimeout() throws Exception {
    try (RawServer raw = new RawServer(socket -> {
      readHead(socket.getInputStream());
      sleepQuietly(60_000); // reads none of the body
    })) {
      ExchangeLimits limits = new ExchangeLimits("registry deaf", Duration.ofSeconds(5), Duration.ofMillis(500), Deadline.none());
      long start = System.nanoTime();
      java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
          () -> BlockingExchange.send("PUT", raw.uri("/upload"), Map.of(), limits, Optional.empty(), Optional.of(body(new byte[64 << 20]))));
      assertEquals("registry deaf sent nothing for 500ms (the read timeout, --read-timeout)", e.getMessage());
      assertTrue(seconds(start) < 10, "ended " + seconds(start) + " s after it began");
    }
  }

  /**
   * The same over TLS: closing a TLS socket sends close_notify, which would wait for the blocked
   * write; the watch closes the TCP socket under it instead. The watchdog stays free for others.
   */
  @Test
  void send_uploadOverTlsToAServerThatStopsReading_endsAfterTheReadTimeout(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    javax.net.ssl.SSLContext server = selfSignedServerContext(dir);
    javax.net.ssl.SSLServerSocket listening =
        (javax.net.ssl.SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (java.net.Socket s = listening.accept()) {
        readHead(s.getInputStream()); // the handshake and the head, then nothing more
        sleepQuietly(60_000);
      } catch (java.io.IOException ignored) {
        // the client went away
      }
    }, "tls-deaf");
    t.setDaemon(true);
    t.start();
    try {
      ExchangeLimits limits = new ExchangeLimits("registry tls-deaf", Duration.ofSeconds(5), Duration.ofMillis(500), Deadline.none());
      long start = System.nanoTime();
      java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
          () -> BlockingExchange.send("PUT", URI.create("https://127.0.0.1:" + listening.getLocalPort() + "/upload"), Map.of(), limits,
              Optional.of(trustAll()), Optional.of(body(new byte[64 << 20]))));
      assertEquals("registry tls-deaf sent nothing for 500ms (the read timeout, --read-timeout)", e.getMessage());
      assertTrue(seconds(start) < 10, "ended " + seconds(start) + " s after it began");
      // the watchdog is not stuck: another exchange's limit still fires
      try (RawServer raw = new RawServer(socket -> {
        readHead(socket.getInputStream());
        sleepQuietly(60_000);
      })) {
        ExchangeLimits quick = new ExchangeLimits("registry silent", Duration.ofSeconds(5), Duration.ofSeconds(30),
            Deadline.in(Duration.ofMillis(500), "--timeout 500ms"));
        org.junit.jupiter.api.Assertions.assertThrows(Deadline.DeadlineExceededException.class,
            () -> BlockingExchange.send("GET", raw.uri("/x"), Map.of(), quick, Optional.empty()));
      }
    } finally {
      listening.close();
    }
  }

  /** A TLS context whose key and certificate keytool makes (self-signed, for 127.0.0.1). */
  private static javax.net.ssl.SSLContext selfSignedServerContext(java.nio.file.Path dir) throws Exception {
    java.nio.file.Path store = dir.resolve("server.p12");
    Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=IP:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, out);
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** What RegistryHttp gives insecure registries: no certificate checks. */
  private static javax.net.ssl.SSLContext trustAll() throws Exception {
    javax.net.ssl.TrustManager all = new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    };
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {all}, null);
    return ctx;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void readHead(InputStream in) throws java.io.IOException {
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new java.io.EOFException();
      }
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  /** A loopback server that runs {@code handler} on each connection it accepts (on a thread of its own). */
  static final class RawServer implements AutoCloseable {
    interface Handler {
      void handle(java.net.Socket socket) throws java.io.IOException;
    }

    final java.net.ServerSocket socket;
    final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.List<java.net.Socket> accepted = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    RawServer(Handler handler) throws java.io.IOException {
      socket = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(() -> {
        while (!socket.isClosed()) {
          java.net.Socket s;
          try {
            s = socket.accept();
          } catch (java.io.IOException e) {
            return;
          }
          connections.incrementAndGet();
          accepted.add(s);
          Thread t = new Thread(() -> {
            try (s) {
              handler.handle(s);
            } catch (java.io.IOException ignored) {
              // the client went away
            }
          }, "raw-server-conn");
          t.setDaemon(true);
          t.start();
        }
      }, "raw-server-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
      synchronized (accepted) {
        for (java.net.Socket s : accepted) {
          s.close();
        }
      }
    }
  }
}
