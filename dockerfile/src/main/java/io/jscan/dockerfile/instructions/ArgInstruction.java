package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ARG name[=default] ...}: declares build arguments. Before the first FROM it declares
 * global ARGs (usable in FROM lines); inside a stage it makes an argument visible to that stage.
 */
public record ArgInstruction(SourceLocation location, List<ArgDefinition> arguments)
    implements Instruction, Expandable<ArgInstruction> {
  public ArgInstruction {
    Objects.requireNonNull(location, "location");
    arguments = List.copyOf(arguments);
    if (arguments.isEmpty()) {
      throw new IllegalArgumentException("ARG requires at least one argument");
    }
  }

  @Override
  public String keyword() {
    return "ARG";
  }

  /**
   * Default values expanded (names are not). Note that BuildKit expands a default only when no
   * {@code --build-arg} overrides it; {@code StageEnvironment} applies that rule.
   */
  @Override
  public ArgInstruction expand(WordExpander expander) throws DockerfileException {
    List<ArgDefinition> out = new ArrayList<>();
    for (ArgDefinition a : arguments) {
      Optional<String> value = KeyValues.expand(a.defaultValue(), expander, location);
      out.add(new ArgDefinition(a.name(), value));
    }
    return new ArgInstruction(location, out);
  }
}
