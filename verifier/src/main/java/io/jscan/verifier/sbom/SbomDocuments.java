package io.jscan.verifier.sbom;

import io.jscan.sbom.cataloger.SpdxLicenses;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Sbom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Package lists out of SBOMs: jscan's own {@link Sbom}, and the CycloneDX (1.4–1.6 JSON) and SPDX
 * (2.2–2.3 JSON) documents an attestation carries as its predicate (plain JSON values: maps,
 * lists, strings). Only what the rules need is read: names, versions, package URLs, licenses.
 */
public final class SbomDocuments {
  private SbomDocuments() {}

  public static final String CYCLONEDX_PREDICATE = "https://cyclonedx.org/bom";
  public static final String SPDX_PREDICATE = "https://spdx.dev/Document";
  /** CycloneDX component types that are not packages (the image, its OS, its files). */
  private static final Set<String> NOT_PACKAGES = Set.of("container", "operating-system", "file", "device", "firmware");

  /** Whether {@code predicateType} names an SBOM this reader understands. */
  public static boolean isSbom(String predicateType) {
    return predicateType.startsWith(CYCLONEDX_PREDICATE) || predicateType.startsWith(SPDX_PREDICATE);
  }

  /** jscan's catalogue as the rules see it. */
  public static PackageInventory of(Sbom sbom, boolean complete, List<String> extraWarnings) {
    List<PackageEntry> out = new ArrayList<>();
    for (Package p : sbom.packages()) {
      out.add(new PackageEntry(p.name(), p.version(), Optional.of(p.type()), p.type().id(), p.purl().map(Object::toString),
          p.licenses(), OptionalInt.of(p.layerNumber())));
    }
    List<String> warnings = new ArrayList<>(extraWarnings);
    sbom.warnings().forEach(w -> warnings.add(w.toString()));
    return new PackageInventory(PackageInventory.GENERATED, "jscan", complete, out, warnings);
  }

  /**
   * The packages of an attested SBOM document.
   *
   * @throws IllegalArgumentException when the predicate is not a CycloneDX or SPDX document
   */
  public static PackageInventory read(String predicateType, Map<String, Object> document) {
    List<String> warnings = new ArrayList<>();
    List<PackageEntry> out = new ArrayList<>();
    String format;
    if (predicateType.startsWith(CYCLONEDX_PREDICATE)) {
      format = "cyclonedx";
      if (!"CycloneDX".equals(document.get("bomFormat"))) {
        throw new IllegalArgumentException("the predicate is not a CycloneDX document (bomFormat is " + document.get("bomFormat") + ")");
      }
      components(list(document.get("components")), out, warnings);
    } else if (predicateType.startsWith(SPDX_PREDICATE)) {
      format = "spdx";
      if (!(document.get("spdxVersion") instanceof String v) || !v.startsWith("SPDX-")) {
        throw new IllegalArgumentException("the predicate is not an SPDX document (no spdxVersion)");
      }
      for (Object o : list(document.get("packages"))) {
        spdxPackage(o, out, warnings);
      }
    } else {
      throw new IllegalArgumentException("predicate type " + predicateType + " is not an SBOM");
    }
    return new PackageInventory(PackageInventory.ATTESTATION, format, true, out, warnings);
  }

  private static void components(List<Object> components, List<PackageEntry> out, List<String> warnings) {
    for (Object o : components) {
      if (!(o instanceof Map<?, ?> c)) {
        warnings.add("a CycloneDX component is not an object; skipped");
        continue;
      }
      String kind = text(c.get("type")).orElse("library");
      Optional<String> name = text(c.get("name"));
      if (!NOT_PACKAGES.contains(kind)) {
        if (name.isEmpty()) {
          warnings.add("a CycloneDX component has no name; skipped");
        } else {
          List<License> licenses = new ArrayList<>();
          for (Object l : list(c.get("licenses"))) {
            if (l instanceof Map<?, ?> choice) {
              text(choice.get("expression")).ifPresent(e -> licenses.add(SpdxLicenses.license(e)));
              if (choice.get("license") instanceof Map<?, ?> license) {
                text(license.get("id")).or(() -> text(license.get("name"))).ifPresent(t -> licenses.add(SpdxLicenses.license(t)));
              }
            }
          }
          out.add(entry(name.get(), text(c.get("version")), text(c.get("purl")), licenses));
        }
      }
      components(list(c.get("components")), out, warnings); // nested components (shaded jars, sub-packages)
    }
  }

  private static void spdxPackage(Object o, List<PackageEntry> out, List<String> warnings) {
    if (!(o instanceof Map<?, ?> p)) {
      warnings.add("an SPDX package is not an object; skipped");
      return;
    }
    String purpose = text(p.get("primaryPackagePurpose")).orElse("");
    if (purpose.equals("CONTAINER") || purpose.equals("OPERATING_SYSTEM")) {
      return;
    }
    Optional<String> name = text(p.get("name"));
    if (name.isEmpty()) {
      warnings.add("an SPDX package has no name; skipped");
      return;
    }
    Optional<String> purl = Optional.empty();
    for (Object r : list(p.get("externalRefs"))) {
      if (r instanceof Map<?, ?> ref && "purl".equals(ref.get("referenceType"))) {
        purl = text(ref.get("referenceLocator"));
      }
    }
    List<License> licenses = new ArrayList<>();
    // the declared license is the package's statement; the concluded one a reviewer's (SPDX 2.3 7.13, 7.15)
    Optional<String> declared = text(p.get("licenseDeclared")).filter(SbomDocuments::assertion)
        .or(() -> text(p.get("licenseConcluded")).filter(SbomDocuments::assertion));
    declared.ifPresent(d -> licenses.add(SpdxLicenses.license(d)));
    out.add(entry(name.get(), text(p.get("versionInfo")), purl, licenses));
  }

  private static boolean assertion(String license) {
    return !license.equals("NOASSERTION") && !license.equals("NONE");
  }

  private static PackageEntry entry(String name, Optional<String> version, Optional<String> purl, List<License> licenses) {
    String purlType = purl.filter(u -> u.startsWith("pkg:") && u.indexOf('/') > 4).map(u -> u.substring(4, u.indexOf('/')))
        .map(t -> t.toLowerCase(Locale.ROOT)).orElse("unknown");
    Optional<PackageType> type;
    try {
      type = Optional.of(PackageType.parse(purlType));
    } catch (IllegalArgumentException e) {
      type = Optional.empty();
    }
    return new PackageEntry(name, version, type, type.map(PackageType::id).orElse(purlType), purl, licenses, OptionalInt.empty());
  }

  private static Optional<String> text(Object o) {
    return o instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
