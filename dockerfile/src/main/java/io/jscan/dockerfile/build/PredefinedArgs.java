package io.jscan.dockerfile.build;

import io.jscan.core.oci.Platform;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The build arguments BuildKit defines without an ARG in the global scope (platform.go {@code
 * defaultArgs}): a stage uses one after {@code ARG NAME} without a default. A {@code --build-arg}
 * of the same name overrides the value.
 */
public final class PredefinedArgs {
  /** The platform arguments, in BuildKit's order. */
  public static final List<String> PLATFORM_ARGS = List.of(
      "BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
      "TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE");

  /** The proxy arguments: passed to RUN without ARG, never recorded (matched case-insensitively). */
  public static final List<String> PROXY_ARGS = List.of("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY");

  /** Operating systems containerd recognises when a platform is given as one word. */
  static final Set<String> KNOWN_OS = Set.of(
      "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd",
      "openbsd", "plan9", "solaris", "wasip1", "windows", "zos");

  private PredefinedArgs() {}

  /**
   * The predefined values for a build; {@code targetStage} is the target's name ({@code default}
   * when the target stage has none).
   */
  public static Map<String, String> defaults(BuildOptions options, String targetStage) {
    Platform build = options.buildPlatform();
    Platform target = options.targetPlatform();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("BUILDPLATFORM", build.toString());
    values.put("BUILDOS", build.os());
    values.put("BUILDOSVERSION", build.osVersion().orElse(""));
    values.put("BUILDARCH", build.architecture());
    values.put("BUILDVARIANT", build.variant().orElse(""));
    values.put("TARGETPLATFORM", target.toString());
    values.put("TARGETOS", target.os());
    values.put("TARGETOSVERSION", target.osVersion().orElse(""));
    values.put("TARGETARCH", target.architecture());
    values.put("TARGETVARIANT", target.variant().orElse(""));
    values.put("TARGETSTAGE", targetStage.isEmpty() ? "default" : targetStage);
    for (String name : PLATFORM_ARGS) {
      if (options.buildArgs().containsKey(name)) {
        values.put(name, options.buildArgs().get(name));
      }
    }
    return values;
  }
}
