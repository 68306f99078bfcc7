package io.jscan.dockerfile.shell;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A word after expansion (BuildKit's {@code ProcessWord}), with the variables it read: {@link
 * #usedVariables()} were set (a build step's cache key must include the build arguments among
 * them), {@link #unsetVariables()} were referenced but not set (lint reports those).
 */
public record ExpandedWord(String value, Set<String> usedVariables, Set<String> unsetVariables) {
  public ExpandedWord {
    Objects.requireNonNull(value, "value");
    usedVariables = Collections.unmodifiableSet(new LinkedHashSet<>(usedVariables));
    unsetVariables = Collections.unmodifiableSet(new LinkedHashSet<>(unsetVariables));
  }
}
