package io.jscan.core.transport.registry;

import java.time.Duration;

/**
 * How often and how long the registry client retries what can be retried: connection failures
 * (refused, reset, cut mid-body), {@code 408 Request Timeout}, {@code 429 Too Many Requests} and
 * {@code 5xx} (as go-containerregistry and containerd do). Delays grow exponentially from
 * {@code initialDelay} to {@code maxDelay}; a {@code Retry-After} header is honoured instead, up
 * to {@code maxRetryAfter}: a registry asking for a longer wait fails at once with that wait in
 * the message, rather than hanging a CI job.
 *
 * @param maxAttempts tries in all, the first included (1 = no retries)
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration maxRetryAfter) {
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (initialDelay.isNegative() || maxDelay.isNegative() || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("retry delays cannot be negative");
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay must not be below initialDelay");
    }
  }

  /** 5 tries, 0.5 s doubling to 8 s, Retry-After honoured up to 2 minutes. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofMinutes(2));

  /** The delay before try number {@code attempt + 1} (attempt counts from 1), without jitter. */
  public Duration backoff(int attempt) {
    long millis = initialDelay.toMillis();
    for (int i = 1; i < attempt && millis < maxDelay.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
  }

  public RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialDelay, maxDelay, maxRetryAfter);
  }
}
