package io.jscan.sbom.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** What a package's database says beyond name, version and licenses, per ecosystem. */
public sealed interface PackageMetadata {

  /** The CPU architecture the package was built for, where the ecosystem records one. */
  default Optional<String> architecture() {
    return Optional.empty();
  }

  /** A dpkg status record (deb-control(5) fields). {@code installedSizeKib} is in KiB as dpkg stores it. */
  record Dpkg(
      Optional<String> source,
      Optional<String> sourceVersion,
      Optional<String> architecture,
      Optional<String> maintainer,
      Optional<Long> installedSizeKib,
      Optional<String> description,
      List<String> depends,
      List<String> preDepends,
      List<String> provides)
      implements PackageMetadata {
    public Dpkg {
      depends = List.copyOf(depends);
      preDepends = List.copyOf(preDepends);
      provides = List.copyOf(provides);
    }
  }

  /** An apk installed-database record (apk-tools' {@code P:}, {@code o:}, {@code A:}, ... fields). */
  record Apk(
      Optional<String> originPackage,
      Optional<String> architecture,
      Optional<String> maintainer,
      Optional<String> url,
      Optional<String> description,
      Optional<Long> size,
      Optional<Long> installedSize,
      List<String> dependencies,
      List<String> provides,
      Optional<String> checksum,
      Optional<String> gitCommit)
      implements PackageMetadata {
    public Apk {
      dependencies = List.copyOf(dependencies);
      provides = List.copyOf(provides);
    }
  }

  /** An rpm header: version is {@code [epoch:]version-release} on the package. */
  record Rpm(
      Optional<Integer> epoch,
      String version,
      String release,
      Optional<String> architecture,
      Optional<String> sourceRpm,
      Optional<String> vendor,
      Optional<Long> size,
      Optional<String> modularityLabel)
      implements PackageMetadata {}

  /**
   * A Java archive.
   *
   * @param virtualPath the archive's path, with {@code !member} steps for nested archives
   * @param manifest the main attributes of {@code META-INF/MANIFEST.MF} that identify the archive
   */
  record JavaArchive(
      String virtualPath, Optional<String> groupId, Optional<String> artifactId, SortedMap<String, String> manifest)
      implements PackageMetadata {
    public JavaArchive {
      manifest = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(manifest));
    }
  }

  /** A Python distribution's core metadata (METADATA or PKG-INFO). */
  record Python(Optional<String> author, Optional<String> homePage, Optional<String> summary, List<String> requiresDist, String metadataDir)
      implements PackageMetadata {
    public Python {
      requiresDist = List.copyOf(requiresDist);
    }
  }

  /** An npm package.json. */
  record Npm(Optional<String> author, Optional<String> homepage, Optional<String> description, boolean privatePackage)
      implements PackageMetadata {}

  /**
   * A Go module recorded in a binary's build info.
   *
   * @param mainModule whether this is the module the binary was built from (the rest are dependencies)
   * @param buildSettings {@code build} lines of the main module ({@code GOOS}, {@code vcs.revision}, ...)
   */
  record GoModule(
      String goVersion, boolean mainModule, Optional<String> sum, Optional<String> replacedBy, SortedMap<String, String> buildSettings)
      implements PackageMetadata {
    public GoModule {
      buildSettings = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(buildSettings));
    }

    @Override
    public Optional<String> architecture() {
      return Optional.ofNullable(buildSettings.get("GOARCH"));
    }

    public static GoModule of(String goVersion, boolean main, Optional<String> sum, Optional<String> replacedBy, Map<String, String> settings) {
      return new GoModule(goVersion, main, sum, replacedBy, new TreeMap<>(settings));
    }
  }
}
