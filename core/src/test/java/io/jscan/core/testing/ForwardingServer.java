package io.jscan.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A small HTTP/1.1 reverse proxy on a loopback address, for tests of where a client sends what:
 * it records every request it gets (method, path with query, headers) and forwards it to a
 * target (a {@link TestRegistry}), whose own URLs in {@code Location} answers it turns into its
 * own (as a reverse proxy does); optionally adding headers of its own on the way (a storage front
 * end that authorizes by its URL), rewriting the {@code Location} of answers to another origin
 * (a registry that hands out upload URLs on another host), or answering some requests with a
 * redirect instead (a registry that sends blob downloads to a CDN), or with a fixed answer.
 *
 * <p>Bodies are held in memory: for test images of a few kilobytes.
 */
public final class ForwardingServer implements AutoCloseable {
  /** One request as it arrived. */
  public record Seen(String method, String pathAndQuery, Map<String, List<String>> headers) {
    public Optional<String> header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    @Override
    public String toString() {
      return method + " " + pathAndQuery;
    }
  }

  /** A fixed answer for requests that match. */
  public record Answer(int status, Map<String, String> headers) {}

  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive", "date");

  private final HttpServer server;
  private final URI target;
  private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private volatile Map<String, String> addedHeaders = Map.of();
  private volatile Predicate<Seen> rewriteLocation = s -> false;
  private volatile URI locationOrigin;
  private volatile Predicate<Seen> redirect = s -> false;
  private volatile URI redirectOrigin;
  private volatile Function<Seen, Optional<Answer>> answer = s -> Optional.empty();

  private ForwardingServer(String address, URI target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress(address, 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "forwarding-server");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  /**
   * Listens on {@code address} (a loopback address: {@code 127.0.0.1}, or {@code 127.0.0.2} for
   * a host other than the registry's) and forwards to {@code registry}.
   */
  public static ForwardingServer to(TestRegistry registry, String address) throws IOException {
    return new ForwardingServer(address, URI.create("http://" + registry.host()));
  }

  /** {@code ADDRESS:PORT}: the registry part of image names that go through this server. */
  public String host() {
    return server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
  }

  /** {@code http://ADDRESS:PORT}. */
  public URI origin() {
    return URI.create("http://" + host());
  }

  /** Headers added to each forwarded request (after recording it). */
  public ForwardingServer addingHeaders(Map<String, String> headers) {
    this.addedHeaders = Map.copyOf(headers);
    return this;
  }

  /** The {@code Location} of answers to matching requests is moved to {@code origin} (path and query kept). */
  public ForwardingServer movingLocations(Predicate<Seen> which, URI origin) {
    this.rewriteLocation = which;
    this.locationOrigin = origin;
    return this;
  }

  /** Matching requests get a 307 to the same path and query on {@code origin}, instead of being forwarded. */
  public ForwardingServer redirecting(Predicate<Seen> which, URI origin) {
    this.redirect = which;
    this.redirectOrigin = origin;
    return this;
  }

  /** Matching requests get this answer (no body), instead of being forwarded. */
  public ForwardingServer answering(Function<Seen, Optional<Answer>> answer) {
    this.answer = answer;
    return this;
  }

  /** Every request so far, in order. */
  public List<Seen> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Map<String, List<String>> headers = new TreeMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      String pathAndQuery = ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
      Seen s = new Seen(ex.getRequestMethod(), pathAndQuery, headers);
      seen.add(s);
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      Optional<Answer> fixed = answer.apply(s);
      if (fixed.isPresent()) {
        fixed.get().headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(fixed.get().status(), -1);
        return;
      }
      if (redirect.test(s)) {
        ex.getResponseHeaders().add("Location", redirectOrigin.resolve(pathAndQuery).toString());
        ex.sendResponseHeaders(307, -1);
        return;
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(pathAndQuery))
          .method(s.method(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach((k, values) -> {
        if (!HOP_BY_HOP.contains(k)) {
          values.forEach(v -> b.header(k, v));
        }
      });
      addedHeaders.forEach(b::setHeader);
      HttpResponse<byte[]> r;
      try {
        r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ex.sendResponseHeaders(502, -1);
        return;
      }
      boolean moveLocation = rewriteLocation.test(s);
      r.headers().map().forEach((k, values) -> {
        String lower = k.toLowerCase(Locale.ROOT);
        if (HOP_BY_HOP.contains(lower) || lower.equals(":status")) {
          return;
        }
        for (String v : values) {
          if (lower.equals("location")) {
            URI l = target.resolve(v);
            String pathAndQueryThere = l.getRawPath() + (l.getRawQuery() == null ? "" : "?" + l.getRawQuery());
            if (moveLocation) {
              v = locationOrigin.resolve(pathAndQueryThere).toString();
            } else if (target.getHost().equals(l.getHost()) && target.getPort() == l.getPort()) {
              // as a reverse proxy does (nginx's proxy_redirect): the target's own URLs name this server
              v = origin().resolve(pathAndQueryThere).toString();
            }
          }
          ex.getResponseHeaders().add(k, v);
        }
      });
      boolean head = s.method().equals("HEAD");
      if (head) {
        // a HEAD answer tells the length of what a GET would send, without sending it
        r.headers().firstValue("Content-Length").ifPresent(v -> ex.getResponseHeaders().set("Content-Length", v));
      }
      int status = r.statusCode();
      boolean noBody = head || status == 204 || status == 304 || r.body().length == 0;
      ex.sendResponseHeaders(status, noBody ? -1 : r.body().length);
      if (!noBody) {
        ex.getResponseBody().write(r.body());
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
