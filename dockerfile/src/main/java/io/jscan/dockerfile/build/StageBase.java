package io.jscan.dockerfile.build;

import java.util.Objects;

/** What a stage starts from. */
public sealed interface StageBase {

  /** {@code FROM scratch}: an empty filesystem. */
  record Scratch() implements StageBase {}

  /** An image to pull. */
  record Image(ImageReference reference) implements StageBase {
    public Image {
      Objects.requireNonNull(reference, "reference");
    }
  }

  /** An earlier stage of the same Dockerfile. */
  record FromStage(int stageIndex) implements StageBase {
    public FromStage {
      if (stageIndex < 0) {
        throw new IllegalArgumentException("negative stage index");
      }
    }
  }
}
