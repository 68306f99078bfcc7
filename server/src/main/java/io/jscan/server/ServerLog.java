package io.jscan.server;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Objects;

/**
 * The server's log: one line per event on standard error ({@code kubectl logs}), as
 * {@code TIME LEVEL message}. Denials, unverifiable images, unknown kinds, reloads and lifecycle
 * events are logged; allowed requests are counted in the metrics only, so the log stays readable
 * at a thousand requests a second.
 */
public final class ServerLog {
  private final PrintWriter err;

  public ServerLog(PrintWriter err) {
    this.err = Objects.requireNonNull(err, "err");
  }

  public void info(String message) {
    write("INFO", message);
  }

  public void warn(String message) {
    write("WARN", message);
  }

  public void error(String message) {
    write("ERROR", message);
  }

  private void write(String level, String message) {
    // one line per event: a multi-line message would be split into several log records
    String line = Instant.now() + " " + level + " " + message.replace('\n', ' ').replace('\r', ' ');
    synchronized (err) {
      err.println(line);
      err.flush();
    }
  }
}
