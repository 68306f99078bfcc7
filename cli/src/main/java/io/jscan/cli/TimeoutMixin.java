package io.jscan.cli;

import io.jscan.core.Deadline;
import io.jscan.core.oci.OciException;
import io.jscan.core.text.Durations;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --timeout}: how long a command that reaches registries may take in all (its connections,
 * requests, retries, resumed downloads and token fetches; for verify the whole verification), the
 * whole-operation deadline of the registry client's three
 * limits. Also {@value #ENV} for every command (and for a build's registry operations, which have
 * no flag: each base image pull and each push gets it from its start).
 */
final class TimeoutMixin {
  static final String ENV = "JSCAN_TIMEOUT";

  /**
   * Long enough for a multi-gigabyte pull or push over a slow link, short enough that a registry
   * that trickles bytes cannot hold a CI job for ever (cosign's default is 3 minutes, trivy's 5, for
   * commands that move far less).
   */
  static final Duration DEFAULT = Duration.ofHours(1);

  @Option(names = "--timeout", paramLabel = "DURATION",
      description = "Give up when the command has taken this long in all, registry retries included"
          + " (default: 1h, or " + ENV + "; 0: no limit).")
  String timeout;

  /** The command's deadline, from now. */
  Deadline start(Map<String, String> env) throws OciException {
    return start(timeout, env);
  }

  /** A deadline from now: {@code --timeout} when given, else {@value #ENV}, else {@link #DEFAULT}; none for {@code 0}. */
  static Deadline start(String flag, Map<String, String> env) throws OciException {
    String source;
    String text;
    if (flag != null) {
      source = "--timeout";
      text = flag;
    } else if (env.get(ENV) != null && !env.get(ENV).isBlank()) {
      source = ENV;
      text = env.get(ENV);
    } else {
      return Deadline.in(DEFAULT, "the default timeout of " + Durations.format(DEFAULT) + " (--timeout)");
    }
    Duration d;
    try {
      d = Durations.parseOrZero(text);
    } catch (IllegalArgumentException e) {
      throw OciException.badInput(source, e.getMessage());
    }
    if (d.isZero()) {
      return Deadline.none();
    }
    return Deadline.in(d, source.equals(ENV) ? ENV + "=" + text.trim() : "--timeout " + text.trim());
  }
}
