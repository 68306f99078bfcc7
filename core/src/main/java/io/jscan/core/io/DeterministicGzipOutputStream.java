package io.jscan.core.io;

import com.jcraft.jzlib.Deflater;
import com.jcraft.jzlib.JZlib;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

/**
 * gzip whose bytes depend on the input only: not on the JDK, the system zlib, the caller's write
 * sizes, the number of processors or the clock. Reproducible layers need it, because a layer's
 * digest is the digest of its compressed bytes.
 *
 * <p><b>Why not {@link java.util.zip.GZIPOutputStream}:</b> {@code java.util.zip.Deflater} calls
 * a native zlib, and which one depends on the JDK build: Debian's OpenJDK links the system zlib,
 * Temurin bundles its own copy, Fedora ships zlib-ng. They all produce valid but different
 * deflate streams for the same input and level, so a layer built on one machine would get a
 * different digest on another. jscan therefore deflates with JZlib, a pure-Java port of zlib's
 * deflate, whose output is fixed by the jar version the build pins.
 *
 * <p><b>Parallel, as pigz does it:</b> the input is cut into {@value #BLOCK}-byte blocks, each
 * deflated on its own (raw deflate, RFC 1951) with the previous block's last 32 KiB as its preset
 * dictionary, and ended with a sync flush (an empty stored block) so that the pieces concatenate
 * into one valid deflate stream; the last block ends the stream instead. Each block's bytes depend
 * only on its input and the 32 KiB before it, so the output is the same whether one thread or
 * eight compressed it. The CRC-32 and length of the gzip trailer (RFC 1952) are computed over the
 * input as it arrives.
 *
 * <p><b>Fixed choices:</b> compression level {@value #LEVEL} (zlib's default), 32 KiB window,
 * memLevel 8, default strategy, {@value #BLOCK}-byte blocks; the header carries MTIME 0, no file
 * name, no comment, XFL 0 and OS = 255 ("unknown", what Go's compress/gzip writes, so the byte
 * says nothing about the build host).
 *
 * <p><b>Incompressible blocks are stored:</b> a block of at least {@value #STORE_MIN} bytes whose
 * byte histogram is nearly flat (collision entropy of at least 7.99 bits per byte, decided in
 * integer arithmetic so no floating-point rounding can differ between JVMs) is written as
 * RFC 1951 stored blocks (BTYPE 00, at most 65,535 bytes each) instead of being deflated. Such a
 * block is random-looking data (an already-compressed archive, an encrypted or media file) that
 * deflate cannot shrink: level 6 would spend most of a cold build's CPU searching for matches and
 * then write slightly more bytes than it read. zstd skips such data the same way. The test looks
 * only at the block's bytes, so the choice is as reproducible as the rest.
 *
 * <p>Changing any of these changes every layer digest jscan produces; the golden-hash test
 * ({@code DeterministicGzipOutputStreamTest}) makes such a change visible.
 */
public final class DeterministicGzipOutputStream extends OutputStream {
  /** zlib's default level: the size/speed balance docker and BuildKit use too. */
  public static final int LEVEL = 6;
  /** RFC 1952 OS byte: 255 = unknown. */
  public static final int OS_UNKNOWN = 255;

  /**
   * Input bytes per independently deflated block. Part of the output format. Larger than pigz's
   * 128 KiB: each block needs a fresh deflater (about 260 KiB of state in JZlib, which has no
   * public reset), and at 1 MiB that garbage stays a quarter of the input instead of twice it.
   */
  static final int BLOCK = 1024 * 1024;
  /** Blocks shorter than this are always deflated: a short histogram is too noisy to judge. */
  static final int STORE_MIN = 64 * 1024;
  /** RFC 1951 3.2.4: a stored block holds at most 65,535 bytes. */
  private static final int STORED_MAX = 65535;
  private static final int WINDOW_BITS = 15;
  private static final int DICTIONARY = 1 << WINDOW_BITS;
  private static final int MEM_LEVEL = 8;

  /** Daemon threads shared by every stream: compressing never keeps the JVM alive. */
  private static final ExecutorService SHARED_POOL = pool(Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8)));

  private final OutputStream out;
  private final ExecutorService pool;
  private final int maxInFlight;
  private final CRC32 crc = new CRC32();
  private final ArrayDeque<Task> inFlight = new ArrayDeque<>();
  /** Input blocks whose compression finished, for reuse: a build streams gigabytes through here. */
  private final ArrayDeque<byte[]> spareBlocks = new ArrayDeque<>();

  /** A block being compressed, and its input (reused once the result is written). */
  private record Task(Future<byte[]> result, byte[] input) {}
  private byte[] block = new byte[BLOCK];
  private int filled;
  /** The input block before {@link #block}, held back until we know whether it is the last one. */
  private byte[] pending;
  private byte[] pendingDictionary;
  private byte[] dictionary;
  private long length;
  private boolean closed;

  /** Compresses on the shared pool (one thread per processor, at most eight). */
  public DeterministicGzipOutputStream(OutputStream out) throws IOException {
    this(out, SHARED_POOL, Math.max(2, 2 * Math.min(Runtime.getRuntime().availableProcessors(), 8)));
  }

  /**
   * Compresses on {@code pool} with at most {@code maxInFlight} blocks queued or being
   * compressed (memory stays about {@code 2 * maxInFlight * BLOCK}). The bytes written do not
   * depend on either.
   */
  DeterministicGzipOutputStream(OutputStream out, ExecutorService pool, int maxInFlight) throws IOException {
    this.out = Objects.requireNonNull(out, "out");
    this.pool = Objects.requireNonNull(pool, "pool");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    // RFC 1952 header: ID1 ID2, CM=8 (deflate), FLG=0, MTIME=0, XFL=0, OS
    out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) OS_UNKNOWN});
  }

  static ExecutorService pool(int threads) {
    return DaemonThreads.fixedPool("jscan-gzip", threads);
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
    Objects.checkFromIndexSize(off, len, b.length);
    crc.update(b, off, len);
    length += len;
    while (len > 0) {
      int n = Math.min(len, BLOCK - filled);
      System.arraycopy(b, off, block, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == BLOCK) {
        blockFull();
      }
    }
  }

  /** A full block: the one held back before it is not the last, so it can be compressed now. */
  private void blockFull() throws IOException {
    if (pending != null) {
      submit(pending, pendingDictionary, false);
    }
    pending = block;
    pendingDictionary = dictionary;
    dictionary = Arrays.copyOfRange(block, BLOCK - DICTIONARY, BLOCK);
    byte[] spare = spareBlocks.poll();
    block = spare != null ? spare : new byte[BLOCK];
    filled = 0;
  }

  private void submit(byte[] input, byte[] preset, boolean last) throws IOException {
    while (inFlight.size() >= maxInFlight) {
      out.write(next());
    }
    inFlight.add(new Task(pool.submit(() -> deflate(input, input.length, preset, last)), input));
  }

  private byte[] next() throws IOException {
    Task task = inFlight.removeFirst();
    try {
      byte[] compressed = task.result().get();
      if (task.input().length == BLOCK) {
        spareBlocks.add(task.input()); // the worker is done with it
      }
      return compressed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io : new IOException("compressing: " + cause, cause);
    }
  }

  /**
   * One block as raw deflate: sync-flushed so that the next block can follow, or finished.
   *
   * <p>JZlib, like the zlib it was ported from, accepts a preset dictionary only on a zlib-wrapped
   * stream (RFC 1950), so the block is deflated with the wrapper and the wrapper is cut off: its
   * header (2 bytes, plus the 4-byte dictionary id when there is a dictionary) and, on the last
   * block, the Adler-32 trailer. What lies between is exactly the raw deflate data.
   */
  /** Each compressing thread's output buffer, reused from block to block. */
  private static final ThreadLocal<byte[]> OUTPUT = ThreadLocal.withInitial(() -> new byte[BLOCK + BLOCK / 8 + 64]);

  static byte[] deflate(byte[] input, int length, byte[] preset, boolean last) throws IOException {
    if (length >= STORE_MIN && looksIncompressible(input, length)) {
      return stored(input, length, last);
    }
    Deflater d = new Deflater(LEVEL, WINDOW_BITS, MEM_LEVEL, JZlib.W_ZLIB);
    if (preset != null && d.setDictionary(preset, preset.length) != JZlib.Z_OK) {
      throw new IOException("deflate: the preset dictionary was refused");
    }
    d.setInput(input, 0, length, false);
    // deflate's worst case is a few bytes per 16 KiB stored block over the input; this is ample
    byte[] buffer = OUTPUT.get();
    if (buffer.length < length + length / 8 + 64) {
      buffer = new byte[length + length / 8 + 64];
      OUTPUT.set(buffer);
    }
    int produced = 0;
    int flush = last ? JZlib.Z_FINISH : JZlib.Z_SYNC_FLUSH;
    while (true) {
      d.setOutput(buffer, produced, buffer.length - produced);
      int status = d.deflate(flush);
      if (status != JZlib.Z_OK && status != JZlib.Z_STREAM_END && status != JZlib.Z_BUF_ERROR) {
        throw new IOException("deflate failed: zlib status " + status + " (" + d.getMessage() + ")");
      }
      int now = buffer.length - produced - d.getAvailOut();
      produced += now;
      if (status == JZlib.Z_STREAM_END || (!last && d.getAvailIn() == 0 && d.getAvailOut() > 0)) {
        break;
      }
      if (d.getAvailOut() == 0) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
        OUTPUT.set(buffer);
      } else if (status == JZlib.Z_BUF_ERROR && now == 0) {
        throw new IOException("deflate made no progress");
      }
    }
    d.end();
    int header = preset != null ? 6 : 2;
    int trailer = last ? 4 : 0;
    return Arrays.copyOfRange(buffer, header, produced - trailer);
  }

  /**
   * Whether the byte histogram of {@code input[0, length)} is so flat that deflate cannot shrink
   * it: sum(p_i^2) <= 2^-7.99, that is collision (Renyi order 2) entropy of at least 7.99 bits per
   * byte. Random data of 64 KiB scores about 8 - 0.006; text scores 4 to 5, machine code 5 to 6.5.
   * Integer arithmetic: 1000 * 256 * sum(c_i^2) <= 1007 * n^2, where 2^0.01 = 1.00696 is rounded up
   * to 1.007; for n up to 2^20 both sides stay below 2^62.
   */
  static boolean looksIncompressible(byte[] input, int length) {
    // four tables, so that runs of one byte value do not serialise on one counter
    int[] c0 = new int[256];
    int[] c1 = new int[256];
    int[] c2 = new int[256];
    int[] c3 = new int[256];
    int i = 0;
    for (int end = length & ~3; i < end; i += 4) {
      c0[input[i] & 0xff]++;
      c1[input[i + 1] & 0xff]++;
      c2[input[i + 2] & 0xff]++;
      c3[input[i + 3] & 0xff]++;
    }
    for (; i < length; i++) {
      c0[input[i] & 0xff]++;
    }
    long sumOfSquares = 0;
    for (int v = 0; v < 256; v++) {
      long c = (long) c0[v] + c1[v] + c2[v] + c3[v];
      sumOfSquares += c * c;
    }
    long n = length;
    return 1000L * 256L * sumOfSquares <= 1007L * n * n;
  }

  /**
   * {@code input[0, length)} as RFC 1951 stored blocks of at most 65,535 bytes, the last one
   * marked final when {@code last}. Each block starts on a byte boundary (the stream before it
   * ends with a sync flush, a stored block or the gzip header), so its 3-bit header takes a whole
   * byte: BFINAL in bit 0, BTYPE 00, then padding; LEN and its one's complement NLEN follow,
   * little-endian. Stored blocks also end on a byte boundary, so no sync flush is needed after.
   */
  static byte[] stored(byte[] input, int length, boolean last) {
    int blocks = (length + STORED_MAX - 1) / STORED_MAX;
    byte[] out = new byte[length + 5 * blocks];
    int at = 0;
    for (int from = 0; from < length; from += STORED_MAX) {
      int n = Math.min(STORED_MAX, length - from);
      boolean isFinal = last && from + n == length;
      out[at++] = (byte) (isFinal ? 1 : 0);
      out[at++] = (byte) n;
      out[at++] = (byte) (n >>> 8);
      out[at++] = (byte) ~n;
      out[at++] = (byte) (~n >>> 8);
      System.arraycopy(input, from, out, at, n);
      at += n;
    }
    return out;
  }

  /** Does not flush the deflater (a flush would change the bytes); only {@link #close} completes the stream. */
  @Override
  public void flush() {}

  /** Compresses the rest, writes the gzip trailer, and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (filled > 0 || pending == null) {
        // the partial block (or the only, possibly empty, one) is the last
        if (pending != null) {
          submit(pending, pendingDictionary, false);
        }
        byte[] rest = Arrays.copyOf(block, filled);
        submit(rest, dictionary, true);
      } else {
        // the input ended exactly at a block boundary: the held-back block is the last
        submit(pending, pendingDictionary, true);
      }
      while (!inFlight.isEmpty()) {
        out.write(next());
      }
      long value = crc.getValue();
      out.write(new byte[] {
          (byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24),
          (byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)});
    } finally {
      for (Task t : inFlight) {
        t.result().cancel(true);
      }
      out.close();
    }
  }
}
