package io.jscan.core.transport.registry;

import io.jscan.core.Deadline.DeadlineExceededException;
import io.jscan.core.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of a blob download that survives a cut connection: when a read fails, the blob is
 * requested again from the first byte not yet delivered ({@code Range: bytes=N-}, RFC 9110
 * section 14, which distribution supports for blobs). A registry that answers the range with the
 * whole blob (200) has the bytes already delivered skipped instead. Either way the bytes handed
 * out form one sequence, which the {@link io.jscan.core.io.VerifyingInputStream} around this
 * stream checks against the digest, so a resumption that went wrong cannot go unnoticed.
 *
 * <p>Resumptions count against the retry policy and wait only while the operation's deadline
 * allows; a read stopped by the deadline is not resumed (see {@link ExchangeLimits}). Progress is
 * reported to the listener.
 */
final class ResumingBlobStream extends InputStream {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final long REPORT_EVERY = 256 * 1024;

  /** Opens the blob, from {@code offset} when it is above zero. */
  @FunctionalInterface
  interface Opener {
    HttpResponse<InputStream> open(long offset) throws IOException;
  }

  private final Descriptor blob;
  private final Opener opener;
  private final ExchangeLimits limits;
  private final RetryPolicy retry;
  private final TransferListener listener;
  private final String what;
  private InputStream current;
  private long offset;
  private long reported;
  private int failures;
  private boolean finished;

  ResumingBlobStream(Descriptor blob, InputStream first, ExchangeLimits limits, Opener opener, RegistryOptions options, String what) {
    this.blob = blob;
    this.current = first;
    this.limits = limits;
    this.opener = opener;
    this.retry = options.retry();
    this.listener = options.listener();
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (true) {
      int n;
      try {
        n = current.read(b, off, len);
      } catch (InterruptedIOException | DeadlineExceededException e) {
        // a timeout of the registry's is an ExchangeLimits.RegistryTimeoutException, which resumes
        throw e;
      } catch (IOException e) {
        resume(e);
        continue;
      }
      if (n < 0) {
        if (offset < blob.size() && !finished) {
          // the connection ended early without an error (a proxy cut it cleanly): resume too
          resume(new IOException("connection closed after " + offset + " of " + blob.size() + " bytes"));
          continue;
        }
        if (!finished) {
          finished = true;
          listener.progressed(blob, offset);
          listener.finished(blob, TransferListener.Outcome.DOWNLOADED);
        }
        return -1;
      }
      offset += n;
      if (offset - reported >= REPORT_EVERY) {
        reported = offset;
        listener.progressed(blob, offset);
      }
      return n;
    }
  }

  private void resume(IOException cause) throws IOException {
    closeQuietly(current);
    failures++;
    if (failures >= retry.maxAttempts()) {
      throw new IOException(
          what + ": download failed after " + failures + " attempts at byte " + offset + ": " + RegistryHttp.describe(cause), cause);
    }
    Duration delay = RegistryHttp.jitter(retry.backoff(failures));
    if (limits.deadline().remainingNanos() <= delay.toNanos()) {
      DeadlineExceededException d = new DeadlineExceededException(what + ": " + RegistryHttp.describe(cause) + " at byte " + offset
          + "; " + limits.deadline().label() + " passes before the download could be resumed");
      d.initCause(cause);
      throw d;
    }
    listener.retrying(what, failures, delay, RegistryHttp.describe(cause) + " at byte " + offset);
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    HttpResponse<InputStream> r;
    try {
      r = opener.open(offset);
    } catch (IOException e) {
      if (limits.deadline().expired()) {
        throw limits.deadlineExceeded();
      }
      // count it and try again from the same place
      // an empty stream: the next read ends at once and resumes again, or gives up
      current = InputStream.nullInputStream();
      return;
    }
    int status = r.statusCode();
    if (status == 206) {
      Optional<String> range = r.headers().firstValue("Content-Range");
      Matcher m = range.isPresent() ? CONTENT_RANGE.matcher(range.get().trim()) : null;
      if (m == null || !m.matches() || Long.parseLong(m.group(1)) != offset) {
        closeQuietly(r.body());
        throw new IOException(what + ": the registry answered a range request with the wrong range");
      }
      current = r.body();
    } else if (status == 200) {
      // no range support: skip what was already delivered
      InputStream body = r.body();
      try {
        body.skipNBytes(offset);
      } catch (IOException e) {
        closeQuietly(body);
        current = InputStream.nullInputStream();
        return;
      }
      current = body;
    } else {
      closeQuietly(r.body());
      throw new IOException(what + ": resuming the download got " + RegistryHttp.statusText(status));
    }
    listener.started(blob, false, offset);
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // already replacing it
    }
  }

  @Override
  public void close() throws IOException {
    current.close();
  }
}
