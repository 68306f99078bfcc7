package io.jscan.core.io;

import io.jscan.core.oci.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one stream every byte jscan reads from disk or network passes through. It hashes what it
 * delivers and, at end of stream, checks the size and digest the descriptor claimed (OCI
 * image-spec descriptor.md: "the content SHOULD be verified against the digest").
 *
 * <p>Fails closed: reading past the expected size fails at once (a server cannot feed us an
 * endless blob), a short stream fails at EOF, and closing a stream that was not read to the end
 * drains and verifies the rest, so a consumer that stops early (a tar reader at the end-of-archive
 * marker) cannot skip verification. {@link #abandon()} is for callers that are already failing.
 *
 * <p>When the size is declared, the end is checked before the last bytes are handed out: the read
 * that completes the declared size first makes sure nothing follows and that the digest (and any
 * {@link Check} added with {@link #alsoChecking}) matches, and only then returns. A consumer that
 * passes the bytes on as they come (an upload of known length, a file renamed into place once
 * complete) therefore never passes on the whole of a blob that fails a check: the registry sees a
 * body cut short and commits nothing.
 */
public final class VerifyingInputStream extends FilterInputStream {
  private final String what;
  private final Digest expected;
  private final OptionalLong expectedSize;
  private final MessageDigest hasher;
  private long count;
  private boolean finished;
  private boolean abandoned;
  private Check check;

  /**
   * A second check over the same bytes (a layer's diff_id, computed by decompressing them as they
   * pass: {@link DiffIdCheck}). It sees every byte this stream delivers, in order, and is finished
   * after the size and digest matched, before the last bytes are handed out.
   */
  public interface Check {
    /** The next bytes; may fail early (content already known to be wrong). */
    void update(byte[] b, int off, int len) throws IOException;

    /** Every byte was seen and matched the digest: pass, or throw {@link ContentMismatchException}. */
    void finish() throws IOException;

    /** The read was given up (or failed): release what the check holds; never throws. */
    void abandon();
  }

  private VerifyingInputStream(InputStream in, String what, Digest expected, OptionalLong expectedSize) {
    super(in);
    this.what = what;
    this.expected = expected;
    this.expectedSize = expectedSize;
    if (!expected.isVerifiable()) {
      // fail closed: content we cannot hash is content we cannot trust
      this.hasher = null;
    } else {
      this.hasher = expected.newMessageDigest();
    }
  }

  /**
   * Wraps {@code in}; {@code what} names the content in error messages ("layer 3 sha256:…").
   *
   * @throws ContentMismatchException if the digest algorithm cannot be verified
   */
  public static VerifyingInputStream of(InputStream in, String what, Digest expected, long expectedSize)
      throws ContentMismatchException {
    if (expectedSize < 0) {
      throw new IllegalArgumentException("negative size");
    }
    return checked(new VerifyingInputStream(in, what, expected, OptionalLong.of(expectedSize)));
  }

  /** As {@link #of} for content whose size nobody declared (an uncompressed layer against its diff_id). */
  public static VerifyingInputStream ofUnknownSize(InputStream in, String what, Digest expected)
      throws ContentMismatchException {
    return checked(new VerifyingInputStream(in, what, expected, OptionalLong.empty()));
  }

  private static VerifyingInputStream checked(VerifyingInputStream s) throws ContentMismatchException {
    if (s.hasher == null) {
      throw new ContentMismatchException(
          s.what, "unsupported digest algorithm " + s.expected.algorithm(), Optional.of(s.expected), Optional.empty());
    }
    return s;
  }

  /**
   * Adds {@code also} to what this stream checks (see {@link Check}); only before the first read,
   * and only once.
   *
   * @return this stream
   */
  public VerifyingInputStream alsoChecking(Check also) {
    if (count != 0 || finished || abandoned || check != null) {
      throw new IllegalStateException("a check is added before the first read, once");
    }
    this.check = java.util.Objects.requireNonNull(also, "also");
    return this;
  }

  /**
   * Whether this stream checks exactly {@code digest} and {@code size}, from its first byte: then
   * wrapping it in another verifying stream for the same descriptor would only hash twice.
   */
  public boolean checks(Digest digest, long size) {
    return count == 0 && !finished && expected.equals(digest) && expectedSize.isPresent() && expectedSize.getAsLong() == size;
  }

  /** Bytes delivered so far. */
  public long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (finished) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n;
    if (expectedSize.isPresent()) {
      // read at most one byte past the declared size: enough to detect an oversized blob
      long room = expectedSize.getAsLong() - count + 1;
      n = super.read(b, off, (int) Math.min(len, Math.max(1, room)));
    } else {
      n = super.read(b, off, len);
    }
    if (n < 0) {
      finish();
      return -1;
    }
    count += n;
    if (expectedSize.isPresent() && count > expectedSize.getAsLong()) {
      fail();
      throw new ContentMismatchException(
          what,
          "size mismatch: more than the declared " + expectedSize.getAsLong() + " bytes",
          Optional.of(expected),
          Optional.empty());
    }
    hasher.update(b, off, n);
    if (check != null) {
      try {
        check.update(b, off, n);
      } catch (IOException | RuntimeException e) {
        fail();
        throw e;
      }
    }
    if (expectedSize.isPresent() && count == expectedSize.getAsLong()) {
      // the declared size is complete: check the end before handing out these last bytes
      int extra = super.read(new byte[1], 0, 1);
      if (extra > 0) {
        fail();
        throw new ContentMismatchException(
            what,
            "size mismatch: more than the declared " + expectedSize.getAsLong() + " bytes",
            Optional.of(expected),
            Optional.empty());
      }
      finish();
    }
    return n;
  }

  /** Gives up: the content failed a check, so nothing more is read or checked. */
  private void fail() {
    abandoned = true;
    if (check != null) {
      check.abandon();
    }
  }

  @Override
  public long skip(long n) throws IOException {
    // skipping must still hash, so read instead
    byte[] buf = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  private void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    if (expectedSize.isPresent() && count != expectedSize.getAsLong()) {
      fail();
      throw new ContentMismatchException(
          what,
          "size mismatch: declared " + expectedSize.getAsLong() + " bytes, got " + count,
          Optional.of(expected),
          Optional.empty());
    }
    Digest actual = Digest.of(expected.algorithm(), hasher);
    if (!actual.equals(expected)) {
      fail();
      throw new ContentMismatchException(
          what, "digest mismatch: expected " + expected + ", got " + actual, Optional.of(expected), Optional.of(actual));
    }
    if (check != null) {
      try {
        check.finish();
      } catch (IOException | RuntimeException e) {
        fail();
        throw e;
      }
    }
  }

  /** Close without draining or verifying; for callers that already failed for another reason. */
  public void abandon() throws IOException {
    if (!abandoned && !finished) {
      fail();
    }
    abandoned = true;
    super.close();
  }

  /** Whether the whole content was read and matched. */
  public boolean verified() {
    return finished && !abandoned;
  }

  @Override
  public void close() throws IOException {
    try {
      if (!finished && !abandoned) {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
          // drain to verify what the consumer did not read
        }
      }
    } finally {
      if (check != null && !finished && !abandoned) {
        fail(); // draining failed: release the check's resources
      }
      super.close();
    }
  }
}
