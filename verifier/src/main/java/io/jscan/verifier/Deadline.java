package io.jscan.verifier;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a verification must be done by (an admission webhook answers within its timeout). Checked
 * between reads of layer content, so an image of any size stops promptly.
 */
public final class Deadline {
  private static final Deadline NONE = new Deadline(Optional.empty());

  private final Optional<Long> endNanos;
  private final Optional<Instant> end;

  private Deadline(Optional<Instant> end) {
    this.end = end;
    this.endNanos = end.map(e -> System.nanoTime() + Duration.between(Instant.now(), e).toNanos());
  }

  public static Deadline none() {
    return NONE;
  }

  public static Deadline at(Instant end) {
    return new Deadline(Optional.of(end));
  }

  public static Deadline in(Duration timeout) {
    return at(Instant.now().plus(timeout));
  }

  public Optional<Instant> end() {
    return end;
  }

  public boolean expired() {
    return endNanos.isPresent() && System.nanoTime() - endNanos.get() >= 0;
  }

  /** Nanoseconds left (never negative); {@link Long#MAX_VALUE} without a deadline. */
  public long remainingNanos() {
    return endNanos.map(n -> Math.max(0, n - System.nanoTime())).orElse(Long.MAX_VALUE);
  }

  /** Throws when the deadline has passed or the thread was interrupted (the verification was cancelled). */
  public void check() throws DeadlineExceededException {
    if (expired()) {
      throw new DeadlineExceededException("the deadline " + end.get() + " passed before verification finished");
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new DeadlineExceededException("verification was cancelled");
    }
  }

  /** Verification stopped because its deadline passed or it was cancelled. */
  public static final class DeadlineExceededException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) {
      super(message);
    }
  }
}
