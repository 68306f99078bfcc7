package io.jscan.sbom.cataloger;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.Selector;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.Location;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Purl;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Installed npm packages: the {@code package.json} at the top of each package directory under a
 * {@code node_modules} folder ({@code node_modules/NAME/} or {@code node_modules/@SCOPE/NAME/}).
 */
public final class NpmCataloger implements Cataloger {
  private static final Pattern PACKAGE_JSON = Pattern.compile("(?:.*/)?node_modules/(?:@[^/]+/)?[^/@][^/]*/package\\.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  static final Selector PACKAGE_JSONS = Selector.files("npm-package-json", f -> f.name().equals("package.json") && PACKAGE_JSON.matcher(f.path()).matches());

  @Override
  public String name() {
    return "javascript-package-cataloger";
  }

  @Override
  public List<Selector> selectors() {
    return List.of(PACKAGE_JSONS);
  }

  @Override
  public void catalog(FileTree tree, CatalogContext context) throws IOException {
    for (FileMeta file : tree.select(PACKAGE_JSONS)) {
      JsonNode json;
      try {
        json = JSON.readTree(tree.content(file).readAll());
      } catch (JacksonException e) {
        context.warn(file.absolutePath(), "not valid JSON (" + e.getOriginalMessage() + "); skipped");
        continue;
      }
      if (json == null || !json.isObject() || !json.path("name").isTextual() || json.path("name").asText().isBlank()) {
        context.warn(file.absolutePath(), "package.json without a name; skipped");
        continue;
      }
      String fullName = json.get("name").asText().strip();
      Optional<String> version = text(json, "version");
      List<String> namespace = List.of();
      String name = fullName;
      if (fullName.startsWith("@") && fullName.contains("/")) {
        namespace = List.of(fullName.substring(0, fullName.indexOf('/')));
        name = fullName.substring(fullName.indexOf('/') + 1);
      }
      context.add(new Package(
          fullName, version, PackageType.NPM, Optional.of(Purl.of("npm", namespace, name, version, Map.of())),
          licenses(json), List.of(), List.of(new Location(file.absolutePath(), file.layer())), file.layer(),
          new PackageMetadata.Npm(person(json.get("author")), text(json, "homepage"), text(json, "description"), json.path("private").asBoolean(false))));
    }
  }

  private static Optional<String> text(JsonNode json, String field) {
    JsonNode n = json.get(field);
    return n != null && n.isTextual() && !n.asText().isBlank() ? Optional.of(n.asText().strip()) : Optional.empty();
  }

  private static Optional<String> person(JsonNode author) {
    if (author == null) {
      return Optional.empty();
    }
    if (author.isTextual()) {
      return Optional.of(author.asText()).filter(s -> !s.isBlank());
    }
    if (author.isObject() && author.path("name").isTextual()) {
      String email = author.path("email").isTextual() ? " <" + author.get("email").asText() + ">" : "";
      return Optional.of(author.get("name").asText() + email);
    }
    return Optional.empty();
  }

  /** {@code license} as a string or {@code {type}}, or the legacy {@code licenses} array. */
  static List<License> licenses(JsonNode json) {
    List<License> result = new ArrayList<>();
    JsonNode license = json.get("license");
    if (license != null && license.isTextual() && !license.asText().isBlank()) {
      result.add(SpdxLicenses.license(license.asText()));
    } else if (license != null && license.isObject() && license.path("type").isTextual()) {
      result.add(SpdxLicenses.license(license.get("type").asText()));
    }
    JsonNode licenses = json.get("licenses");
    if (result.isEmpty() && licenses != null && licenses.isArray()) {
      for (JsonNode l : licenses) {
        if (l.isTextual() && !l.asText().isBlank()) {
          result.add(SpdxLicenses.license(l.asText()));
        } else if (l.isObject() && l.path("type").isTextual()) {
          result.add(SpdxLicenses.license(l.get("type").asText()));
        }
      }
    }
    return result;
  }
}
