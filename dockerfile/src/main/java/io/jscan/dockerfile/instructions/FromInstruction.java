package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.SourceLocation;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code FROM [--platform=P] image [AS name]}: starts a build stage. The image and platform are
 * kept unexpanded; the build plan expands them with the global ARGs (those before the first FROM).
 *
 * @param stageName the stage name in lower case (stage names are case-insensitive in BuildKit)
 */
public record FromInstruction(SourceLocation location, String image, Optional<String> stageName, Optional<String> platform)
    implements Instruction {
  /** BuildKit's rule for stage names (after lower-casing). */
  static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9-_.]*");

  public FromInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(stageName, "stageName");
    stageName.ifPresent(n -> {
      if (!STAGE_NAME.matcher(n).matches()) {
        throw new IllegalArgumentException("invalid stage name " + n);
      }
    });
    Objects.requireNonNull(platform, "platform");
  }

  @Override
  public String keyword() {
    return "FROM";
  }
}
