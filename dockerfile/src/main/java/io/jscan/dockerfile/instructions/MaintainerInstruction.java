package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.SourceLocation;
import java.util.Objects;

/** {@code MAINTAINER name} (deprecated; sets the image author). */
public record MaintainerInstruction(SourceLocation location, String maintainer) implements Instruction {
  public MaintainerInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(maintainer, "maintainer");
  }

  @Override
  public String keyword() {
    return "MAINTAINER";
  }
}
