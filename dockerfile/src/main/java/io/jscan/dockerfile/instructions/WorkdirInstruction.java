package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.Objects;

/** {@code WORKDIR path}: the working directory of the rest of the stage and of the container. */
public record WorkdirInstruction(SourceLocation location, String path)
    implements Instruction, Expandable<WorkdirInstruction> {
  public WorkdirInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(path, "path");
  }

  @Override
  public String keyword() {
    return "WORKDIR";
  }

  @Override
  public WorkdirInstruction expand(WordExpander expander) throws DockerfileException {
    return new WorkdirInstruction(location, expander.expand(path, location));
  }
}
