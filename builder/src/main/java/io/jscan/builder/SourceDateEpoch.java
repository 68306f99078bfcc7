package io.jscan.builder;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The build's reference time (reproducible-builds.org's SOURCE_DATE_EPOCH): every file of a layer
 * jscan writes gets it as mtime, and the config's {@code created} and every history entry jscan
 * adds get it as their time.
 *
 * <p>Read as BuildKit reads it: the build argument {@code SOURCE_DATE_EPOCH} wins over the
 * environment variable of the same name. <b>When neither is set the value is 0</b>
 * (1970-01-01T00:00:00Z): the build still never reads the clock, so its output stays reproducible,
 * and 0 is what Jib, ko and apko use as their fixed time.
 *
 * @param seconds whole seconds since the Unix epoch, 0 to 077777777777 (what a ustar header holds)
 * @param source where the value came from, for messages ("--build-arg", "environment", "default")
 */
public record SourceDateEpoch(long seconds, String source) {
  public static final String NAME = "SOURCE_DATE_EPOCH";
  /** The default when SOURCE_DATE_EPOCH is set nowhere. */
  public static final long DEFAULT = 0;
  private static final long MAX = 077777777777L;

  public SourceDateEpoch {
    if (seconds < 0 || seconds > MAX) {
      throw new IllegalArgumentException("SOURCE_DATE_EPOCH out of range: " + seconds);
    }
  }

  public Instant instant() {
    return Instant.ofEpochSecond(seconds);
  }

  /**
   * The value for a build.
   *
   * @throws BuildException bad input when the value is not a non-negative integer
   */
  public static SourceDateEpoch resolve(Map<String, String> buildArgs, Map<String, String> environment) throws BuildException {
    Optional<String> arg = Optional.ofNullable(buildArgs.get(NAME));
    if (arg.isPresent()) {
      return new SourceDateEpoch(parse(arg.get(), "--build-arg " + NAME), "--build-arg");
    }
    String env = environment.get(NAME);
    if (env != null && !env.isEmpty()) {
      return new SourceDateEpoch(parse(env, "environment variable " + NAME), "environment");
    }
    return new SourceDateEpoch(DEFAULT, "default");
  }

  private static long parse(String value, String what) throws BuildException {
    if (!value.matches("[0-9]{1,12}")) {
      throw BuildException.badInput(what, "\"" + value + "\" is not a number of seconds since 1970-01-01 (e.g. $(git log -1 --format=%ct))");
    }
    long v = Long.parseLong(value);
    if (v > MAX) {
      throw BuildException.badInput(what, value + " is too large (at most " + MAX + ")");
    }
    return v;
  }
}
