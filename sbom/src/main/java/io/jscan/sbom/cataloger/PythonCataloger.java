package io.jscan.sbom.cataloger;

import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.Selector;
import io.jscan.sbom.fs.TreePaths;
import io.jscan.sbom.model.FileDigest;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.Location;
import io.jscan.sbom.model.OwnedFile;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Purl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Installed Python distributions: {@code *.dist-info/METADATA} (wheels, pip) and
 * {@code *.egg-info/PKG-INFO} or a {@code *.egg-info} file (setuptools), read as core metadata
 * (an RFC 822 header block). Files come from {@code RECORD} (with sha256 digests) or
 * {@code installed-files.txt}.
 */
public final class PythonCataloger implements Cataloger {
  static final Selector METADATA = Selector.files(
      "python-metadata",
      f -> (f.name().equals("METADATA") && f.path().endsWith(".dist-info/METADATA"))
          || (f.name().equals("PKG-INFO") && f.path().endsWith(".egg-info/PKG-INFO"))
          || f.name().endsWith(".egg-info")
          || (f.name().equals("RECORD") && f.path().endsWith(".dist-info/RECORD"))
          || (f.name().equals("installed-files.txt") && f.path().contains(".egg-info/")));

  @Override
  public String name() {
    return "python-installed-package-cataloger";
  }

  @Override
  public List<Selector> selectors() {
    return List.of(METADATA);
  }

  /** Core metadata fields: name → values in order (multi-use fields such as Classifier repeat). */
  static Map<String, List<String>> headers(String text) {
    Map<String, List<String>> fields = new LinkedHashMap<>();
    String current = null;
    for (String line : text.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        break; // the description body follows
      }
      if ((line.startsWith(" ") || line.startsWith("\t")) && current != null) {
        List<String> values = fields.get(current);
        values.set(values.size() - 1, values.get(values.size() - 1) + "\n" + line.strip());
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      current = line.substring(0, colon).strip();
      fields.computeIfAbsent(current, k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
    }
    return fields;
  }

  private static Optional<String> first(Map<String, List<String>> fields, String key) {
    List<String> v = fields.get(key);
    return v == null || v.isEmpty() || v.get(0).isBlank() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** License-Expression, else a short License field, else the license classifiers. */
  static List<License> licenses(Map<String, List<String>> fields) {
    Optional<String> expression = first(fields, "License-Expression");
    if (expression.isPresent()) {
      return List.of(SpdxLicenses.license(expression.get()));
    }
    Optional<String> license = first(fields, "License")
        .filter(l -> !l.contains("\n") && l.length() <= 100 && !l.equalsIgnoreCase("UNKNOWN"));
    if (license.isPresent()) {
      return List.of(SpdxLicenses.license(license.get()));
    }
    List<License> result = new ArrayList<>();
    for (String classifier : fields.getOrDefault("Classifier", List.of())) {
      if (classifier.startsWith("License ::")) {
        String[] parts = classifier.split("::");
        String name = parts[parts.length - 1].strip();
        if (!name.isEmpty() && !name.equals("OSI Approved")) {
          result.add(SpdxLicenses.license(name));
        }
      }
    }
    return result;
  }

  /** PEP 503 normalised name, as PyPI purls use it. */
  static String normalise(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  @Override
  public void catalog(FileTree tree, CatalogContext context) throws IOException {
    for (FileMeta file : tree.select(METADATA)) {
      boolean metadataFile = file.name().equals("METADATA") || file.name().equals("PKG-INFO") || file.name().endsWith(".egg-info");
      if (!metadataFile) {
        continue;
      }
      String text = new String(tree.content(file).readAll(), StandardCharsets.UTF_8);
      Map<String, List<String>> fields = headers(text);
      Optional<String> name = first(fields, "Name");
      Optional<String> version = first(fields, "Version");
      if (name.isEmpty()) {
        context.warn(file.absolutePath(), "Python metadata without a Name field; skipped");
        continue;
      }
      boolean distInfo = file.path().endsWith(".dist-info/METADATA");
      String metaDir = file.name().endsWith(".egg-info") ? TreePaths.parent(file.path()) : TreePaths.parent(file.path());
      String sitePackages = file.name().endsWith(".egg-info") ? metaDir : TreePaths.parent(metaDir);
      List<Location> locations = new ArrayList<>(List.of(new Location(file.absolutePath(), file.layer())));
      List<OwnedFile> files = new ArrayList<>();
      if (distInfo) {
        Optional<FileMeta> record = tree.stat(metaDir + "/RECORD").filter(FileMeta::isRegular);
        if (record.isPresent()) {
          locations.add(new Location(record.get().absolutePath(), record.get().layer()));
          files.addAll(record(new String(tree.content(record.get()).readAll(), StandardCharsets.UTF_8), sitePackages));
        }
      } else if (file.path().endsWith("/PKG-INFO")) {
        Optional<FileMeta> installed = tree.stat(metaDir + "/installed-files.txt").filter(FileMeta::isRegular);
        if (installed.isPresent()) {
          locations.add(new Location(installed.get().absolutePath(), installed.get().layer()));
          for (String line : new String(tree.content(installed.get()).readAll(), StandardCharsets.UTF_8).lines().toList()) {
            if (!line.isBlank()) {
              files.add(OwnedFile.of("/" + TreePaths.normalise(metaDir + "/" + line.strip())));
            }
          }
        }
      }
      context.add(new Package(
          name.get(), version, PackageType.PYTHON,
          Optional.of(Purl.of("pypi", List.of(), normalise(name.get()), version, Map.of())),
          licenses(fields), files, locations, file.layer(),
          new PackageMetadata.Python(
              first(fields, "Author").or(() -> first(fields, "Author-email")),
              first(fields, "Home-page").or(() -> first(fields, "Project-URL").map(u -> u.contains(",") ? u.substring(u.indexOf(',') + 1).strip() : u)),
              first(fields, "Summary"),
              fields.getOrDefault("Requires-Dist", List.of()),
              "/" + metaDir)));
    }
  }

  /** RECORD (PEP 376, wheel spec): {@code path,sha256=urlsafe-b64,size}, paths relative to site-packages. */
  static List<OwnedFile> record(String text, String sitePackages) {
    List<OwnedFile> files = new ArrayList<>();
    for (String line : text.lines().toList()) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = splitCsv(line);
      String path = "/" + TreePaths.normalise(sitePackages + "/" + parts[0]);
      Optional<FileDigest> digest = Optional.empty();
      if (parts.length > 1 && parts[1].startsWith("sha256=")) {
        try {
          byte[] raw = Base64.getUrlDecoder().decode(parts[1].substring("sha256=".length()));
          digest = raw.length == 32 ? Optional.of(new FileDigest("sha256", HexFormat.of().formatHex(raw))) : Optional.empty();
        } catch (IllegalArgumentException e) {
          digest = Optional.empty();
        }
      }
      files.add(new OwnedFile(path, digest, false));
    }
    return files;
  }

  /** A RECORD line's fields (csv; a quoted path may contain commas). */
  private static String[] splitCsv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        fields.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    fields.add(cur.toString());
    return fields.toArray(String[]::new);
  }
}
