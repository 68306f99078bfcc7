package io.jscan.core.io;

import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Checks a layer blob against its diff_id while the blob is copied: the bytes a
 * {@link VerifyingInputStream} hands out are decompressed as the media type declares (by
 * {@link Compressions#decompress}, the same reading as {@code jscan verify}'s) and hashed, and the
 * result must be the diff_id the image config lists for the layer (image-spec config.md,
 * {@code rootfs.diff_ids}: "the digest of the uncompressed layer"). Content compressed otherwise
 * than its media type says fails on the first bytes; data the decompressor cannot read to its end
 * (a truncated gzip member whose blob digest matches) and a wrong diff_id fail before the
 * verifying stream hands out the blob's last bytes.
 *
 * <p>Compressed blobs are decompressed on a thread of their own, fed through a short queue, so
 * copying (the network, the disk) and decompressing run side by side: the copy reads each byte
 * once. An uncompressed blob's diff_id is its digest when both use the same algorithm, so it is
 * compared at once and nothing is hashed twice (its first bytes are still sniffed: a gzip blob
 * labelled uncompressed is refused, as {@code verify} refuses it).
 *
 * <p>Memory: at most {@value #DEPTH} chunks of {@value #CHUNK} bytes are queued, and one is being filled.
 */
public final class DiffIdCheck implements VerifyingInputStream.Check {
  static final int DEPTH = 8;
  static final int CHUNK = 128 * 1024;
  private static final byte[] END = new byte[0];
  private static final int SNIFF = 6;

  private final Compression compression;
  private final Digest diffId;
  private final String what;
  private final Runnable whenProven;
  private final Digest blob;

  // compressed: the decompressing thread and its queue
  private final BlockingQueue<byte[]> queue;
  private final Thread worker;
  private volatile Throwable failure;
  private volatile boolean stopping;
  private byte[] pending;
  private int pendingLength;

  // uncompressed: the first bytes, for the sniff
  private final byte[] head = new byte[SNIFF];
  private int headLength;
  private boolean sniffed;

  /**
   * @param blob the blob's digest (an uncompressed layer's diff_id is compared with it)
   * @param compression what the layer's media type declares
   * @param diffId what the image config says the uncompressed layer hashes to
   * @param what names the layer in errors ({@code layer 2 sha256:…})
   * @param whenProven run once the content matched (to remember the fact); must not throw
   */
  public DiffIdCheck(Digest blob, Compression compression, Digest diffId, String what, Runnable whenProven) {
    this.compression = Objects.requireNonNull(compression, "compression");
    this.diffId = Objects.requireNonNull(diffId, "diffId");
    this.what = Objects.requireNonNull(what, "what");
    this.whenProven = Objects.requireNonNull(whenProven, "whenProven");
    this.blob = Objects.requireNonNull(blob, "blob");
    if (compression == Compression.NONE && blob.algorithm().equals(diffId.algorithm())) {
      queue = null;
      worker = null;
    } else {
      queue = new ArrayBlockingQueue<>(DEPTH);
      // started by the first bytes: a check that is never fed leaves no thread behind
      worker = new Thread(this::decompress, "jscan-diff-id");
      worker.setDaemon(true);
    }
  }

  /** The label of the uncompressed stream in errors, as {@code verify} writes it. */
  public static String uncompressedWhat(String what) {
    return what + " (uncompressed, diff_id)";
  }

  @Override
  public void update(byte[] b, int off, int len) throws IOException {
    if (worker == null) {
      sniffHead(b, off, len);
      return;
    }
    rethrow();
    start();
    // gathered into chunks of CHUNK bytes: uploads read 8 KiB at a time, and each hand-over costs
    while (len > 0) {
      if (pending == null) {
        pending = new byte[CHUNK];
      }
      int take = Math.min(len, CHUNK - pendingLength);
      System.arraycopy(b, off, pending, pendingLength, take);
      pendingLength += take;
      off += take;
      len -= take;
      if (pendingLength == CHUNK) {
        put(pending);
        pending = null;
        pendingLength = 0;
      }
    }
    rethrow();
  }

  private void start() {
    if (worker.getState() == Thread.State.NEW && !stopping) {
      worker.start();
    }
  }

  @Override
  public void finish() throws IOException {
    if (worker == null) {
      if (!sniffed) {
        sniff(true); // a blob of fewer bytes than a sniff takes
      }
      if (!blob.equals(diffId)) {
        throw mismatch(blob);
      }
      whenProven.run();
      return;
    }
    start();
    if (pendingLength > 0) {
      put(Arrays.copyOf(pending, pendingLength));
      pending = null;
      pendingLength = 0;
    }
    put(END);
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon();
      throw new InterruptedIOException("interrupted while checking " + what);
    }
    rethrow();
    whenProven.run();
  }

  @Override
  public void abandon() {
    stopping = true;
    if (worker != null) {
      worker.interrupt();
    }
  }

  private ContentMismatchException mismatch(Digest actual) {
    return mismatch(what, diffId, actual);
  }

  /**
   * The failure of a layer ({@code what}: {@code layer 2 sha256:…}) whose uncompressed content
   * hashes to {@code actual}, not to the config's {@code diffId}; worded as {@code verify} words it.
   */
  public static ContentMismatchException mismatch(String what, Digest diffId, Digest actual) {
    return new ContentMismatchException(
        uncompressedWhat(what), "digest mismatch: expected " + diffId + ", got " + actual, Optional.of(diffId), Optional.of(actual));
  }

  private void sniffHead(byte[] b, int off, int len) throws IOException {
    if (sniffed) {
      return;
    }
    int take = Math.min(len, SNIFF - headLength);
    System.arraycopy(b, off, head, headLength, take);
    headLength += take;
    if (headLength == SNIFF) {
      sniff(false);
    }
  }

  /** An uncompressed layer: its first bytes must not be those of a compressed one. */
  private void sniff(boolean atEnd) throws IOException {
    sniffed = true;
    Compressions.Sniffed actual = Compressions.sniff(head, headLength);
    if (actual != Compressions.Sniffed.UNCOMPRESSED) {
      throw Compressions.mismatch(what, Compression.NONE, actual.name().toLowerCase(java.util.Locale.ROOT));
    }
    // an early, cheap answer: an uncompressed layer's diff_id is its digest
    if (!atEnd && !blob.equals(diffId)) {
      throw mismatch(blob);
    }
  }

  private void put(byte[] chunk) throws IOException {
    try {
      while (!queue.offer(chunk, 50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        if (!worker.isAlive()) {
          rethrow();
          throw new IOException(what + ": the diff_id check stopped");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon();
      throw new InterruptedIOException("interrupted while checking " + what);
    }
  }

  private void rethrow() throws IOException {
    Throwable t = failure;
    if (t == null) {
      return;
    }
    if (t instanceof IOException io) {
      throw io;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    throw new IOException(what + ": " + t, t);
  }

  /** The worker: decompress what the queue brings and hash it; then take the rest, unread, to the end. */
  private void decompress() {
    QueueStream compressed = new QueueStream();
    try {
      InputStream plain = Compressions.decompress(compressed, compression, what);
      VerifyingInputStream uncompressed = VerifyingInputStream.ofUnknownSize(plain, uncompressedWhat(what), diffId);
      byte[] buffer = new byte[1 << 16];
      while (uncompressed.read(buffer, 0, buffer.length) >= 0) {
        // hashing is the point
      }
    } catch (Throwable t) {
      failure = t;
    }
    // whatever follows the compressed data (verify ignores it the same way) or what came after a
    // failure: keep taking it, so the copier never waits on a full queue
    try {
      compressed.drain();
    } catch (InterruptedIOException e) {
      // abandoned
    }
  }

  /** The queued chunks as a stream, ending at {@link #END}. */
  private final class QueueStream extends InputStream {
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (position == current.length) {
        if (ended || !next()) {
          return -1;
        }
      }
      int n = Math.min(len, current.length - position);
      System.arraycopy(current, position, b, off, n);
      position += n;
      return n;
    }

    /** Takes the next chunk; false at the end. */
    private boolean next() throws InterruptedIOException {
      if (stopping) {
        throw new InterruptedIOException("abandoned");
      }
      try {
        byte[] chunk = queue.take();
        if (chunk == END) {
          ended = true;
          return false;
        }
        current = chunk;
        position = 0;
        return true;
      } catch (InterruptedException e) {
        throw new InterruptedIOException("abandoned");
      }
    }

    void drain() throws InterruptedIOException {
      while (!ended) {
        position = current.length;
        next();
      }
    }
  }
}
