package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.Objects;

/** {@code USER user}: the user (and group) the rest of the stage and the container run as. */
public record UserInstruction(SourceLocation location, String user)
    implements Instruction, Expandable<UserInstruction> {
  public UserInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(user, "user");
  }

  @Override
  public String keyword() {
    return "USER";
  }

  @Override
  public UserInstruction expand(WordExpander expander) throws DockerfileException {
    return new UserInstruction(location, expander.expand(user, location));
  }
}
