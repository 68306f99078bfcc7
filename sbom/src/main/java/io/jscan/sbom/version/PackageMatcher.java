package io.jscan.sbom.version;

import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageType;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * "Package NAME of TYPE in RANGE", the building block of forbidden-package policy rules:
 * {@code PackageMatcher.of("deb", "openssl", "< 3.0.7")}. The range is read with the package
 * type's version scheme ({@link PackageType#versionScheme()}); the name may use {@code *} as a
 * wildcard ({@code log4j-*}); a package without a version matches only the any-version range.
 */
public record PackageMatcher(Optional<PackageType> type, String name, String range) {
  public PackageMatcher {
    Objects.requireNonNull(type, "type");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("package matcher without a name");
    }
    range = range == null ? "" : range.strip();
    // parse now so that a bad rule fails when it is loaded, not when it is first used
    for (PackageType t : type.map(java.util.List::of).orElse(java.util.List.of(PackageType.values()))) {
      VersionRange.parse(range, t.versionScheme());
    }
  }

  /** {@code type} as {@link PackageType#parse} reads it ({@code deb}, {@code maven}, ...), or {@code *} for any. */
  public static PackageMatcher of(String type, String name, String range) {
    return new PackageMatcher(type == null || type.equals("*") ? Optional.empty() : Optional.of(PackageType.parse(type)), name, range);
  }

  public boolean matches(Package p) {
    return matches(Optional.of(p.type()), p.name(), p.version());
  }

  /**
   * The same test for a package known only by its parts (one read from another tool's SBOM). A
   * package of an ecosystem jscan does not know ({@code packageType} empty) matches only a matcher
   * without a type; its version is then compared as a semantic version.
   */
  public boolean matches(Optional<PackageType> packageType, String packageName, Optional<String> version) {
    if (type.isPresent() && !type.equals(packageType)) {
      return false;
    }
    if (!nameMatches(packageName)) {
      return false;
    }
    if (range.isEmpty() || range.equals("*")) {
      return true;
    }
    VersionRange r = VersionRange.parse(range, packageType.map(PackageType::versionScheme).orElse(VersionScheme.SEMVER));
    return version.map(r::contains).orElse(false);
  }

  private boolean nameMatches(String candidate) {
    if (!name.contains("*")) {
      return name.equals(candidate);
    }
    StringBuilder regex = new StringBuilder();
    for (String part : name.split("\\*", -1)) {
      regex.append(Pattern.quote(part)).append(".*");
    }
    regex.setLength(regex.length() - 2);
    return candidate.matches(regex.toString());
  }
}
