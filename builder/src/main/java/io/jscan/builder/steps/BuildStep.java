package io.jscan.builder.steps;

import io.jscan.core.JscanException;
import io.jscan.dockerfile.instructions.AddInstruction;
import io.jscan.dockerfile.instructions.CopyInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import io.jscan.dockerfile.instructions.RunInstruction;
import io.jscan.dockerfile.instructions.WorkdirInstruction;

/**
 * One instruction applied to a stage. Steps are small and named verb-noun; each reads the stage
 * ({@link StageState}) and changes its config, history or layers. A step that makes a layer goes
 * through {@link StageState#commitLayer}, which owns caching.
 */
public interface BuildStep {

  /** Applies the step. Errors about the instruction name its file and line. */
  void apply(StageState stage) throws JscanException;

  /** The step for an instruction of a stage (FROM is {@link ResolveBaseImageStep}'s). */
  static BuildStep of(Instruction instruction) {
    if (instruction instanceof CopyInstruction copy) {
      return CopyFilesStep.copy(copy);
    }
    if (instruction instanceof AddInstruction add) {
      return CopyFilesStep.add(add);
    }
    if (instruction instanceof WorkdirInstruction workdir) {
      return new MakeWorkdirStep(workdir);
    }
    if (instruction instanceof RunInstruction run) {
      return new RunCommandStep(run);
    }
    return new ApplyConfigStep(instruction);
  }
}
