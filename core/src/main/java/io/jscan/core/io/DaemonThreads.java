package io.jscan.core.io;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pools for jscan's background work (compression, reading ahead, flushing, transfers, layer
 * checks): daemon threads, so that such work never keeps the JVM alive after a command, named
 * {@code PREFIX-1}, {@code PREFIX-2}, ... so that a thread dump says what each one is for.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  public static ExecutorService fixedPool(String prefix, int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }
}
