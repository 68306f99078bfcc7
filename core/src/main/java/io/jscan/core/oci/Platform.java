package io.jscan.core.oci;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image platform (OCI image-index.md "platform"), normalised as containerd does so that
 * {@code linux/aarch64} and {@code linux/arm64/v8} name the same thing.
 */
public record Platform(
    String os, String architecture, Optional<String> variant, Optional<String> osVersion, List<String> osFeatures) {

  public Platform {
    if (os == null || os.isBlank()) {
      throw new IllegalArgumentException("invalid platform: os is empty");
    }
    if (architecture == null || architecture.isBlank()) {
      throw new IllegalArgumentException("invalid platform: architecture is empty");
    }
    variant = variant.filter(v -> !v.isEmpty());
    osVersion = osVersion.filter(v -> !v.isEmpty());
    osFeatures = List.copyOf(osFeatures);
  }

  public Platform(String os, String architecture) {
    this(os, architecture, Optional.empty(), Optional.empty(), List.of());
  }

  public static final Platform LINUX_AMD64 = new Platform("linux", "amd64");

  /** One part of a platform specifier (containerd's platforms package: {@code ^[A-Za-z0-9_.-]+$}). */
  private static final Pattern SPECIFIER_PART = Pattern.compile("[A-Za-z0-9_.-]+");

  /**
   * Parses {@code os/arch[/variant]} as {@code --platform} takes it. Each part is what containerd's
   * platform specifiers allow (letters, digits, {@code _ . -}), so a list such as buildx's
   * {@code linux/amd64,linux/arm64} is refused instead of read as the architecture "amd64,linux".
   */
  public static Platform parse(String value) {
    String[] parts = value.trim().split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException("invalid platform \"" + value + "\" (expected os/arch[/variant])");
    }
    for (String part : parts) {
      if (!SPECIFIER_PART.matcher(part).matches()) {
        throw new IllegalArgumentException("invalid platform \"" + value + "\" (expected one os/arch[/variant]"
            + (value.contains(",") ? ", not a list" : "") + ")");
      }
    }
    Optional<String> variant = parts.length == 3 ? Optional.of(parts[2]) : Optional.empty();
    return new Platform(parts[0].toLowerCase(Locale.ROOT), parts[1].toLowerCase(Locale.ROOT), variant, Optional.empty(), List.of())
        .normalized();
  }

  /** The platform of the machine jscan runs on (for defaults only: builds never depend on it silently). */
  public static Platform host() {
    String arch = System.getProperty("os.arch", "amd64");
    return new Platform("linux", arch).normalized();
  }

  /** containerd's platforms.Normalize: canonical architecture names and default variants. */
  public Platform normalized() {
    String arch = architecture.toLowerCase(Locale.ROOT);
    Optional<String> v = variant;
    switch (arch) {
      case "x86_64", "x86-64", "amd64" -> {
        arch = "amd64";
        if (v.isPresent() && v.get().equals("v1")) {
          v = Optional.empty();
        }
      }
      case "aarch64", "arm64" -> {
        arch = "arm64";
        if (v.isPresent() && (v.get().equals("8") || v.get().equals("v8"))) {
          v = Optional.empty();
        }
      }
      case "armhf" -> {
        arch = "arm";
        v = Optional.of("v7");
      }
      case "armel" -> {
        arch = "arm";
        v = Optional.of("v6");
      }
      case "arm" -> {
        if (v.isEmpty() || v.get().equals("7")) {
          v = Optional.of("v7");
        } else if (v.get().matches("[5-8]")) {
          v = Optional.of("v" + v.get());
        }
      }
      case "i386", "i686", "x86" -> arch = "386";
      default -> {}
    }
    return new Platform(os.toLowerCase(Locale.ROOT), arch, v, osVersion, osFeatures);
  }

  /** Whether an image of platform {@code candidate} satisfies a request for this platform. */
  public boolean matches(Platform candidate) {
    Platform want = normalized();
    Platform have = candidate.normalized();
    return want.os.equals(have.os)
        && want.architecture.equals(have.architecture)
        && (want.variant.isEmpty() || want.variant.equals(have.variant));
  }

  @Override
  public String toString() {
    return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
  }
}
