package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.List;
import java.util.Objects;

/** {@code ENV key=value ...} or the legacy {@code ENV key value}. */
public record EnvInstruction(SourceLocation location, List<KeyValue> variables)
    implements Instruction, Expandable<EnvInstruction> {
  public EnvInstruction {
    Objects.requireNonNull(location, "location");
    variables = List.copyOf(variables);
    if (variables.isEmpty()) {
      throw new IllegalArgumentException("ENV requires at least one argument");
    }
  }

  @Override
  public String keyword() {
    return "ENV";
  }

  @Override
  public EnvInstruction expand(WordExpander expander) throws DockerfileException {
    return new EnvInstruction(location, KeyValues.expand(variables, expander, location));
  }
}
