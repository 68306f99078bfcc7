package io.jscan.sbom.model;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of cataloguing an image or a directory: the data model policies read and the writers
 * serialise. Packages are sorted (type, name, version, id) and relationships by ids, so the same
 * input always yields the same document.
 */
public record Sbom(
    SbomSource source,
    Optional<OperatingSystem> operatingSystem,
    List<Package> packages,
    List<Relationship> relationships,
    List<CatalogWarning> warnings) {

  public static final Comparator<Package> ORDER =
      Comparator.comparing((Package p) -> p.type().id())
          .thenComparing(Package::name)
          .thenComparing(p -> p.version().orElse(""))
          .thenComparing(Package::id);

  public Sbom {
    packages = packages.stream().sorted(ORDER).toList();
    Map<String, Package> ids = new LinkedHashMap<>();
    for (Package p : packages) {
      if (ids.put(p.id(), p) != null) {
        throw new IllegalArgumentException("two packages share the id " + p.id() + " (" + p.name() + ")");
      }
    }
    for (Relationship r : relationships) {
      if (!ids.containsKey(r.from()) || !ids.containsKey(r.to())) {
        throw new IllegalArgumentException("relationship " + r + " names a package that is not in the SBOM");
      }
    }
    relationships = relationships.stream().distinct().sorted().toList();
    warnings = warnings.stream().distinct().sorted().toList();
  }

  /** The package with {@code id}. */
  public Optional<Package> byId(String id) {
    return packages.stream().filter(p -> p.id().equals(id)).findFirst();
  }

  public List<Package> packagesOf(PackageType type) {
    return packages.stream().filter(p -> p.type() == type).toList();
  }
}
