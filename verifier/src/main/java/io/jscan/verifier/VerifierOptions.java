package io.jscan.verifier;

import io.jscan.verifier.files.ScanLimits;
import java.time.Clock;
import java.util.Objects;

/**
 * How a {@link Verifier} works, for all its verifications.
 *
 * @param parallelism threads that read layers at once (each holds a fixed-size window of memory)
 * @param limits bounds on what one image may make jscan read and keep
 * @param evidence finds signatures and attestations (none until the signing issue wires it)
 * @param clock the time policies are evaluated at
 */
public record VerifierOptions(int parallelism, ScanLimits limits, EvidenceProvider evidence, Clock clock) {
  public VerifierOptions {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1");
    }
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(clock, "clock");
  }

  /** One thread per processor (at most 8), default limits, no evidence, the system clock. */
  public static VerifierOptions defaults() {
    return new VerifierOptions(
        Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())), ScanLimits.defaults(), EvidenceProvider.none(), Clock.systemUTC());
  }

  public VerifierOptions withParallelism(int threads) {
    return new VerifierOptions(threads, limits, evidence, clock);
  }

  public VerifierOptions withLimits(ScanLimits newLimits) {
    return new VerifierOptions(parallelism, newLimits, evidence, clock);
  }

  public VerifierOptions withEvidence(EvidenceProvider provider) {
    return new VerifierOptions(parallelism, limits, provider, clock);
  }

  public VerifierOptions withClock(Clock newClock) {
    return new VerifierOptions(parallelism, limits, evidence, newClock);
  }
}
