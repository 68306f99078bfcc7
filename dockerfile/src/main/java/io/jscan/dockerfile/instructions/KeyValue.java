package io.jscan.dockerfile.instructions;

import java.util.Objects;

/**
 * One ENV or LABEL entry.
 *
 * @param legacyForm true for {@code ENV key value} (no {@code =}), which BuildKit's lint flags
 */
public record KeyValue(String key, String value, boolean legacyForm) {
  public KeyValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
