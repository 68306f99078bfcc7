package io.jscan.builder.layer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands what is written to another thread, which writes it to {@code target}: the producer (tar
 * entries, file reads, the diff_id hash) and the consumer (compression, the blob hash, the blob
 * file) run on two cores. The bytes {@code target} receives are exactly the bytes written, in
 * order; only the sizes of the writes differ, which the deterministic compressors ignore.
 *
 * <p>{@link #close()} waits for the consumer, closes {@code target} and rethrows the consumer's
 * failure, if any; a failed consumer makes the next write fail too.
 */
final class PipelinedOutputStream extends OutputStream {
  private static final int CHUNK = 1 << 20;
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(8);
  private final Thread consumer;
  private final byte[] buffer = new byte[CHUNK];
  private int filled;
  private volatile Throwable failure;
  private boolean closed;

  PipelinedOutputStream(OutputStream target, String name) {
    consumer = new Thread(() -> {
      try (OutputStream out = target) {
        for (byte[] chunk; (chunk = queue.take()) != END; ) {
          out.write(chunk);
        }
      } catch (Throwable t) {
        failure = t;
        queue.clear(); // unblock a producer waiting for room
      }
    }, name);
    consumer.setDaemon(true);
    consumer.start();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = Math.min(len, CHUNK - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == CHUNK) {
        hand(Arrays.copyOf(buffer, CHUNK));
        filled = 0;
      }
    }
  }

  private void hand(byte[] chunk) throws IOException {
    checkConsumer();
    try {
      while (!queue.offer(chunk, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        checkConsumer();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing a layer");
    }
  }

  private void checkConsumer() throws IOException {
    Throwable t = failure;
    if (t != null) {
      throw t instanceof IOException io ? io : new IOException("writing the layer failed: " + t, t);
    }
  }

  /** Does not flush to the target: only {@link #close()} completes the stream. */
  @Override
  public void flush() {}

  /** Stops the consumer after a failure of the producer (what was written is discarded). */
  void abort() {
    if (closed) {
      return;
    }
    closed = true;
    queue.clear();
    queue.offer(END);
    try {
      consumer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (filled > 0) {
      hand(Arrays.copyOf(buffer, filled));
      filled = 0;
    }
    hand(END);
    try {
      consumer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while finishing a layer");
    }
    checkConsumer();
  }
}
