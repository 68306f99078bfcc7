package io.jscan.dockerfile.build;

import io.jscan.core.oci.Platform;
import io.jscan.dockerfile.Stage;
import io.jscan.dockerfile.instructions.Instruction;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A stage the target needs, resolved against the build options.
 *
 * @param stage the stage as written
 * @param base what the FROM line resolved to, with the global ARGs expanded
 * @param platform the {@code FROM --platform} value, expanded and parsed
 * @param argsUsedByFrom the global ARGs the FROM line read (they belong in the stage's cache key)
 * @param sources the other stages and images the stage's instructions copy or mount from
 * @param inheritedTriggers ONBUILD triggers of the base stage, run before the stage's own instructions
 */
public record PlannedStage(
    Stage stage,
    StageBase base,
    Optional<Platform> platform,
    Set<String> argsUsedByFrom,
    List<StageSource> sources,
    List<Instruction> inheritedTriggers) {
  public PlannedStage {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(platform, "platform");
    argsUsedByFrom = Collections.unmodifiableSet(new LinkedHashSet<>(argsUsedByFrom));
    sources = List.copyOf(sources);
    inheritedTriggers = List.copyOf(inheritedTriggers);
  }
}
