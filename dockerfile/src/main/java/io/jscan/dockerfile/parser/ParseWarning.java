package io.jscan.dockerfile.parser;

import io.jscan.dockerfile.SourceLocation;
import java.util.Objects;

/** Something BuildKit accepts but warns about (today: empty continuation lines). */
public record ParseWarning(SourceLocation location, String message) {
  public ParseWarning {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
  }
}
