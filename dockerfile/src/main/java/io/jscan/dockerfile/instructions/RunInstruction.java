package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.parser.Heredoc;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code RUN [--mount=...]... [--network=default|none|host] [--security=sandbox|insecure] command}.
 * The command is not expanded by the front end: the shell does that when the step runs.
 *
 * @param heredocs heredoc bodies; for a shell-form RUN they are the script's inline files
 * @param mounts the {@code --mount} values, expanded and typed by {@link #mounts(WordExpander)}
 */
public record RunInstruction(
    SourceLocation location,
    CommandLine command,
    List<Heredoc> heredocs,
    List<MountSpec> mounts,
    NetworkMode network,
    SecurityMode security)
    implements Instruction {

  public RunInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(command, "command");
    heredocs = List.copyOf(heredocs);
    mounts = List.copyOf(mounts);
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(security, "security");
  }

  @Override
  public String keyword() {
    return "RUN";
  }

  /**
   * The mounts with their option values expanded and checked, as BuildKit does when it runs the
   * step (unknown keys, bad types, a secret without target, ... fail here).
   */
  public List<Mount> mounts(WordExpander expander) throws DockerfileException {
    List<Mount> out = new ArrayList<>();
    for (MountSpec spec : mounts) {
      out.add(Mounts.resolve(spec, value -> expander.expand(value, location), location));
    }
    return out;
  }
}
