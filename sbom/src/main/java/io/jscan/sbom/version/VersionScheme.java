package io.jscan.sbom.version;

import java.util.Comparator;
import java.util.Locale;

/**
 * How versions of one ecosystem are ordered. Each scheme is a total order over any string (the
 * comparators are lenient: what a real package manager would accept never throws), so policies can
 * compare versions read from any image.
 */
public enum VersionScheme implements Comparator<String> {
  /** dpkg: {@code [epoch:]upstream[-revision]}, deb-version(7), with {@code ~} sorting first. */
  DEB {
    @Override
    public int compare(String a, String b) {
      return DebVersions.compare(a, b);
    }
  },
  /** apk-tools: {@code 1.2.3a_rc1_p2-r4} (digits, letter, suffixes, revision). */
  APK {
    @Override
    public int compare(String a, String b) {
      return ApkVersions.compare(a, b);
    }
  },
  /** rpm: {@code [epoch:]version[-release]} compared with rpmvercmp ({@code ~} before, {@code ^} after). */
  RPM {
    @Override
    public int compare(String a, String b) {
      return RpmVersions.compare(a, b);
    }
  },
  /** Semantic Versioning 2.0.0 precedence; a leading {@code v} and missing minor/patch are accepted (Go, npm). */
  SEMVER {
    @Override
    public int compare(String a, String b) {
      return SemVers.compare(a, b);
    }
  },
  /** Maven's ComparableVersion order ({@code 1.0-alpha < 1.0-rc < 1.0 = 1.0.0 < 1.0-sp}). */
  MAVEN {
    @Override
    public int compare(String a, String b) {
      return MavenVersions.compare(a, b);
    }
  },
  /** Python's PEP 440 ({@code 1.0.dev1 < 1.0a1 < 1.0rc1 < 1.0 < 1.0.post1}). */
  PEP440 {
    @Override
    public int compare(String a, String b) {
      return Pep440Versions.compare(a, b);
    }
  };

  /** The scheme called {@code name} ({@code deb}, {@code apk}, {@code rpm}, {@code semver}, {@code maven}, {@code pep440}). */
  public static VersionScheme parse(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown version scheme \"" + name + "\" (deb, apk, rpm, semver, maven, pep440)");
    }
  }
}
