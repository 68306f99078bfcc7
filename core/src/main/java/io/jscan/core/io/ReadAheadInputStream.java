package io.jscan.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads {@code source} on its own thread, ahead of the consumer, a chunk at a time: the work of
 * producing the bytes (reading the blob, checking its digest, decompressing it) runs on one core
 * while the consumer (a tar reader, the diff_id check, cataloguers) runs on another. Reading a
 * gzip layer is mostly inflate, so this takes about a third off reading a large single layer.
 *
 * <p>The consumer sees exactly the bytes of {@code source}, in order, and its failures: an
 * exception the reader thread meets (a digest mismatch found at the end of the blob, a broken
 * connection) is thrown by the consumer's next read, after the bytes before it.
 *
 * <p>{@link #close()} stops the reader, waits for it, and then closes {@code source} on the
 * caller's thread, so the source's own close behaviour (a {@link VerifyingInputStream} drains
 * and checks what was not read) is kept. Memory: at most {@value #DEPTH} chunks of
 * {@value #CHUNK} bytes are in flight.
 */
public final class ReadAheadInputStream extends InputStream {
  static final int CHUNK = 256 * 1024;
  static final int DEPTH = 6;

  /** A filled buffer, or the end of the source. */
  private record Chunk(byte[] data, int length) {}

  private static final Chunk END = new Chunk(new byte[0], 0);

  private final InputStream source;
  /** Chunks, the end, or the reader's failure (a Throwable), in order. */
  private final BlockingQueue<Object> filled = new ArrayBlockingQueue<>(DEPTH);
  /** Buffers the consumer is done with, for the reader to fill again. */
  private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(DEPTH + 2);
  private final Thread reader;
  private volatile boolean stopping;
  private Chunk current;
  private int position;
  private boolean ended;
  private boolean closed;

  public ReadAheadInputStream(InputStream source, String threadName) {
    this.source = Objects.requireNonNull(source, "source");
    reader = new Thread(this::readAll, threadName);
    reader.setDaemon(true);
    reader.start();
  }

  private void readAll() {
    try {
      while (!stopping) {
        byte[] buffer = spare.poll();
        if (buffer == null) {
          buffer = new byte[CHUNK];
        }
        int n = source.readNBytes(buffer, 0, CHUNK);
        if (n > 0 && !offer(new Chunk(buffer, n))) {
          return;
        }
        if (n < CHUNK) {
          offer(END);
          return;
        }
      }
    } catch (Throwable t) {
      offer(t);
    }
  }

  /** Queues {@code item}; false when the consumer stopped reading (close) while waiting for room. */
  private boolean offer(Object item) {
    try {
      while (!stopping) {
        if (filled.offer(item, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
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
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len == 0) {
      return 0;
    }
    if (!ensureChunk()) {
      return -1;
    }
    int n = Math.min(len, current.length() - position);
    System.arraycopy(current.data(), position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = 0;
    while (skipped < n && ensureChunk()) {
      int step = (int) Math.min(n - skipped, current.length() - position);
      position += step;
      skipped += step;
    }
    return skipped;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.length() - position;
  }

  /** Makes {@link #current} a chunk with bytes left; false at the end of the source. */
  private boolean ensureChunk() throws IOException {
    while (current == null || position == current.length()) {
      if (ended) {
        return false;
      }
      if (current != null) {
        spare.offer(current.data());
        current = null;
      }
      Object next;
      try {
        next = filled.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading ahead");
      }
      if (next == END) {
        ended = true;
        return false;
      }
      if (next instanceof Chunk c) {
        current = c;
        position = 0;
      } else {
        ended = true;
        throw rethrown((Throwable) next);
      }
    }
    return true;
  }

  private static IOException rethrown(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof UncheckedIOException u) {
      return u.getCause();
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IOException(t);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    stopping = true;
    // the reader may be waiting for room or in the middle of a read: let it finish that read
    // (closing the source under it could fail in ways that hide the real outcome), then close
    boolean interrupted = false;
    while (reader.isAlive()) {
      filled.clear();
      try {
        reader.join(50);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    filled.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    source.close();
  }
}
