package io.jscan.dockerfile;

import io.jscan.dockerfile.instructions.FromInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A build stage: its FROM and the instructions up to the next FROM.
 *
 * @param index the stage's position, from 0 ({@code COPY --from=0} refers to it)
 * @param name the {@code AS} name in lower case
 */
public record Stage(int index, Optional<String> name, FromInstruction from, List<Instruction> instructions) {
  public Stage {
    if (index < 0) {
      throw new IllegalArgumentException("negative stage index " + index);
    }
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(from, "from");
    instructions = List.copyOf(instructions);
  }

  /** The name BuildKit shows for the stage: its name, or {@code stage-N}. */
  public String displayName() {
    return name.orElse("stage-" + index);
  }
}
