package io.jscan.dockerfile.instructions;

import java.util.List;

/**
 * The command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD.
 *
 * @param arguments the exec-form words, or the single shell-form string
 * @param execForm true for the JSON form (run as is); false for the shell form (run through the
 *     stage's SHELL, {@code /bin/sh -c} by default)
 */
public record CommandLine(List<String> arguments, boolean execForm) {
  public CommandLine {
    arguments = List.copyOf(arguments);
    if (!execForm && arguments.size() > 1) {
      throw new IllegalArgumentException("a shell-form command is one string");
    }
  }
}
