package io.jscan.sbom.cataloger;

import io.jscan.sbom.model.CatalogWarning;
import io.jscan.sbom.model.OperatingSystem;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.Relationship;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Collects the packages, relationships and warnings of one cataloguing run. */
public final class CatalogContext {
  private final Optional<OperatingSystem> os;
  private final Map<String, Package> packages = new LinkedHashMap<>();
  private final List<Relationship> relationships = new ArrayList<>();
  private final List<CatalogWarning> warnings = new ArrayList<>();

  public CatalogContext(Optional<OperatingSystem> os) {
    this.os = os;
  }

  /** The image's distribution, for package URLs. */
  public Optional<OperatingSystem> os() {
    return os;
  }

  /**
   * Adds a package; a second package with the same id (same type, name, version, architecture and
   * primary location) is the same package found twice and is dropped.
   *
   * @return the package kept under that id
   */
  public Package add(Package p) {
    return packages.computeIfAbsent(p.id(), id -> p);
  }

  public void dependsOn(Package from, Package to) {
    if (!from.id().equals(to.id())) {
      relationships.add(new Relationship(from.id(), to.id(), Relationship.Type.DEPENDS_ON));
    }
  }

  public void contains(Package archive, Package member) {
    if (!archive.id().equals(member.id())) {
      relationships.add(new Relationship(archive.id(), member.id(), Relationship.Type.CONTAINS));
    }
  }

  /** Reports unreadable input: {@code path} absolute, {@code message} what was wrong and what was kept. */
  public void warn(String path, String message) {
    warnings.add(new CatalogWarning(path, message));
  }

  public List<Package> packages() {
    return List.copyOf(packages.values());
  }

  public List<Relationship> relationships() {
    return List.copyOf(relationships);
  }

  public List<CatalogWarning> warnings() {
    return List.copyOf(warnings);
  }
}
