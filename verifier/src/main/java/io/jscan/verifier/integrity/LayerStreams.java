package io.jscan.verifier.integrity;

import io.jscan.core.Deadline;
import io.jscan.core.Deadline.DeadlineExceededException;
import io.jscan.core.io.ContentMismatchException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** The streams a layer passes through on its one read: counting, deadline, bomb limits, hashing. */
final class LayerStreams {
  private LayerStreams() {}

  /** An I/O error of the source below the decompressor (not a content mismatch). */
  static final class UpstreamIOException extends IOException {
    private static final long serialVersionUID = 1L;

    UpstreamIOException(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The layer decompressed to more than the limits allow. */
  static final class BombException extends IOException {
    private static final long serialVersionUID = 1L;

    BombException(String message) {
      super(message);
    }
  }

  /**
   * Wraps the compressed source: counts bytes, checks the deadline, and tags the source's own I/O
   * errors so they are not mistaken for corrupt compressed data. Content mismatches (size or
   * digest, from the verifying stream) pass through as they are.
   */
  static final class CompressedSide extends FilterInputStream {
    private final Deadline deadline;
    long count;

    CompressedSide(InputStream in, Deadline deadline) {
      super(in);
      this.deadline = deadline;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (Thread.currentThread().isInterrupted()) {
        deadline.check(); // says "cancelled"
      }
      int n;
      try {
        n = in.read(b, off, len);
      } catch (ContentMismatchException | DeadlineExceededException e) {
        throw e;
      } catch (IOException e) {
        throw new UpstreamIOException(e);
      }
      // checked after the read: a source that honours the same deadline (a registry) fails first
      // and says what it waited for, which this check cannot
      deadline.check();
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[8192];
      long done = 0;
      while (done < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }

    /** Reads to the end, so the verifying stream below checks size and digest. */
    void drain() throws IOException {
      byte[] buf = new byte[65536];
      while (read(buf, 0, buf.length) >= 0) {
        // drain
      }
    }
  }

  /** Hashes and counts the uncompressed tar and stops a decompression bomb. */
  static final class UncompressedSide extends FilterInputStream {
    private final MessageDigest hasher;
    private final CompressedSide compressed;
    private final long maxBytes;
    private final long maxRatio;
    private final long ratioFloor;
    long count;

    UncompressedSide(InputStream in, MessageDigest hasher, CompressedSide compressed, long maxBytes, long maxRatio, long ratioFloor) {
      super(in);
      this.hasher = hasher;
      this.compressed = compressed;
      this.maxBytes = maxBytes;
      this.maxRatio = maxRatio;
      this.ratioFloor = ratioFloor;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        hasher.update(b, off, n);
        count += n;
        if (count > maxBytes) {
          throw new BombException(
              "decompression bomb: the layer expands past the limit of " + maxBytes + " bytes (from " + compressed.count + " compressed)");
        }
        if (count > ratioFloor && count > Math.max(1, compressed.count) * maxRatio) {
          throw new BombException(
              "decompression bomb: " + compressed.count + " compressed bytes expand to more than " + count
                  + " (over " + maxRatio + ":1)");
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[8192];
      long done = 0;
      while (done < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }

    void drain() throws IOException {
      byte[] buf = new byte[65536];
      while (read(buf, 0, buf.length) >= 0) {
        // drain, hashing
      }
    }
  }
}
