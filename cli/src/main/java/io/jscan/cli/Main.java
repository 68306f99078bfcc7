package io.jscan.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The thin shell around {@link Jscan#run}: the only place that calls {@link System#exit}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new PrintStream(System.out, true, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new PrintStream(System.err, true, StandardCharsets.UTF_8), true);
    int code = Jscan.run(out, err, args);
    out.flush();
    err.flush();
    releaseHttpSelectors();
    System.exit(code);
  }

  /**
   * Wakes java.net.http's selector threads so that they end. HotSpot's exit waits up to 0.3 s for
   * threads blocked in native code, and the selector sits in {@code epoll_wait} for as long as its
   * client lives; JDK 17's {@code HttpClient} has no {@code close()}. An interrupt makes the selector
   * loop return (measured: a push ended 0.3 s sooner). Nothing uses a client once {@code run} returned.
   */
  private static void releaseHttpSelectors() {
    Thread[] threads = new Thread[Thread.activeCount() + 8];
    int n = Thread.enumerate(threads);
    for (int i = 0; i < n; i++) {
      Thread t = threads[i];
      if (t != null && t.getName().startsWith("HttpClient-") && t.getName().endsWith("-SelectorManager")) {
        t.interrupt();
        try {
          t.join(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
