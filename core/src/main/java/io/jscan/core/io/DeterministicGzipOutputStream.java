package io.jscan.core.io;

import com.jcraft.jzlib.Deflater;
import com.jcraft.jzlib.GZIPOutputStream;
import com.jcraft.jzlib.JZlib;
import java.io.IOException;
import java.io.OutputStream;

/**
 * gzip whose bytes depend on the input only: not on the JDK, the system zlib, the caller's write
 * sizes or the clock. Reproducible layers need it, because a layer's digest is the digest of
 * its compressed bytes.
 *
 * <p><b>Why not {@link java.util.zip.GZIPOutputStream}:</b> {@code java.util.zip.Deflater} calls
 * a native zlib, and which one depends on the JDK build: Debian's OpenJDK links the system zlib,
 * Temurin bundles its own copy, Fedora ships zlib-ng. They all produce valid but different
 * deflate streams for the same input and level, so a layer built on one machine would get a
 * different digest on another. jscan therefore deflates with JZlib, a pure-Java port of zlib's
 * deflate, whose output is fixed by the jar version the build pins.
 *
 * <p><b>Fixed choices:</b> compression level {@value #LEVEL} (zlib's default), 32 KiB window,
 * memLevel 8, default strategy; the header (RFC 1952) carries MTIME 0, no file name, no comment,
 * and OS = 255 ("unknown", what Go's compress/gzip writes, so the byte says nothing about the
 * build host). Input is handed to the deflater in fixed {@value #CHUNK}-byte chunks, so the output
 * cannot depend on how callers split their writes.
 *
 * <p>Changing any of these changes every layer digest jscan produces; the golden-hash test
 * ({@code DeterministicGzipOutputStreamTest}) makes such a change visible.
 */
public final class DeterministicGzipOutputStream extends OutputStream {
  /** zlib's default level: the size/speed balance docker and BuildKit use too. */
  public static final int LEVEL = 6;
  /** RFC 1952 OS byte: 255 = unknown. */
  public static final int OS_UNKNOWN = 255;

  static final int CHUNK = 64 * 1024;
  private static final int WINDOW_BITS = 15;
  private static final int MEM_LEVEL = 8;

  private final GZIPOutputStream gzip;
  private final byte[] chunk = new byte[CHUNK];
  private int filled;
  private boolean closed;

  public DeterministicGzipOutputStream(OutputStream out) throws IOException {
    Deflater deflater = new Deflater(LEVEL, WINDOW_BITS, MEM_LEVEL, JZlib.W_GZIP);
    this.gzip = new GZIPOutputStream(out, deflater, CHUNK, true);
    gzip.setModifiedTime(0);
    gzip.setOS(OS_UNKNOWN);
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
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      int n = Math.min(len, CHUNK - filled);
      System.arraycopy(b, off, chunk, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == CHUNK) {
        gzip.write(chunk, 0, CHUNK);
        filled = 0;
      }
    }
  }

  /** Does not flush the deflater (a sync flush would change the bytes); only {@link #close} completes the stream. */
  @Override
  public void flush() {}

  /** Writes the rest, the gzip trailer, and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (filled > 0) {
      gzip.write(chunk, 0, filled);
      filled = 0;
    }
    gzip.close();
  }
}
