package io.jscan.sbom.model;

import io.jscan.sbom.version.VersionScheme;

/**
 * The ecosystem a package belongs to: which cataloger found it, which package-url type names it
 * (purl-spec PURL-TYPES.rst) and how its versions compare.
 */
public enum PackageType {
  DEB("deb", "deb", VersionScheme.DEB),
  APK("apk", "apk", VersionScheme.APK),
  RPM("rpm", "rpm", VersionScheme.RPM),
  JAVA_ARCHIVE("java-archive", "maven", VersionScheme.MAVEN),
  PYTHON("python", "pypi", VersionScheme.PEP440),
  NPM("npm", "npm", VersionScheme.SEMVER),
  GO_MODULE("go-module", "golang", VersionScheme.SEMVER);

  private final String id;
  private final String purlType;
  private final VersionScheme versionScheme;

  PackageType(String id, String purlType, VersionScheme versionScheme) {
    this.id = id;
    this.purlType = purlType;
    this.versionScheme = versionScheme;
  }

  /** The name used in jscan's outputs ({@code deb}, {@code java-archive}, ...), as syft names them. */
  public String id() {
    return id;
  }

  public String purlType() {
    return purlType;
  }

  public VersionScheme versionScheme() {
    return versionScheme;
  }

  /** The type named {@code id} ({@link #id()}, or its purl type), case-insensitively. */
  public static PackageType parse(String id) {
    for (PackageType t : values()) {
      if (t.id.equalsIgnoreCase(id) || t.purlType.equalsIgnoreCase(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown package type \"" + id + "\"");
  }
}
