package io.jscan.dockerfile.instructions;

import java.util.Objects;
import java.util.Optional;

/** One name of an ARG instruction and its default value, if it has one ({@code ARG A=} has the empty default). */
public record ArgDefinition(String name, Optional<String> defaultValue) {
  public ArgDefinition {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("ARG names can not be blank");
    }
    Objects.requireNonNull(defaultValue, "defaultValue");
  }
}
