package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.shell.WordExpander;

/**
 * An instruction whose words BuildKit expands with the stage's variables before it runs: ADD, COPY,
 * ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and the defaults of ARG (FROM is expanded
 * with the global ARGs by the build plan; RUN's {@code --mount} options by {@link
 * RunInstruction#mounts}).
 *
 * @param <T> the instruction type, returned with its words expanded
 */
public interface Expandable<T extends Instruction> {
  /** This instruction with its expandable words expanded; the expander records the variables used. */
  T expand(WordExpander expander) throws DockerfileException;
}
