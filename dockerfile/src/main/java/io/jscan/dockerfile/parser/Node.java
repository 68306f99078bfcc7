package io.jscan.dockerfile.parser;

import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.internal.GoText;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One instruction of the syntax tree, holding exactly what a BuildKit AST node holds.
 *
 * @param keyword the instruction word as written ({@code RUN}, {@code run}, or an unknown word)
 * @param flags the {@code --name=value} words before the arguments, quotes and escapes removed; a
 *     bare {@code --} ends them and is not kept
 * @param args the argument values: one per JSON element in exec form; one string for the shell
 *     form of RUN/CMD/ENTRYPOINT/SHELL and for USER/WORKDIR/MAINTAINER/STOPSIGNAL; whitespace-split
 *     words for FROM/EXPOSE and the non-JSON form of ADD/COPY/VOLUME; key, value, separator triples
 *     for ENV/LABEL (separator {@code =} or empty for the legacy {@code KEY value} form); the
 *     words of ARG; for HEALTHCHECK the type then the command; for an unknown instruction one
 *     empty string; empty for ONBUILD, whose instruction is {@link #trigger()}
 * @param trigger the instruction an ONBUILD wraps
 * @param jsonForm true when the arguments were written as a JSON array (exec form)
 * @param heredocs the heredocs read after the line (RUN, COPY and ADD in shell form, also inside ONBUILD)
 * @param location the lines of the instruction, including continuation lines and heredoc bodies
 * @param original the instruction line with continuations joined, as BuildKit keeps it
 * @param comments the comment lines directly before the instruction (without {@code #})
 */
public record Node(
    String keyword,
    List<String> flags,
    List<String> args,
    Optional<Node> trigger,
    boolean jsonForm,
    List<Heredoc> heredocs,
    SourceLocation location,
    String original,
    List<String> comments) {

  public Node {
    Objects.requireNonNull(keyword, "keyword");
    flags = List.copyOf(flags);
    args = List.copyOf(args);
    Objects.requireNonNull(trigger, "trigger");
    heredocs = List.copyOf(heredocs);
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(original, "original");
    comments = List.copyOf(comments);
  }

  /** The keyword in lower case, as BuildKit dispatches on it ({@code run}). */
  public String command() {
    return keyword.toLowerCase(Locale.ROOT);
  }

  /**
   * This node in BuildKit's AST dump format ({@code Node.Dump}): {@code (run ["--flag"] "arg")},
   * values quoted like Go's {@code strconv.Quote}, an ONBUILD trigger nested in parentheses.
   */
  public String dump() {
    StringBuilder out = new StringBuilder(command());
    if (!flags.isEmpty()) {
      out.append(" [");
      for (int i = 0; i < flags.size(); i++) {
        if (i > 0) {
          out.append(' ');
        }
        out.append(GoText.quote(flags.get(i)));
      }
      out.append(']');
    }
    for (String arg : args) {
      out.append(' ').append(GoText.quote(arg));
    }
    trigger.ifPresent(t -> out.append(" (").append(t.dump()).append(')'));
    return GoText.trimSpace(out.toString());
  }
}
