package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.SourceLocation;
import java.util.List;
import java.util.Objects;

/** {@code SHELL ["executable", "parameters"]}: the shell used for shell-form commands (JSON form only). */
public record ShellInstruction(SourceLocation location, List<String> shell) implements Instruction {
  public ShellInstruction {
    Objects.requireNonNull(location, "location");
    shell = List.copyOf(shell);
    if (shell.isEmpty()) {
      throw new IllegalArgumentException("SHELL requires at least one argument");
    }
  }

  @Override
  public String keyword() {
    return "SHELL";
  }
}
