package io.jscan.cli;

import io.jscan.core.text.Printable;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.transport.registry.TransferListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Transfer progress on standard error, as {@code docker pull} shows it: on a terminal one line per
 * layer with a bar, redrawn in place; otherwise plain lines when a layer starts, ends or is
 * retried; nothing with {@code --quiet}. Manifests are left out (they are small).
 */
final class Progress implements TransferListener {
  /** How progress is shown ({@code --progress}). */
  enum Mode {
    auto,
    tty,
    plain,
    quiet
  }

  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean tty;
  private final boolean quiet;
  private final Map<String, Line> lines = new LinkedHashMap<>();
  private int drawn;
  private long lastDraw;

  private static final class Line {
    final long size;
    String status;
    long done;

    Line(long size, String status) {
      this.size = size;
      this.status = status;
    }
  }

  Progress(PrintWriter err, Mode mode) {
    this.err = err;
    Mode m = mode == Mode.auto ? (isTerminal() ? Mode.tty : Mode.plain) : mode;
    this.tty = m == Mode.tty;
    this.quiet = m == Mode.quiet;
  }

  /** Whether standard error is probably a terminal: a console, and on JDK 22+ one that says so. */
  static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 17: a console exists only on a terminal
    }
  }

  private static boolean shown(Descriptor blob) {
    return !MediaTypes.isManifestOrIndex(blob.mediaType());
  }

  private static String id(Descriptor blob) {
    return blob.digest().shortHex();
  }

  @Override
  public synchronized void started(Descriptor blob, boolean upload, long offset) {
    if (quiet || !shown(blob)) {
      return;
    }
    String status = upload ? "Pushing" : "Downloading";
    Line line = lines.computeIfAbsent(id(blob), k -> new Line(blob.size(), status));
    line.status = status;
    line.done = offset;
    if (tty) {
      redraw(true);
    } else if (offset == 0) {
      err.println(id(blob) + ": " + status + " " + StoreAccess.humanSize(blob.size()));
      err.flush();
    } else {
      err.println(id(blob) + ": Resuming at " + StoreAccess.humanSize(offset));
      err.flush();
    }
  }

  @Override
  public synchronized void progressed(Descriptor blob, long transferred) {
    if (quiet || !tty || !shown(blob)) {
      return;
    }
    Line line = lines.get(id(blob));
    if (line != null) {
      line.done = transferred;
      redraw(false);
    }
  }

  @Override
  public synchronized void finished(Descriptor blob, Outcome outcome) {
    if (quiet || !shown(blob)) {
      return;
    }
    String status = switch (outcome) {
      case DOWNLOADED -> "Download complete";
      case UPLOADED -> "Pushed";
      case EXISTS -> "Already exists";
      case MOUNTED -> "Mounted from another repository";
    };
    Line line = lines.computeIfAbsent(id(blob), k -> new Line(blob.size(), status));
    line.status = status;
    line.done = line.size;
    if (tty) {
      redraw(true);
    } else {
      err.println(id(blob) + ": " + status);
      err.flush();
    }
  }

  @Override
  public synchronized void retrying(String what, int attempt, Duration delay, String reason) {
    if (quiet) {
      return;
    }
    // the reason may quote the registry's answer: escaped, only this class's own cursor moves reach the terminal
    String message = Printable.escape(what + ": " + reason) + "; retrying in " + seconds(delay) + " (attempt " + (attempt + 1) + ")";
    if (tty) {
      clear();
      err.println(message);
      redraw(true);
    } else {
      err.println(message);
      err.flush();
    }
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }

  private void clear() {
    if (drawn > 0) {
      err.print("\033[" + drawn + "A");
      for (int i = 0; i < drawn; i++) {
        err.print("\033[2K\n");
      }
      err.print("\033[" + drawn + "A");
      drawn = 0;
    }
  }

  private void redraw(boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    if (drawn > 0) {
      err.print("\033[" + drawn + "A");
    }
    for (Map.Entry<String, Line> e : lines.entrySet()) {
      Line l = e.getValue();
      err.print("\033[2K" + e.getKey() + ": " + l.status);
      if (l.status.equals("Downloading") || l.status.equals("Pushing")) {
        err.print(" " + bar(l.done, l.size) + " " + StoreAccess.humanSize(l.done) + "/" + StoreAccess.humanSize(l.size));
      }
      err.print("\n");
    }
    drawn = lines.size();
    err.flush();
  }

  private static String bar(long done, long size) {
    int width = 40;
    int filled = size <= 0 ? width : (int) Math.min(width, done * width / size);
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < width; i++) {
      sb.append(i < filled ? '=' : (i == filled ? '>' : ' '));
    }
    return sb.append(']').toString();
  }
}
