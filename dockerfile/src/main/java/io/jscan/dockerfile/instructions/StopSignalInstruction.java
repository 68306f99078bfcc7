package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.Objects;

/** {@code STOPSIGNAL signal}: the signal that stops the container. */
public record StopSignalInstruction(SourceLocation location, String signal)
    implements Instruction, Expandable<StopSignalInstruction> {
  public StopSignalInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(signal, "signal");
  }

  @Override
  public String keyword() {
    return "STOPSIGNAL";
  }

  @Override
  public StopSignalInstruction expand(WordExpander expander) throws DockerfileException {
    return new StopSignalInstruction(location, expander.expand(signal, location));
  }
}
