package io.jscan.core.io;

import io.jscan.core.oci.Digest;
import java.io.IOException;
import java.util.Optional;

/**
 * Thrown by {@link VerifyingInputStream} when content does not match what its descriptor claims.
 * It is an {@link IOException} because it surfaces from stream reads; callers turn it into an
 * integrity failure of their subsystem.
 */
public final class ContentMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String what;
  private final String detail;
  private final Optional<Digest> expectedDigest;
  private final Optional<Digest> actualDigest;

  public ContentMismatchException(String what, String detail, Optional<Digest> expected, Optional<Digest> actual) {
    super(what + ": " + detail);
    this.what = what;
    this.detail = detail;
    this.expectedDigest = expected;
    this.actualDigest = actual;
  }

  /** What was being read, e.g. {@code layer 2 sha256:ab…}. */
  public String what() {
    return what;
  }

  /** What was wrong, without the {@link #what()} prefix. */
  public String detail() {
    return detail;
  }

  public Optional<Digest> expectedDigest() {
    return expectedDigest;
  }

  public Optional<Digest> actualDigest() {
    return actualDigest;
  }
}
