package io.jscan.builder.steps;

import io.jscan.builder.BuildException;
import io.jscan.dockerfile.instructions.RunInstruction;

/**
 * RUN: runs a command in the stage's root file system and records what it changed as a layer.
 *
 * <p>Not supported yet: it arrives with the RUN issue (an OCI runtime executing the command on an
 * extracted root, then a diff of the file system through {@link StageState#commitLayer}, keyed by
 * the parent ChainID, the command, its environment and mounts). Until then a RUN fails the build
 * as bad input, naming its line, before anything is written.
 */
public final class RunCommandStep implements BuildStep {
  private final RunInstruction run;

  public RunCommandStep(RunInstruction run) {
    this.run = run;
  }

  @Override
  public void apply(StageState stage) throws BuildException {
    throw BuildException.at(
        run.location(),
        "RUN is not supported yet (jscan builds images from files and metadata only for now: use COPY, ADD and"
            + " the config instructions, or build the RUN part elsewhere and COPY --from it)");
  }
}
