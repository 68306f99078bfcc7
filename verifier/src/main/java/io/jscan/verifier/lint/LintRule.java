package io.jscan.verifier.lint;

import io.jscan.verifier.Severity;

/**
 * The Dockerfile rules. Where hadolint has a rule with the same meaning, its id, severity and
 * semantics are used (hadolint's README lists them); jscan's own rules are numbered {@code JSnnnn}.
 */
public enum LintRule {
  DL3000("DL3000", Severity.ERROR, "Use absolute WORKDIR",
      "A relative WORKDIR depends on the previous WORKDIR and is easy to misread. Paths starting with a variable ($HOME) or a Windows drive are accepted."),
  DL3002("DL3002", Severity.WARNING, "Last USER should not be root",
      "The last USER of a stage decides who its container runs as; root there gives the process full control of the container."),
  DL3006("DL3006", Severity.WARNING, "Always tag the version of an image explicitly",
      "FROM without a tag means latest, which changes under you. Not reported for scratch, earlier stage names, digests or names built from ARGs."),
  DL3007("DL3007", Severity.WARNING, "Using latest is prone to errors if the image will ever update",
      "Pin a release tag instead of latest. Reported with a digest after latest too (image:latest@sha256:…), as hadolint does: the tag says the Dockerfile follows latest; write image@sha256:… or image:1.2@sha256:… instead."),
  DL3020("DL3020", Severity.ERROR, "Use COPY instead of ADD for files and folders",
      "ADD also fetches URLs and unpacks archives; for plain local files use COPY, which does only what it says."),
  DL3025("DL3025", Severity.WARNING, "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
      "The shell form runs the command under /bin/sh -c, which does not forward signals, so the container ignores SIGTERM."),
  DL4000("DL4000", Severity.ERROR, "MAINTAINER is deprecated",
      "Use LABEL org.opencontainers.image.authors=\"…\" instead."),
  DL4006("DL4006", Severity.WARNING, "Set the SHELL option -o pipefail before RUN with a pipe in it",
      "Without pipefail a pipeline succeeds when its last command does, hiding failures of the others. Use SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] (or zsh/ash with -o pipefail, or a non-POSIX shell)."),
  JS0001("JS0001", Severity.INFO, "No maintainer or authors label",
      "The final stage sets neither LABEL org.opencontainers.image.authors nor LABEL maintainer (nor MAINTAINER), so nobody is named as responsible for the image."),
  JS0002("JS0002", Severity.WARNING, "ADD from a URL without --checksum",
      "Content fetched from a URL can change between builds; ADD --checksum=sha256:… pins it.");

  private final String id;
  private final Severity severity;
  private final String title;
  private final String help;

  LintRule(String id, Severity severity, String title, String help) {
    this.id = id;
    this.severity = severity;
    this.title = title;
    this.help = help;
  }

  public String id() {
    return id;
  }

  public Severity severity() {
    return severity;
  }

  public String title() {
    return title;
  }

  public String help() {
    return help;
  }

  /** The rule with {@code id}, if it is a lint rule. */
  public static java.util.Optional<LintRule> byId(String id) {
    for (LintRule r : values()) {
      if (r.id.equals(id)) {
        return java.util.Optional.of(r);
      }
    }
    return java.util.Optional.empty();
  }
}
