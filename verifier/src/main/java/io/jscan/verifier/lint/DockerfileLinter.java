package io.jscan.verifier.lint;

import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.Stage;
import io.jscan.dockerfile.instructions.AddInstruction;
import io.jscan.dockerfile.instructions.CmdInstruction;
import io.jscan.dockerfile.instructions.EntrypointInstruction;
import io.jscan.dockerfile.instructions.FromInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import io.jscan.dockerfile.instructions.MaintainerInstruction;
import io.jscan.dockerfile.instructions.RunInstruction;
import io.jscan.dockerfile.instructions.ShellInstruction;
import io.jscan.dockerfile.instructions.UserInstruction;
import io.jscan.dockerfile.instructions.WorkdirInstruction;
import io.jscan.dockerfile.parser.Heredoc;
import io.jscan.verifier.Category;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import io.jscan.verifier.Mode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Lints a parsed Dockerfile with the rules of {@link LintRule}. Findings carry the instruction's
 * lines, are enforced (a stand-alone lint fails on them; under {@code jscan verify} the policy's
 * {@code dockerfile-lint} rule decides) and are ordered by line.
 */
public final class DockerfileLinter {
  private static final List<String> ARCHIVE_SUFFIXES = List.of(
      ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz", ".xz");
  private static final Set<String> PIPEFAIL_SHELLS = Set.of("bash", "zsh", "ash");
  private static final List<String> NON_POSIX_SHELLS = List.of("pwsh", "powershell", "cmd");

  private DockerfileLinter() {}

  /**
   * The lint findings of {@code dockerfile}.
   *
   * @throws DockerfileException when the Dockerfile passes a limit ({@link DockerfileException#overLimit()})
   */
  public static List<Finding> lint(Dockerfile dockerfile) throws DockerfileException {
    List<Finding> out = new ArrayList<>();
    Set<String> stageNames = new HashSet<>();
    for (Stage stage : dockerfile.stages()) {
      from(stage.from(), stageNames, out);
      stage.name().ifPresent(stageNames::add);
      boolean pipefail = false;
      UserInstruction lastRootUser = null;
      for (Instruction i : stage.instructions()) {
        if (i instanceof WorkdirInstruction w && !absoluteWorkdir(w.path())) {
          out.add(finding(LintRule.DL3000, "WORKDIR " + w.path() + " is relative", w.location()));
        } else if (i instanceof UserInstruction u) {
          lastRootUser = isRoot(u.user()) ? u : null;
        } else if (i instanceof AddInstruction a) {
          add(a, out);
        } else if (i instanceof CmdInstruction c && !c.command().execForm()) {
          out.add(finding(LintRule.DL3025, "CMD uses the shell form", c.location()));
        } else if (i instanceof EntrypointInstruction e && !e.command().execForm()) {
          out.add(finding(LintRule.DL3025, "ENTRYPOINT uses the shell form", e.location()));
        } else if (i instanceof MaintainerInstruction m) {
          out.add(finding(LintRule.DL4000, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors", m.location()));
        } else if (i instanceof ShellInstruction s) {
          pipefail = setsPipefail(s.shell());
        } else if (i instanceof RunInstruction r && !pipefail && runHasPipe(r)) {
          out.add(finding(LintRule.DL4006, "RUN has a pipe but the shell does not set -o pipefail", r.location()));
        }
      }
      if (lastRootUser != null) {
        out.add(finding(LintRule.DL3002, "the last USER of stage " + stage.displayName() + " is " + lastRootUser.user(), lastRootUser.location()));
      }
    }
    DockerfileFacts facts = DockerfileFacts.of(dockerfile);
    if (facts.maintainer().isEmpty()) {
      out.add(finding(LintRule.JS0001, "the final stage names no maintainer (LABEL org.opencontainers.image.authors)", facts.finalFrom()));
    }
    out.sort((x, y) -> Integer.compare(line(x), line(y)));
    return List.copyOf(out);
  }

  private static int line(Finding f) {
    return f.location().map(l -> l instanceof Location.InDockerfile d ? d.startLine() : 0).orElse(0);
  }

  private static void from(FromInstruction from, Set<String> stageNames, List<Finding> out) {
    String image = from.image();
    if (image.contains("$") || image.equalsIgnoreCase("scratch")) {
      // names built from ARGs are judged on their expansion by the policy rules, not here
      return;
    }
    if (stageNames.contains(image.toLowerCase(Locale.ROOT))) {
      return;
    }
    String rest = image;
    boolean digest = false;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = true;
      rest = rest.substring(0, at);
    }
    int colon = rest.lastIndexOf(':');
    Optional<String> tag = colon > rest.lastIndexOf('/') ? Optional.of(rest.substring(colon + 1)) : Optional.empty();
    if (tag.isEmpty() && !digest) {
      out.add(finding(LintRule.DL3006, "FROM " + image + " has no tag", from.location()));
    } else if (tag.isPresent() && tag.get().equals("latest")) {
      // hadolint's DL3007 looks at the tag only: latest@sha256:… still says the Dockerfile wants latest
      out.add(finding(LintRule.DL3007, "FROM " + image + " uses the latest tag" + (digest ? " (a digest after it does not change that)" : ""),
          from.location()));
    }
  }

  private static void add(AddInstruction a, List<Finding> out) {
    boolean plainLocal = false;
    boolean urlWithoutChecksum = false;
    for (String source : a.sources()) {
      String s = dropQuotes(source);
      boolean url = s.startsWith("https://") || s.startsWith("http://");
      boolean archive = ARCHIVE_SUFFIXES.stream().anyMatch(s::endsWith);
      if (!url && !archive) {
        plainLocal = true;
      }
      if (url && a.checksum().isEmpty() && !s.endsWith(".git") && !s.contains(".git#")) {
        urlWithoutChecksum = true;
      }
    }
    if (plainLocal) {
      out.add(finding(LintRule.DL3020, "ADD copies plain local files; use COPY", a.location()));
    }
    if (urlWithoutChecksum) {
      out.add(finding(LintRule.JS0002, "ADD fetches a URL without --checksum", a.location()));
    }
  }

  static boolean absoluteWorkdir(String path) {
    String p = dropQuotes(path);
    return p.startsWith("$") || p.startsWith("/")
        || (p.length() >= 2 && Character.isLetter(p.charAt(0)) && p.charAt(1) == ':');
  }

  static boolean isRoot(String user) {
    return user.equals("root") || user.equals("0") || user.startsWith("root:") || user.startsWith("0:");
  }

  /** hadolint's rule: a non-POSIX shell needs no pipefail; bash, zsh and ash need {@code -o pipefail}. */
  static boolean setsPipefail(List<String> shell) {
    String executable = basename(shell.get(0));
    if (NON_POSIX_SHELLS.stream().anyMatch(executable::startsWith)) {
      return true;
    }
    if (!PIPEFAIL_SHELLS.contains(executable)) {
      return false;
    }
    boolean optionFlag = false;
    for (String arg : shell.subList(1, shell.size())) {
      if (arg.startsWith("-") && !arg.startsWith("--") && arg.indexOf('o') > 0) {
        optionFlag = true;
      } else if (optionFlag && arg.equals("pipefail")) {
        return true;
      }
    }
    return false;
  }

  private static boolean runHasPipe(RunInstruction r) {
    if (!r.command().execForm() && r.command().arguments().stream().anyMatch(ShellPipes::hasPipe)) {
      return true;
    }
    // heredoc bodies of a shell-form RUN are its script
    return !r.command().execForm() && r.heredocs().stream().map(Heredoc::content).anyMatch(ShellPipes::hasPipe);
  }

  private static String basename(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    String base = slash < 0 ? path : path.substring(slash + 1);
    return base.toLowerCase(Locale.ROOT).replaceAll("\\.exe$", "");
  }

  private static String dropQuotes(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == '"' || s.charAt(start) == '\'')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == '"' || s.charAt(end - 1) == '\'')) {
      end--;
    }
    return s.substring(start, end);
  }

  static Finding finding(LintRule rule, String message, SourceLocation at) {
    return new Finding(
        rule.id(), Optional.empty(), rule.severity(), Mode.ENFORCE, Category.LINT, message,
        Optional.of(new Location.InDockerfile(at.file(), at.startLine(), at.endLine())), Optional.empty());
  }
}
