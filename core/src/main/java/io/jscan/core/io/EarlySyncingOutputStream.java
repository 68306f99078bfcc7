package io.jscan.core.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Writes a new file and makes it durable, starting the device writes while the bytes still arrive:
 * every {@value #SYNC_EVERY} bytes a background thread flushes what was written so far, so that the
 * fsync that {@link #close()} ends with (the file must be on the device before it is renamed into
 * a store, see {@link AtomicFiles}) only waits for the last piece. A blob written at network or
 * compression speed otherwise sits in the page cache until that final fsync, which then costs
 * about a second per gigabyte on the machines measured (BENCHMARKS.md, registry pull).
 *
 * <p>The bytes written are exactly those given; only when the device sees them changes. A failed
 * background flush fails {@link #close()}.
 */
public final class EarlySyncingOutputStream extends OutputStream {
  static final long SYNC_EVERY = 16L << 20;

  /** Daemon threads shared by every stream: flushing never keeps the JVM alive. */
  private static final ExecutorService SYNCERS = DaemonThreads.fixedPool("jscan-fsync", 2);

  private final FileChannel channel;
  private long written;
  private long nextSync = SYNC_EVERY;
  private Future<?> inFlight;
  private boolean closed;

  private EarlySyncingOutputStream(FileChannel channel) {
    this.channel = channel;
  }

  /** Creates {@code file}, which must not exist. */
  public static EarlySyncingOutputStream create(Path file) throws IOException {
    return new EarlySyncingOutputStream(FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    written += len;
    if (written >= nextSync) {
      nextSync = written + SYNC_EVERY;
      if (inFlight == null || inFlight.isDone()) {
        checkFlush();
        // fdatasync of what is written so far; the file's size and name are made durable at the end
        inFlight = SYNCERS.submit(() -> {
          channel.force(false);
          return null;
        });
      }
    }
  }

  /** Rethrows a background flush's failure. */
  private void checkFlush() throws IOException {
    if (inFlight == null) {
      return;
    }
    try {
      inFlight.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while flushing to the device");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io : new IOException("flushing to the device: " + cause, cause);
    } finally {
      inFlight = null;
    }
  }

  /** Does not sync; {@link #close()} does. */
  @Override
  public void flush() {}

  /** Waits for the background flush, syncs the whole file (data and metadata) and closes it. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (FileChannel ch = channel) {
      checkFlush();
      ch.force(true);
    }
  }
}
