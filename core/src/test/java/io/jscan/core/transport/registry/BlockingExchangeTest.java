package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
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
        Duration.ofSeconds(5), Optional.empty(), Optional.of(body(blob)));
    assertEquals(201, r.statusCode());
    assertEquals(blob.length, received.get());
    assertEquals(String.valueOf(blob.length), contentLength.get());
    assertEquals("sha256:x", r.headers().firstValue("Docker-Content-Digest").orElseThrow());
  }

  @Test
  void send_postWithAnEmptyBody_sendsContentLengthZero() throws Exception {
    HttpResponse<InputStream> r = BlockingExchange.send("POST", uri("/upload"), Map.of(), Duration.ofSeconds(5), Optional.empty(),
        Optional.of(body(new byte[0])));
    assertEquals(201, r.statusCode());
    assertEquals("0", contentLength.get());
  }

  /** A 401 comes back with its challenge, so the token is refreshed as for any other request. */
  @Test
  void send_401ToAStreamedBody_returnsTheStatusWithItsChallenge() throws Exception {
    HttpResponse<InputStream> r = BlockingExchange.send("PUT", uri("/protected"), Map.of(), Duration.ofSeconds(5), Optional.empty(),
        Optional.of(body(new byte[100])));
    assertEquals(401, r.statusCode());
    assertEquals("Bearer realm=\"http://127.0.0.1/token\",service=\"s\"", r.headers().firstValue("WWW-Authenticate").orElseThrow());
  }
}
