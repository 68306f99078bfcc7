package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.SourceLocation;

/**
 * A checked Dockerfile instruction (BuildKit's {@code instructions} package): flags validated,
 * arguments counted, values still unexpanded. Instructions whose words BuildKit expands implement
 * {@link Expandable}; RUN, CMD and ENTRYPOINT commands are left to the shell, ONBUILD to the build
 * that uses the image.
 */
public sealed interface Instruction
    permits AddInstruction,
        ArgInstruction,
        CmdInstruction,
        CopyInstruction,
        EntrypointInstruction,
        EnvInstruction,
        ExposeInstruction,
        FromInstruction,
        HealthcheckInstruction,
        LabelInstruction,
        MaintainerInstruction,
        OnbuildInstruction,
        RunInstruction,
        ShellInstruction,
        StopSignalInstruction,
        UserInstruction,
        VolumeInstruction,
        WorkdirInstruction {

  /** Where the instruction is written. */
  SourceLocation location();

  /** The instruction keyword in upper case ({@code COPY}). */
  String keyword();
}
