package io.jscan.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * A small TCP proxy on loopback in front of a plain-HTTP server (a {@link TestRegistry}) that
 * injects faults into chosen HTTP/1.1 exchanges: an answer of its own (429 with
 * {@code Retry-After}, 503), a response cut after some body bytes, a flipped body byte, a request
 * cut mid-body, an action run when a request arrives (to kill the registry mid-push), a request
 * never answered (nor its body read), or a response whose body trickles in a byte at a time.
 *
 * <p>It understands just enough HTTP to find request boundaries (Content-Length and chunked
 * bodies) and the start of a response body; everything else is forwarded byte for byte.
 * Rules are matched in order against {@code METHOD path}; each fires {@code times} times.
 */
public final class FaultProxy implements AutoCloseable {

  /** What to do to a matching exchange. */
  public sealed interface Fault permits Reply, CutResponse, FlipResponseByte, CutRequest, Action, Stall, TrickleResponse {}

  /** Answer with {@code status}, {@code headers} and {@code body} instead of forwarding. */
  public record Reply(int status, Map<String, String> headers, byte[] body) implements Fault {
    public Reply(int status, Map<String, String> headers) {
      this(status, headers, new byte[0]);
    }
  }

  /** Forward the request; cut the connection after {@code bodyBytes} bytes of the response body. */
  public record CutResponse(long bodyBytes) implements Fault {}

  /** Forward; flip (XOR 0xff) the response body byte at {@code offset}. */
  public record FlipResponseByte(long offset) implements Fault {}

  /** Forward the head and {@code bodyBytes} bytes of the request body, then cut the connection. */
  public record CutRequest(long bodyBytes) implements Fault {}

  /** Run {@code action} when the request arrives, then forward it. */
  public record Action(Runnable action) implements Fault {}

  /**
   * Never answer: the request head is read, its body is not (an upload blocks once the socket's
   * buffers are full), and the connection stays open until the client or the proxy closes it.
   */
  public record Stall() implements Fault {}

  /** Forward; send the response's head at once and its body one byte every {@code every}. */
  public record TrickleResponse(java.time.Duration every) implements Fault {}

  /** A fault for requests whose method and path match. */
  public static final class Rule {
    final String method;
    final Pattern path;
    final Fault fault;
    final AtomicInteger remaining;
    final AtomicInteger hits = new AtomicInteger();

    /** {@code method} {@code *} matches every method. */
    public Rule(String method, String pathRegex, int times, Fault fault) {
      this.method = method;
      this.path = Pattern.compile(pathRegex);
      this.fault = fault;
      this.remaining = new AtomicInteger(times);
    }

    /** How often the rule fired. */
    public int hits() {
      return hits.get();
    }

    boolean take(String m, String p) {
      if (!(method.equals("*") || method.equals(m)) || !path.matcher(p).find()) {
        return false;
      }
      while (true) {
        int left = remaining.get();
        if (left <= 0) {
          return false;
        }
        if (remaining.compareAndSet(left, left - 1)) {
          hits.incrementAndGet();
          return true;
        }
      }
    }
  }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean closed;

  /** Listens on a free loopback port and forwards to {@code targetHost:targetPort}. */
  public FaultProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** For a {@link TestRegistry}. */
  public static FaultProxy inFrontOf(TestRegistry registry) throws IOException {
    return new FaultProxy("127.0.0.1", registry.port());
  }

  /** {@code 127.0.0.1:PORT}: the registry part of image names that go through the proxy. */
  public String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  public Rule add(Rule rule) {
    rules.add(rule);
    return rule;
  }

  public void clearRules() {
    rules.clear();
  }

  /** Every request line seen ({@code METHOD path}), in order. */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        Thread t = new Thread(() -> serve(client), "fault-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    Socket upstream;
    try {
      upstream = new Socket();
      upstream.connect(new InetSocketAddress(targetHost, targetPort), 2000);
      sockets.add(upstream);
    } catch (IOException e) {
      closeQuietly(client);
      return;
    }
    AtomicReference<Fault> armed = new AtomicReference<>();
    Thread back = new Thread(() -> pipeResponses(upstream, client, armed), "fault-proxy-back");
    back.setDaemon(true);
    back.start();
    try {
      InputStream in = client.getInputStream();
      OutputStream up = upstream.getOutputStream();
      while (true) {
        byte[] head = readHead(in);
        if (head == null) {
          break;
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        String method = requestLine[0];
        String path = requestLine.length > 1 ? requestLine[1] : "";
        requests.add(method + " " + path);
        long length = 0;
        boolean chunked = false;
        for (String line : lines) {
          String lower = line.toLowerCase(Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            length = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
          } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
            chunked = true;
          }
        }
        Fault fault = null;
        for (Rule r : rules) {
          if (r.take(method, path)) {
            fault = r.fault;
            break;
          }
        }
        if (fault instanceof Reply reply) {
          copyBody(in, OutputStream.nullOutputStream(), length, chunked, -1);
          StringBuilder sb = new StringBuilder("HTTP/1.1 " + reply.status() + " Injected\r\n");
          reply.headers().forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
          sb.append("Content-Length: ").append(reply.body().length).append("\r\n\r\n");
          synchronized (client) {
            client.getOutputStream().write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            client.getOutputStream().write(reply.body());
            client.getOutputStream().flush();
          }
          continue;
        }
        if (fault instanceof Stall) {
          // a client waiting for an answer sends nothing more, so this ends when it closes; of an
          // upload one byte is taken and no more, so its writes block once the buffers are full
          if (in.read() >= 0) {
            awaitClose(client);
          }
          break;
        }
        if (fault instanceof Action action) {
          action.action().run();
        }
        if (fault instanceof CutResponse || fault instanceof FlipResponseByte || fault instanceof TrickleResponse) {
          armed.set(fault);
        }
        up.write(head);
        if (fault instanceof CutRequest cut) {
          copyBody(in, up, length, chunked, cut.bodyBytes());
          up.flush();
          break;
        }
        copyBody(in, up, length, chunked, -1);
        up.flush();
      }
    } catch (IOException | RuntimeException e) {
      // a side went away: end the connection
    } finally {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  /** Blocks until the client closes the connection or the proxy is closed, reading nothing more. */
  private void awaitClose(Socket client) {
    while (!closed && !client.isClosed()) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The request head up to and including the blank line, or null at end of stream. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toByteArray();
      }
    }
  }

  /** Copies a request body; stops after {@code limit} bytes when limit is not negative. */
  private static void copyBody(InputStream in, OutputStream out, long length, boolean chunked, long limit)
      throws IOException {
    long[] budget = {limit < 0 ? Long.MAX_VALUE : limit};
    if (chunked) {
      while (true) {
        String sizeLine = readLine(in);
        copyLimited(out, (sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1), budget);
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (!copyN(in, out, size + 2, budget)) {
          return;
        }
        if (size == 0) {
          return;
        }
      }
    }
    copyN(in, out, length, budget);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  private static void copyLimited(OutputStream out, byte[] bytes, long[] budget) throws IOException {
    int n = (int) Math.min(bytes.length, budget[0]);
    out.write(bytes, 0, n);
    budget[0] -= n;
  }

  /** Copies n bytes, or as many as the budget allows; false when the budget ran out. */
  private static boolean copyN(InputStream in, OutputStream out, long n, long[] budget) throws IOException {
    byte[] buf = new byte[65536];
    long left = n;
    while (left > 0) {
      if (budget[0] <= 0) {
        return false;
      }
      int r = in.read(buf, 0, (int) Math.min(buf.length, Math.min(left, budget[0])));
      if (r < 0) {
        throw new IOException("client closed mid-body");
      }
      out.write(buf, 0, r);
      left -= r;
      budget[0] -= r;
    }
    return budget[0] > 0 || left == 0;
  }

  /** Forwards responses; applies an armed fault to the next response's body. */
  private void pipeResponses(Socket upstream, Socket client, AtomicReference<Fault> armed) {
    try {
      InputStream in = upstream.getInputStream();
      OutputStream out = client.getOutputStream();
      byte[] buf = new byte[65536];
      Fault current = null;
      int headMatched = 0;
      boolean inBody = false;
      long bodySeen = 0;
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        if (current == null) {
          current = armed.getAndSet(null);
          headMatched = 0;
          inBody = false;
          bodySeen = 0;
        }
        if (current == null) {
          synchronized (client) {
            out.write(buf, 0, n);
            out.flush();
          }
          continue;
        }
        int i = 0;
        while (i < n && !inBody) {
          byte b = buf[i++];
          headMatched = (b == "\r\n\r\n".charAt(headMatched)) ? headMatched + 1 : (b == '\r' ? 1 : 0);
          inBody = headMatched == 4;
        }
        long bodyStart = bodySeen;
        int bodyBytes = n - i;
        if (current instanceof TrickleResponse trickle) {
          synchronized (client) {
            out.write(buf, 0, i);
            out.flush();
          }
          for (int k = i; k < n; k++) {
            sleep(trickle.every());
            synchronized (client) {
              out.write(buf[k]);
              out.flush();
            }
          }
          bodySeen += inBody ? bodyBytes : 0;
          continue;
        }
        if (current instanceof CutResponse cut && inBody && bodyStart + bodyBytes >= cut.bodyBytes()) {
          int keep = i + (int) (cut.bodyBytes() - bodyStart);
          synchronized (client) {
            out.write(buf, 0, keep);
            out.flush();
          }
          closeQuietly(client);
          closeQuietly(upstream);
          return;
        }
        if (current instanceof FlipResponseByte flip && inBody
            && flip.offset() >= bodyStart && flip.offset() < bodyStart + bodyBytes) {
          buf[i + (int) (flip.offset() - bodyStart)] ^= (byte) 0xff;
          current = null; // done: forward the rest untouched
          armed.set(null);
          bodySeen = 0;
          synchronized (client) {
            out.write(buf, 0, n);
            out.flush();
          }
          continue;
        }
        bodySeen += inBody ? bodyBytes : 0;
        synchronized (client) {
          out.write(buf, 0, n);
          out.flush();
        }
      }
    } catch (IOException e) {
      // closed
    } finally {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private static void sleep(java.time.Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    synchronized (sockets) {
      for (Socket s : sockets) {
        closeQuietly(s);
      }
    }
  }
}
