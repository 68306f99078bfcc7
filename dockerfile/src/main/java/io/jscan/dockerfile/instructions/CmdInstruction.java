package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.SourceLocation;
import java.util.Objects;

/** {@code CMD ["exec", "form"]} or {@code CMD shell form}: the container's default command. */
public record CmdInstruction(SourceLocation location, CommandLine command) implements Instruction {
  public CmdInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(command, "command");
  }

  @Override
  public String keyword() {
    return "CMD";
  }
}
