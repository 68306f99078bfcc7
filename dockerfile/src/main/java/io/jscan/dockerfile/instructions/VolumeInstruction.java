package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.List;
import java.util.Objects;

/** {@code VOLUME /path ...} or {@code VOLUME ["/path"]}. */
public record VolumeInstruction(SourceLocation location, List<String> volumes)
    implements Instruction, Expandable<VolumeInstruction> {
  public VolumeInstruction {
    Objects.requireNonNull(location, "location");
    volumes = List.copyOf(volumes);
    if (volumes.isEmpty()) {
      throw new IllegalArgumentException("VOLUME requires at least one argument");
    }
  }

  @Override
  public String keyword() {
    return "VOLUME";
  }

  @Override
  public VolumeInstruction expand(WordExpander expander) throws DockerfileException {
    return new VolumeInstruction(location, KeyValues.expandAll(volumes, expander, location));
  }
}
