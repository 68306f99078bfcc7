package io.jscan.core;

import io.jscan.core.text.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a whole operation must be done by: a command's {@code --timeout}, an admission request's
 * deadline, a webhook verification's limit. One value for every layer that waits (the registry
 * client's connections, reads and retries, the verifier's layer walk), so that a retry, a
 * resumed download or a token fetch never restarts the clock: they all ask the same deadline how
 * much time is left.
 *
 * <p>Measured on the monotonic clock ({@link System#nanoTime}), so a wall clock that jumps does
 * not move it. {@link #label} says what set it, for messages ({@code --timeout 10s}).
 */
public final class Deadline {
  private static final Deadline NONE = new Deadline(Optional.empty(), Optional.empty(), "no deadline");

  private final Optional<Long> endNanos;
  private final Optional<Instant> end;
  private final String label;

  private Deadline(Optional<Long> endNanos, Optional<Instant> end, String label) {
    this.endNanos = endNanos;
    this.end = end;
    this.label = label;
  }

  public static Deadline none() {
    return NONE;
  }

  public static Deadline at(Instant end) {
    return new Deadline(
        Optional.of(System.nanoTime() + Duration.between(Instant.now(), end).toNanos()), Optional.of(end), "the deadline " + end);
  }

  public static Deadline in(Duration timeout) {
    return in(timeout, "the timeout of " + Durations.format(timeout));
  }

  /**
   * A deadline {@code timeout} from now, described as {@code label} in messages: what set it and
   * its length, as the user wrote it ({@code --timeout 10s}, {@code the verification timeout 2m}).
   */
  public static Deadline in(Duration timeout, String label) {
    if (label == null || label.isBlank()) {
      throw new IllegalArgumentException("a deadline needs a label");
    }
    long now = System.nanoTime();
    return new Deadline(Optional.of(now + timeout.toNanos()), Optional.of(Instant.now().plus(timeout)), label);
  }

  /** The earlier of this deadline and {@code other} (with its label). */
  public Deadline earliest(Deadline other) {
    if (other.endNanos.isEmpty()) {
      return this;
    }
    if (endNanos.isEmpty()) {
      return other;
    }
    return endNanos.get() - other.endNanos.get() <= 0 ? this : other;
  }

  public Optional<Instant> end() {
    return end;
  }

  public boolean isSet() {
    return endNanos.isPresent();
  }

  /** What set it, as messages name it ({@code --timeout 10s}). */
  public String label() {
    return label;
  }

  public boolean expired() {
    return endNanos.isPresent() && System.nanoTime() - endNanos.get() >= 0;
  }

  /** Nanoseconds left (never negative); {@link Long#MAX_VALUE} without a deadline. */
  public long remainingNanos() {
    return endNanos.map(n -> Math.max(0, n - System.nanoTime())).orElse(Long.MAX_VALUE);
  }

  /** {@code limit}, or less when the deadline comes sooner (never below 1 ms, which some APIs read as "none"). */
  public Duration cap(Duration limit) {
    long left = remainingNanos();
    return left >= limit.toNanos() ? limit : Duration.ofNanos(Math.max(left, 1_000_000));
  }

  /** Throws when the deadline has passed or the thread was interrupted (the work was cancelled). */
  public void check() throws DeadlineExceededException {
    if (expired()) {
      throw new DeadlineExceededException(label + " passed before the work finished");
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new DeadlineExceededException("the work was cancelled");
    }
  }

  @Override
  public String toString() {
    return label;
  }

  /** Work stopped because its deadline passed or it was cancelled. */
  public static final class DeadlineExceededException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) {
      super(message);
    }
  }
}
