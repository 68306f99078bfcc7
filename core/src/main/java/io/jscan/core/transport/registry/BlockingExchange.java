package io.jscan.core.transport.registry;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 exchange (RFC 9112) over a blocking socket that jscan owns, presented as an
 * {@link HttpResponse}. Redirects, authentication and retries stay with {@link RegistryHttp}.
 *
 * <p><b>Why not the JDK's clients.</b> Blob downloads are the bulk of a pull, and a blocking socket
 * read straight into the reader's buffer moves them several times faster than {@code java.net.http}'s
 * reactive body pipeline, which hands every buffer between threads. {@code HttpURLConnection} reads
 * that way too, but cannot be stopped: its streams hold a lock while a read blocks, so closing one
 * from another thread waits for the read, and it hides its socket. A registry that stops sending
 * midway would then hold a command past its deadline by up to a whole read timeout. Here the
 * {@link ExchangeLimits} watch closes the socket itself, which ends a blocked read or write at once.
 *
 * <p><b>What it speaks.</b> Requests with {@code Host}, the caller's headers and, with a body, its
 * {@code Content-Length} (bodies are streamed, never held in memory); answers framed by
 * {@code Transfer-Encoding: chunked}, {@code Content-Length} or the end of the connection (RFC 9112
 * section 6.3), interim 1xx answers skipped. Connections are kept alive and reused per origin (and
 * per way of trusting its certificate) once an answer's body was read to its end; one that the
 * server closed while it sat in the pool is replaced once, before any answer was read. TLS checks
 * the certificate and the host name (as {@code HttpsURLConnection} does) unless the caller passes
 * the trust-all context of an insecure registry. No proxy is used, as before.
 */
final class BlockingExchange {
  /** A kept-alive connection unused for longer than this is closed rather than reused (servers close theirs too). */
  private static final long POOL_IDLE_NANOS = 30_000_000_000L;
  private static final int POOL_PER_ORIGIN = 16;
  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int MAX_HEADER_FIELDS = 256;

  private static final ConcurrentHashMap<Origin, Deque<Connection>> POOL = new ConcurrentHashMap<>();

  private BlockingExchange() {}

  static HttpResponse<InputStream> send(
      String method, URI uri, Map<String, String> headers, ExchangeLimits limits, Optional<SSLContext> trustAll)
      throws IOException {
    return send(method, uri, headers, limits, trustAll, Optional.empty());
  }

  /** As above, with a request body of known length, streamed (re-opened if a stale kept-alive connection makes us send it again). */
  static HttpResponse<InputStream> send(
      String method, URI uri, Map<String, String> headers, ExchangeLimits limits, Optional<SSLContext> trustAll,
      Optional<RegistryHttp.Body> requestBody)
      throws IOException {
    Origin origin = Origin.of(uri, trustAll.isPresent());
    byte[] head = requestHead(method, uri, origin, headers, requestBody);
    for (int attempt = 1; ; attempt++) {
      limits.checkDeadline();
      Connection pooled = attempt == 1 ? take(origin) : null;
      Connection conn = pooled != null ? pooled : Connection.open(origin, limits, trustAll);
      ExchangeLimits.Watch watch = limits.watch(conn::abort);
      ResponseHead answer;
      boolean sentAll = false;
      try {
        conn.socket.setSoTimeout(limits.readMillis());
        if (pooled == null && conn.socket instanceof SSLSocket ssl) {
          ssl.startHandshake(); // under the watch: a server that stalls the handshake is cut off too
          watch.progressed();
        }
        IOException writeFailure = null;
        try {
          conn.out.write(head);
          if (requestBody.isPresent()) {
            try (InputStream in = requestBody.get().open()) {
              watch.copy(in, conn.out);
            }
          }
          conn.out.flush();
          sentAll = true;
        } catch (IOException e) {
          // a server may answer before it has read the whole body (a 401 to an upload) and close
          // the connection: its answer, if it sent one, says more than the broken pipe
          writeFailure = e;
        }
        watch.progressed();
        try {
          answer = readHead(conn.in, method, watch);
        } catch (IOException e) {
          throw writeFailure != null ? writeFailure : e;
        }
      } catch (IOException e) {
        watch.close();
        conn.close();
        boolean stale = pooled != null && watch.fired() == null && !(e instanceof java.net.SocketTimeoutException);
        if (stale) {
          continue; // the server closed it while it sat in the pool: once more on a new connection
        }
        throw watch.explain(e);
      }
      return respond(method, uri, origin, conn, watch, answer, sentAll);
    }
  }

  private static HttpResponse<InputStream> respond(
      String method, URI uri, Origin origin, Connection conn, ExchangeLimits.Watch watch, ResponseHead answer, boolean sentAll)
      throws IOException {
    boolean reusable = sentAll && answer.keepAlive();
    Runnable finished = () -> {
      watch.close();
      if (reusable && watch.fired() == null) {
        release(origin, conn);
      } else {
        conn.close();
      }
    };
    int status = answer.status();
    InputStream body;
    if (method.equals("HEAD") || status == 204 || status == 304) {
      finished.run();
      body = InputStream.nullInputStream();
    } else {
      List<String> encodings = answer.headers().allValues("Transfer-Encoding");
      if (!encodings.isEmpty()) {
        String last = String.join(",", encodings).toLowerCase(Locale.ROOT);
        if (!last.strip().endsWith("chunked")) {
          watch.close();
          conn.close();
          throw new IOException("unsupported Transfer-Encoding " + String.join(", ", encodings));
        }
        body = new ChunkedBody(conn.in, finished, conn);
      } else {
        long length = contentLength(answer.headers(), watch, conn);
        if (length >= 0) {
          body = new FixedBody(conn.in, length, finished, conn);
        } else {
          // delimited by the end of the connection: never reusable
          Runnable closing = () -> {
            watch.close();
            conn.close();
          };
          body = new UntilCloseBody(conn.in, closing);
        }
      }
    }
    HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return new Response(status, answer.headers(), watch.input(body), uri, request);
  }

  private static long contentLength(HttpHeaders headers, ExchangeLimits.Watch watch, Connection conn) throws IOException {
    List<String> values = headers.allValues("Content-Length");
    long length = -1;
    for (String v : values) {
      for (String one : v.split(",")) {
        long n;
        try {
          n = Long.parseLong(one.trim());
        } catch (NumberFormatException e) {
          n = -2;
        }
        if (n < 0 || (length >= 0 && n != length)) {
          // RFC 9112 section 6.3: an invalid or contradictory length makes the framing unknowable
          watch.close();
          conn.close();
          throw new IOException("the answer's Content-Length is invalid");
        }
        length = n;
      }
    }
    return length;
  }

  // ---------------------------------------------------------------- the request

  private static byte[] requestHead(String method, URI uri, Origin origin, Map<String, String> headers, Optional<RegistryHttp.Body> body)
      throws IOException {
    String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(origin.hostHeader()).append("\r\n");
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey();
      if (name.equalsIgnoreCase("Host") || name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Connection")
          || name.equalsIgnoreCase("Transfer-Encoding")) {
        continue; // framing and routing are this class's
      }
      field(sb, name, h.getValue());
    }
    if (body.isPresent()) {
      sb.append("Content-Length: ").append(body.get().length()).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void field(StringBuilder sb, String name, String value) throws IOException {
    if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+") || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      // a header value that ends the line would let whatever follows pass for another field
      throw new IOException("header " + name + " is not a valid HTTP field");
    }
    sb.append(name).append(": ").append(value).append("\r\n");
  }

  // ---------------------------------------------------------------- the answer's head

  private record ResponseHead(int status, HttpHeaders headers, boolean keepAlive) {}

  private static ResponseHead readHead(InputStream in, String method, ExchangeLimits.Watch watch) throws IOException {
    while (true) {
      int[] budget = {MAX_HEAD_BYTES};
      String statusLine = line(in, budget, true);
      watch.progressed();
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
        throw new IOException("not an HTTP answer");
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      String lastName = null;
      int count = 0;
      while (true) {
        String l = line(in, budget, false);
        if (l.isEmpty()) {
          break;
        }
        if ((l.charAt(0) == ' ' || l.charAt(0) == '\t') && lastName != null) {
          // obsolete line folding (RFC 9112 section 5.2): part of the previous value
          List<String> values = fields.get(lastName);
          values.set(values.size() - 1, values.get(values.size() - 1) + " " + l.strip());
          continue;
        }
        int colon = l.indexOf(':');
        if (colon <= 0 || ++count > MAX_HEADER_FIELDS) {
          throw new IOException("the answer's header fields are malformed");
        }
        lastName = l.substring(0, colon).strip();
        fields.computeIfAbsent(lastName, k -> new ArrayList<>()).add(l.substring(colon + 1).strip());
      }
      if (status >= 100 && status < 200 && status != 101) {
        continue; // interim answers (100 Continue, 103 Early Hints): the real one follows
      }
      HttpHeaders headers = HttpHeaders.of(fields, (k, v) -> true);
      boolean http11 = parts[0].equals("HTTP/1.1");
      boolean close = headers.allValues("Connection").stream()
          .anyMatch(v -> List.of(v.toLowerCase(Locale.ROOT).split("\\s*,\\s*")).contains("close"));
      return new ResponseHead(status, headers, http11 && !close && status != 101);
    }
  }

  /** One line without its CRLF (a bare LF is accepted); {@code budget} bounds the head. */
  private static String line(InputStream in, int[] budget, boolean first) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException(first && out.size() == 0 ? "the connection was closed before an answer" : "the answer ended in its header");
      }
      if (--budget[0] < 0) {
        throw new IOException("the answer's header is larger than " + MAX_HEAD_BYTES + " bytes");
      }
      if (b == '\n') {
        byte[] bytes = out.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
      }
      out.write(b);
    }
  }

  // ---------------------------------------------------------------- bodies

  /** A body of {@code Content-Length} bytes. */
  private static final class FixedBody extends InputStream {
    private final InputStream in;
    private final Runnable finished;
    private final Connection conn;
    private long left;
    private boolean done;

    FixedBody(InputStream in, long length, Runnable finished, Connection conn) {
      this.in = in;
      this.left = length;
      this.finished = finished;
      this.conn = conn;
      if (length == 0) {
        end();
      }
    }

    private void end() {
      if (!done) {
        done = true;
        finished.run();
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        conn.close();
        done = true;
        throw new IOException("the connection was closed with " + left + " bytes of the answer unread");
      }
      left -= n;
      if (left == 0) {
        end();
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return done ? 0 : (int) Math.min(in.available(), left);
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        conn.close(); // what is left unread would be taken for the next answer
        finished.run();
      }
    }
  }

  /** A chunked body (RFC 9112 section 7.1); extensions and trailer fields are read and left aside. */
  private static final class ChunkedBody extends InputStream {
    private final InputStream in;
    private final Runnable finished;
    private final Connection conn;
    private long chunkLeft;
    private boolean done;

    ChunkedBody(InputStream in, Runnable finished, Connection conn) {
      this.in = in;
      this.finished = finished;
      this.conn = conn;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      if (chunkLeft == 0) {
        int[] budget = {MAX_HEAD_BYTES};
        String size = line(in, budget, false);
        int semicolon = size.indexOf(';');
        try {
          chunkLeft = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
        } catch (NumberFormatException e) {
          chunkLeft = -1;
        }
        if (chunkLeft < 0) {
          fail();
          throw new IOException("the answer's chunked framing is malformed");
        }
        if (chunkLeft == 0) {
          while (!line(in, budget, false).isEmpty()) {
            // trailer fields
          }
          done = true;
          finished.run();
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, chunkLeft));
      if (n < 0) {
        fail();
        throw new IOException("the connection was closed in the middle of the answer");
      }
      chunkLeft -= n;
      if (chunkLeft == 0) {
        int[] budget = {2};
        if (!line(in, budget, false).isEmpty()) {
          fail();
          throw new IOException("the answer's chunked framing is malformed");
        }
      }
      return n;
    }

    private void fail() {
      done = true;
      conn.close();
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        conn.close();
        finished.run();
      }
    }
  }

  /** A body that ends with the connection. */
  private static final class UntilCloseBody extends InputStream {
    private final InputStream in;
    private final Runnable finished;
    private boolean done;

    UntilCloseBody(InputStream in, Runnable finished) {
      this.in = in;
      this.finished = finished;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      int n = in.read(b, off, len);
      if (n < 0) {
        close();
      }
      return n;
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        finished.run();
      }
    }
  }

  // ---------------------------------------------------------------- connections

  /** Where a connection goes, and how its certificate is trusted (connections are never shared across the two). */
  private record Origin(String scheme, String host, int port, boolean trustingAll) {
    static Origin of(URI uri, boolean trustingAll) throws IOException {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IOException("not an http(s) URL");
      }
      String host = uri.getHost();
      if (host == null || host.isEmpty()) {
        throw new IOException("the URL has no host");
      }
      int port = uri.getPort() >= 0 ? uri.getPort() : (scheme.equals("https") ? 443 : 80);
      return new Origin(scheme, host, port, trustingAll);
    }

    boolean tls() {
      return scheme.equals("https");
    }

    /** The host without IPv6 brackets, for the socket. */
    String address() {
      return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    String hostHeader() {
      int defaultPort = tls() ? 443 : 80;
      return port == defaultPort ? host : host + ":" + port;
    }
  }

  private static final class Connection {
    /** The TCP socket: what {@link #abort} closes. */
    final Socket raw;
    /** What is read and written: {@link #raw}, or the TLS socket over it. */
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    long idleSince;

    private Connection(Socket raw, Socket socket) throws IOException {
      this.raw = raw;
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** Connects (within the connect limit); a TLS connection's handshake is made by the first exchange, under its watch. */
    static Connection open(Origin origin, ExchangeLimits limits, Optional<SSLContext> trustAll) throws IOException {
      Socket plain = new Socket(Proxy.NO_PROXY);
      try {
        plain.setTcpNoDelay(true);
        plain.connect(new InetSocketAddress(origin.address(), origin.port()), limits.connectMillis());
      } catch (IOException e) {
        closeQuietly(plain);
        throw limits.explain(e, null);
      }
      if (!origin.tls()) {
        return new Connection(plain, plain);
      }
      try {
        SSLSocketFactory factory = trustAll.map(SSLContext::getSocketFactory).orElseGet(() -> (SSLSocketFactory) SSLSocketFactory.getDefault());
        SSLSocket ssl = (SSLSocket) factory.createSocket(plain, origin.address(), origin.port(), true);
        if (trustAll.isEmpty()) {
          // the certificate must name the host, as HttpsURLConnection and every browser check (RFC 9110 section 4.3.4)
          SSLParameters parameters = ssl.getSSLParameters();
          parameters.setEndpointIdentificationAlgorithm("HTTPS");
          ssl.setSSLParameters(parameters);
        }
        return new Connection(plain, ssl);
      } catch (IOException e) {
        closeQuietly(plain);
        throw e;
      }
    }

    void close() {
      closeQuietly(socket);
    }

    /**
     * Ends the connection from another thread, at once: the TCP socket is closed under the TLS
     * one, since closing a TLS socket sends close_notify, which waits for a write blocked on a
     * peer that stopped reading.
     */
    void abort() {
      closeQuietly(raw);
    }
  }

  private static Connection take(Origin origin) {
    Deque<Connection> idle = POOL.get(origin);
    if (idle == null) {
      return null;
    }
    Connection c;
    while ((c = idle.pollFirst()) != null) {
      if (!c.socket.isClosed() && System.nanoTime() - c.idleSince < POOL_IDLE_NANOS) {
        return c;
      }
      c.close();
    }
    return null;
  }

  private static void release(Origin origin, Connection c) {
    c.idleSince = System.nanoTime();
    Deque<Connection> idle = POOL.computeIfAbsent(origin, o -> new ConcurrentLinkedDeque<>());
    idle.addFirst(c);
    while (idle.size() > POOL_PER_ORIGIN) {
      Connection oldest = idle.pollLast();
      if (oldest != null) {
        oldest.close();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private record Response(int statusCode, HttpHeaders headers, InputStream body, URI uri, HttpRequest request)
      implements HttpResponse<InputStream> {
    @Override
    public Optional<HttpResponse<InputStream>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
