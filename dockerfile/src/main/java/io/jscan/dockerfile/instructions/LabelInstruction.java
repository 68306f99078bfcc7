package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.List;
import java.util.Objects;

/** {@code LABEL key=value ...} or the legacy {@code LABEL key value}. */
public record LabelInstruction(SourceLocation location, List<KeyValue> labels)
    implements Instruction, Expandable<LabelInstruction> {
  public LabelInstruction {
    Objects.requireNonNull(location, "location");
    labels = List.copyOf(labels);
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("LABEL requires at least one argument");
    }
  }

  @Override
  public String keyword() {
    return "LABEL";
  }

  @Override
  public LabelInstruction expand(WordExpander expander) throws DockerfileException {
    return new LabelInstruction(location, KeyValues.expand(labels, expander, location));
  }
}
