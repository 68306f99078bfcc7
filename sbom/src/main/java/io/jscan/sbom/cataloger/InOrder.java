package io.jscan.sbom.cataloger;

import io.jscan.core.io.DaemonThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Maps a list on the calling thread and helper threads, results in the list's order. Turning a
 * package database's entries into packages (reading each one's file list and copyright file) is
 * independent per entry, and a Debian image has hundreds: on a fresh JVM most of that code still
 * runs interpreted, so a second core roughly halves it.
 */
final class InOrder {
  private InOrder() {}

  /** One item's work; may read files. */
  interface Mapper<T, R> {
    R apply(T item) throws IOException;
  }

  /** Below this many items the helpers cost more than they save. */
  static final int MIN_PARALLEL = 16;

  static <T, R> List<R> map(List<T> items, Mapper<T, R> mapper) throws IOException {
    int helpers = Math.min(Runtime.getRuntime().availableProcessors(), 4) - 1;
    if (helpers <= 0 || items.size() < MIN_PARALLEL) {
      List<R> out = new ArrayList<>(items.size());
      for (T item : items) {
        out.add(mapper.apply(item));
      }
      return out;
    }
    Object[] results = new Object[items.size()];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = DaemonThreads.fixedPool("jscan-catalog", helpers);
    try {
      // every thread takes the next unclaimed index until none is left, so uneven items balance out
      Runnable work = () -> {
        for (int i; (i = next.getAndIncrement()) < results.length; ) {
          try {
            results[i] = mapper.apply(items.get(i));
          } catch (IOException e) {
            next.set(results.length); // the others stop after their current item
            throw new UncheckedIOException(e);
          }
        }
      };
      List<Future<?>> running = new ArrayList<>();
      for (int h = 0; h < helpers; h++) {
        running.add(pool.submit(work));
      }
      RuntimeException mine = null;
      try {
        work.run();
      } catch (RuntimeException e) {
        mine = e;
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (mine == null && e.getCause() instanceof RuntimeException r) {
            mine = r;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while cataloguing", e);
        }
      }
      if (mine instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (mine != null) {
        throw mine;
      }
    } finally {
      pool.shutdownNow();
    }
    @SuppressWarnings("unchecked")
    List<R> out = (List<R>) Arrays.asList(results);
    return out;
  }
}
