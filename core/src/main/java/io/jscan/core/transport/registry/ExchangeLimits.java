package io.jscan.core.transport.registry;

import io.jscan.core.Deadline;
import io.jscan.core.Deadline.DeadlineExceededException;
import io.jscan.core.text.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The three limits every exchange with a registry (or its token server, or the blob storage it
 * redirects to) runs under, and the watch that enforces them:
 *
 * <ul>
 *   <li><b>connect</b> ({@link RegistryOptions#connectTimeout}): a TCP connection (and its TLS
 *       handshake) must be made within it;
 *   <li><b>read</b> ({@link RegistryOptions#readTimeout}), an idle limit: bytes must move, in either
 *       direction, at least this often. A registry that accepts a request and never answers, or stops
 *       sending a layer (or reading an upload) midway, fails after it; a slow but steady transfer does
 *       not;
 *   <li><b>the operation's deadline</b> ({@link Deadline}): the whole command (or webhook
 *       verification), its retries, resumed downloads and token fetches included, must be done by
 *       then. A registry that trickles a byte every few seconds never trips the read limit; this
 *       stops it. Every wait is capped by what is left of it, so a retry never restarts the clock.
 * </ul>
 *
 * <p>Java's sockets have no write timeout and {@code HttpURLConnection} fixes its read timeout when
 * it connects, so a watchdog thread aborts an exchange (closes its connection) when either of the
 * last two limits passes; the I/O that then fails is reported as what it is, naming {@code who}
 * and the limit. The connect timeout is the socket's own.
 *
 * @param who what is contacted, for messages ({@code registry ghcr.io}, {@code token server auth.docker.io})
 */
record ExchangeLimits(String who, Duration connect, Duration read, Deadline deadline) {
  private static final ScheduledThreadPoolExecutor TIMER = timer();
  private static final long TIMER_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "jscan-registry-watchdog");
      thread.setDaemon(true);
      return thread;
    });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  /** The socket's connect timeout: the connect limit, or less when the deadline comes sooner. */
  int connectMillis() {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, deadline.cap(connect).toMillis()));
  }

  /** The socket's read timeout: the read limit, or less when the deadline comes sooner. */
  int readMillis() {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, deadline.cap(read).toMillis()));
  }

  /** Throws the deadline's failure now when it has passed (before an attempt, a resumption, a wait). */
  void checkDeadline() throws DeadlineExceededException {
    if (deadline.expired()) {
      throw deadlineExceeded();
    }
  }

  DeadlineExceededException deadlineExceeded() {
    return new DeadlineExceededException(deadline.label() + " passed while waiting for " + who);
  }

  RegistryTimeoutException readTimedOut() {
    return new RegistryTimeoutException(who + " sent nothing for " + Durations.format(read) + " (the read timeout, --read-timeout)");
  }

  RegistryTimeoutException connectTimedOut() {
    return new RegistryTimeoutException(
        who + " did not accept a connection within " + Durations.format(connect) + " (the connect timeout, --connect-timeout)");
  }

  /**
   * What {@code e}, raised by an exchange under these limits, is: the deadline's or a timeout's
   * failure naming {@code who} when one of them caused it, else {@code e} itself.
   */
  IOException explain(IOException e, Watch watch) {
    if (e instanceof DeadlineExceededException || e instanceof RegistryTimeoutException) {
      return e;
    }
    Limit fired = watch == null ? null : watch.fired();
    // a socket timeout that was cut to what was left of the deadline may end a hair before it
    boolean deadlinePassed = deadline.expired()
        || (e instanceof SocketTimeoutException && deadline.remainingNanos() <= TIMER_SLACK_NANOS);
    if (fired == Limit.DEADLINE || deadlinePassed) {
      DeadlineExceededException d = deadlineExceeded();
      d.initCause(e);
      return d;
    }
    if (fired == Limit.READ) {
      RegistryTimeoutException t = readTimedOut();
      t.initCause(e);
      return t;
    }
    if (e instanceof SocketTimeoutException) {
      String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
      RegistryTimeoutException t = m.contains("connect") ? connectTimedOut() : readTimedOut();
      t.initCause(e);
      return t;
    }
    return e;
  }

  /** Starts watching an exchange; {@code abort} ends it (closes its connection) when a limit passes. */
  Watch watch(Runnable abort) {
    Watch w = new Watch(abort);
    w.schedule();
    return w;
  }

  /** Which limit a watch aborted an exchange for. */
  enum Limit {
    READ,
    DEADLINE
  }

  /** A connect or read timeout: the registry may answer another attempt (retried like a dropped connection). */
  static final class RegistryTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    RegistryTimeoutException(String message) {
      super(message);
    }
  }

  /**
   * One exchange under watch: {@link #progressed} whenever bytes move, {@link #close} when it is
   * over (its answer read or abandoned). Until then the watchdog aborts it at the deadline, or when
   * nothing moved for the read limit.
   */
  final class Watch implements AutoCloseable {
    private final Runnable abort;
    private volatile long lastProgress = System.nanoTime();
    private volatile Limit fired;
    private boolean closed;
    private ScheduledFuture<?> next;

    private Watch(Runnable abort) {
      this.abort = abort;
    }

    void progressed() {
      lastProgress = System.nanoTime();
    }

    /** The limit that aborted the exchange, or null. */
    Limit fired() {
      return fired;
    }

    private synchronized void schedule() {
      if (closed) {
        return;
      }
      long idleLeft = read.toNanos() - (System.nanoTime() - lastProgress);
      long wait = Math.max(0, Math.min(idleLeft, deadline.remainingNanos()));
      next = TIMER.schedule(this::check, wait, TimeUnit.NANOSECONDS);
    }

    private void check() {
      Limit limit;
      synchronized (this) {
        if (closed) {
          return;
        }
        if (deadline.expired()) {
          limit = Limit.DEADLINE;
        } else if (System.nanoTime() - lastProgress >= read.toNanos()) {
          limit = Limit.READ;
        } else {
          schedule(); // bytes moved since: look again when the limit could pass next
          return;
        }
        fired = limit;
        closed = true;
      }
      abort.run();
    }

    @Override
    public synchronized void close() {
      closed = true;
      if (next != null) {
        next.cancel(false);
      }
    }

    /** {@code in}, with its reads counted as progress, its failures explained, and the watch closed at its end. */
    InputStream input(InputStream in) {
      return new WatchedInput(in, this);
    }

    /** Copies {@code in} to {@code out}, counting progress, in the buffer sizes a socket takes well. */
    void copy(InputStream in, OutputStream out) throws IOException {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        progressed();
        if (deadline.expired()) {
          throw deadlineExceeded();
        }
      }
    }

    IOException explain(IOException e) {
      return ExchangeLimits.this.explain(e, this);
    }
  }

  /** An answer's body under watch: a trickle stops at the deadline, a stall after the read limit. */
  private final class WatchedInput extends InputStream {
    private final InputStream in;
    private final Watch watch;

    WatchedInput(InputStream in, Watch watch) {
      this.in = in;
      this.watch = watch;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        watch.close();
        throw watch.explain(e);
      }
      if (n < 0) {
        watch.close();
        return n;
      }
      watch.progressed();
      if (deadline.expired()) {
        watch.close();
        throw deadlineExceeded();
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      watch.close();
      in.close();
    }
  }
}
