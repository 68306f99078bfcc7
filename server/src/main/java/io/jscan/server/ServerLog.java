package io.jscan.server;

import io.jscan.core.text.Printable;
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
    // one line per event, and nothing that acts on a terminal reading kubectl logs: a message names
    // images, pods and findings (file names and labels from an image), escaped (Printable); an
    // escaped newline cannot split a record or forge one
    String line = Instant.now() + " " + level + " " + Printable.escape(message);
    synchronized (err) {
      err.println(line);
      err.flush();
    }
  }
}
