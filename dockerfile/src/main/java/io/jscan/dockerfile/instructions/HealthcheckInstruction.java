package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.SourceLocation;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code HEALTHCHECK NONE} or {@code HEALTHCHECK [--interval] [--timeout] [--start-period]
 * [--start-interval] [--retries] CMD command}, in the image config's terms.
 *
 * @param test {@code ["NONE"]}, {@code ["CMD", args...]} (exec form) or {@code ["CMD-SHELL", command]}
 * @param interval zero when not given (the runtime default applies), as in the image config
 * @param retries zero when not given
 */
public record HealthcheckInstruction(
    SourceLocation location,
    List<String> test,
    Duration interval,
    Duration timeout,
    Duration startPeriod,
    Duration startInterval,
    int retries)
    implements Instruction {

  public HealthcheckInstruction {
    Objects.requireNonNull(location, "location");
    test = List.copyOf(test);
    if (test.isEmpty() || !List.of("NONE", "CMD", "CMD-SHELL").contains(test.get(0))) {
      throw new IllegalArgumentException("healthcheck test must start with NONE, CMD or CMD-SHELL");
    }
    for (Duration d : List.of(interval, timeout, startPeriod, startInterval)) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("negative healthcheck duration " + d);
      }
    }
    if (retries < 0) {
      throw new IllegalArgumentException("--retries cannot be negative (" + retries + ")");
    }
  }

  /** Whether this is {@code HEALTHCHECK NONE}, which disables a health check inherited from the base image. */
  public boolean disablesHealthcheck() {
    return test.get(0).equals("NONE");
  }

  @Override
  public String keyword() {
    return "HEALTHCHECK";
  }
}
