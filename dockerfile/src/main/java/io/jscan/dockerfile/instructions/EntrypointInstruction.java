package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.SourceLocation;
import java.util.Objects;

/**
 * {@code ENTRYPOINT ["exec", "form"]} or {@code ENTRYPOINT shell form}. An empty exec form ({@code
 * ENTRYPOINT []}) clears the entrypoint (BuildKit stores none rather than an empty list).
 */
public record EntrypointInstruction(SourceLocation location, CommandLine command) implements Instruction {
  public EntrypointInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(command, "command");
  }

  @Override
  public String keyword() {
    return "ENTRYPOINT";
  }
}
