package io.jscan.dockerfile.instructions;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code --mount} value as written, split into its comma-separated fields, with the {@code
 * from=} source known before expansion (BuildKit resolves stage dependencies from it before any
 * variable is known, so it may not contain variables).
 */
public record MountSpec(String text, List<String> fields, Optional<String> from) {
  public MountSpec {
    Objects.requireNonNull(text, "text");
    fields = List.copyOf(fields);
    Objects.requireNonNull(from, "from");
  }
}
