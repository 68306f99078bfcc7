package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.parser.Node;
import java.util.Objects;

/**
 * {@code ONBUILD instruction}: a trigger stored in the image and run by builds that use it as a
 * base. Like BuildKit, the trigger is checked for ONBUILD, FROM and MAINTAINER (not allowed) here,
 * and parsed fully only when it runs ({@link #trigger()}).
 *
 * @param triggerNode the wrapped instruction's syntax tree (with the heredocs of the line)
 * @param expression the trigger as stored in the image config's {@code OnBuild} list
 */
public record OnbuildInstruction(SourceLocation location, Node triggerNode, String expression) implements Instruction {
  public OnbuildInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(triggerNode, "triggerNode");
    Objects.requireNonNull(expression, "expression");
  }

  @Override
  public String keyword() {
    return "ONBUILD";
  }

  /** The wrapped instruction, checked like any other; fails for an unknown instruction or bad flags. */
  public Instruction trigger() throws DockerfileException {
    return Instructions.parse(triggerNode);
  }
}
