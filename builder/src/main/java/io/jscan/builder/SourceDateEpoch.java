package io.jscan.builder;

import io.jscan.builder.context.LastCommit;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The build's reference time (reproducible-builds.org's SOURCE_DATE_EPOCH): every file of a layer
 * jscan writes gets it as mtime, and the config's {@code created} and every history entry jscan
 * adds get it as their time.
 *
 * <p>Read as BuildKit reads it: the build argument {@code SOURCE_DATE_EPOCH} wins over the
 * environment variable of the same name. When neither is set and the build context is in a git
 * work tree, it is the time of the work tree's last commit ({@code git log -1 --pretty=%ct}, the
 * Reproducible Builds convention: the same commit gives the same time on any machine, clock, time
 * zone or locale; uncommitted changes do not move it). <b>Otherwise it is 0</b>
 * (1970-01-01T00:00:00Z): the build still never reads the clock, so its output stays reproducible,
 * and 0 is what Jib, ko and apko use as their fixed time.
 *
 * @param seconds whole seconds since the Unix epoch, 0 to 077777777777 (what a ustar header holds)
 * @param source where the value came from: {@value #BUILD_ARG}, {@value #ENVIRONMENT}, {@value #GIT}
 *     or {@value #DEFAULT}
 * @param gitCommit for {@value #GIT}: the commit whose time it is (full id)
 */
public record SourceDateEpoch(long seconds, String source, Optional<String> gitCommit) {
  public static final String NAME = "SOURCE_DATE_EPOCH";
  /** The default when SOURCE_DATE_EPOCH is set nowhere and there is no git commit to take it from. */
  public static final long DEFAULT = 0;
  public static final String BUILD_ARG = "--build-arg";
  public static final String ENVIRONMENT = "environment";
  public static final String GIT = "git";
  public static final String DEFAULT_SOURCE = "default";
  private static final long MAX = 077777777777L;

  public SourceDateEpoch {
    if (seconds < 0 || seconds > MAX) {
      throw new IllegalArgumentException("SOURCE_DATE_EPOCH out of range: " + seconds);
    }
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(gitCommit, "gitCommit");
    if (gitCommit.isPresent() != source.equals(GIT)) {
      throw new IllegalArgumentException("a git commit is named exactly when the time comes from git");
    }
  }

  public SourceDateEpoch(long seconds, String source) {
    this(seconds, source, Optional.empty());
  }

  public Instant instant() {
    return Instant.ofEpochSecond(seconds);
  }

  /**
   * The value for a build, and what the build log should say about it: where a value nobody set
   * came from (the last commit, or 0 and why).
   */
  public record Resolution(SourceDateEpoch epoch, Optional<String> message) {
    public Resolution {
      Objects.requireNonNull(epoch, "epoch");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * The value for a build whose context is {@code context}: the build argument, else the
   * environment variable, else the last git commit of the work tree {@code context} is in (the
   * {@code git} command found on {@code environment}'s PATH), else 0.
   *
   * @throws BuildException bad input when a value given is not a non-negative integer
   */
  public static Resolution resolve(Map<String, String> buildArgs, Map<String, String> environment, Path context) throws BuildException {
    Optional<String> arg = Optional.ofNullable(buildArgs.get(NAME));
    if (arg.isPresent()) {
      return new Resolution(new SourceDateEpoch(parse(arg.get(), "--build-arg " + NAME), BUILD_ARG), Optional.empty());
    }
    String env = environment.get(NAME);
    if (env != null && !env.isEmpty()) {
      return new Resolution(new SourceDateEpoch(parse(env, "environment variable " + NAME), ENVIRONMENT), Optional.empty());
    }
    Path where = context.toAbsolutePath().normalize();
    LastCommit.Lookup last = LastCommit.of(where, environment);
    if (last instanceof LastCommit.Found found) {
      if (found.committerSeconds() < 0 || found.committerSeconds() > MAX) {
        return unset("the last git commit (" + found.shortCommit() + ") of " + where + " has a time out of range ("
            + found.committerSeconds() + ")");
      }
      return new Resolution(new SourceDateEpoch(found.committerSeconds(), GIT, Optional.of(found.commit())), Optional.of(
          NAME + "=" + found.committerSeconds() + " from the last git commit (" + found.shortCommit() + ") of " + where
              + " (uncommitted changes do not move it; set " + NAME + " to choose another time)"));
    }
    return unset(((LastCommit.NotFound) last).reason());
  }

  private static Resolution unset(String why) {
    return new Resolution(new SourceDateEpoch(DEFAULT, DEFAULT_SOURCE), Optional.of(
        NAME + "=" + DEFAULT + " (" + Instant.ofEpochSecond(DEFAULT) + "): not set, and " + why));
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
