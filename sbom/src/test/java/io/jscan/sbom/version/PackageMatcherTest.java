package io.jscan.sbom.version;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.sbom.model.Location;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Forbidden-package rules: name (with wildcards), type, and a range in the type's version scheme. */
class PackageMatcherTest {
  static Package deb(String name, String version) {
    return new Package(name, Optional.ofNullable(version), PackageType.DEB, Optional.empty(), List.of(), List.of(),
        List.of(new Location("/var/lib/dpkg/status", 0)), 0,
        new PackageMetadata.Dpkg(Optional.empty(), Optional.empty(), Optional.of("amd64"), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(), List.of()));
  }

  static Package maven(String name, String version) {
    return new Package(name, Optional.of(version), PackageType.JAVA_ARCHIVE, Optional.empty(), List.of(), List.of(),
        List.of(new Location("/app.jar", 1)), 1, new PackageMetadata.JavaArchive("/app.jar", Optional.of("org.apache.logging.log4j"), Optional.of(name), new TreeMap<>(Map.of())));
  }

  @Test
  void matches_debRangeUsesDpkgOrder() {
    PackageMatcher openssl = PackageMatcher.of("deb", "openssl", "<< 3.0.7");
    assertTrue(openssl.matches(deb("openssl", "3.0.2-0ubuntu1.10")));
    assertFalse(openssl.matches(deb("openssl", "3.0.11-1~deb12u2")));
    assertFalse(openssl.matches(maven("openssl", "1.0")), "another type");
    assertFalse(openssl.matches(deb("openssl", null)), "no version, so not provably in the range");
    assertTrue(PackageMatcher.of("deb", "openssl", "*").matches(deb("openssl", null)));
  }

  @Test
  void matches_wildcardNameAndMavenInterval() {
    PackageMatcher log4shell = PackageMatcher.of("maven", "log4j-*", "[2.0-beta9,2.15.0)");
    assertTrue(log4shell.matches(maven("log4j-core", "2.14.1")));
    assertFalse(log4shell.matches(maven("log4j-core", "2.17.1")));
    assertFalse(log4shell.matches(maven("slf4j-api", "2.0.0")));
    assertTrue(PackageMatcher.of("*", "log4j-core", "").matches(maven("log4j-core", "1.0")));
  }

  @Test
  void of_badRange_failsWhenTheRuleIsLoaded() {
    assertThrows(IllegalArgumentException.class, () -> PackageMatcher.of("deb", "x", ">= 1.0 ||"));
    assertThrows(IllegalArgumentException.class, () -> PackageMatcher.of("nuget", "x", ""));
  }
}
