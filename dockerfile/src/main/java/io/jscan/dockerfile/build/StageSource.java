package io.jscan.dockerfile.build;

import io.jscan.dockerfile.SourceLocation;
import java.util.Objects;

/**
 * Where an instruction takes files from other than the context: {@code COPY --from} or {@code RUN
 * --mount=from=...}.
 *
 * @param at the instruction
 * @param source an earlier stage or an image
 */
public record StageSource(SourceLocation at, Source source) {
  public StageSource {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(source, "source");
  }

  /** The stage or image. */
  public sealed interface Source {}

  /** A stage of this Dockerfile. */
  public record OfStage(int stageIndex) implements Source {}

  /** An image. */
  public record OfImage(ImageReference reference) implements Source {
    public OfImage {
      Objects.requireNonNull(reference, "reference");
    }
  }
}
