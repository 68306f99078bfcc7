package io.jscan.dockerfile.build;

import io.jscan.core.oci.Platform;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a build asks of a Dockerfile.
 *
 * @param target the stage to build ({@code --target}); empty: the last stage
 * @param buildArgs {@code --build-arg} values
 * @param buildPlatform the platform the build runs on ({@code BUILDPLATFORM})
 * @param targetPlatform the platform the image is for ({@code TARGETPLATFORM})
 */
public record BuildOptions(
    Optional<String> target, Map<String, String> buildArgs, Platform buildPlatform, Platform targetPlatform) {
  public BuildOptions {
    Objects.requireNonNull(target, "target");
    buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
    Objects.requireNonNull(buildPlatform, "buildPlatform");
    Objects.requireNonNull(targetPlatform, "targetPlatform");
  }

  /** The last stage, no build arguments, building for linux/amd64 on linux/amd64. */
  public static BuildOptions defaults() {
    return new BuildOptions(Optional.empty(), Map.of(), Platform.LINUX_AMD64, Platform.LINUX_AMD64);
  }

  public BuildOptions withTarget(String stage) {
    return new BuildOptions(Optional.of(stage), buildArgs, buildPlatform, targetPlatform);
  }

  public BuildOptions withBuildArgs(Map<String, String> args) {
    return new BuildOptions(target, args, buildPlatform, targetPlatform);
  }

  public BuildOptions withPlatforms(Platform build, Platform target) {
    return new BuildOptions(this.target, buildArgs, build, target);
  }
}
