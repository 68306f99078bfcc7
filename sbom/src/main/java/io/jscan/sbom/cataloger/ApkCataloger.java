package io.jscan.sbom.cataloger;

import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.LayerVersion;
import io.jscan.sbom.fs.Selector;
import io.jscan.sbom.model.FileDigest;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.Location;
import io.jscan.sbom.model.OperatingSystem;
import io.jscan.sbom.model.OwnedFile;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Purl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Alpine (and Wolfi, Chainguard) packages from apk-tools' installed database
 * {@code lib/apk/db/installed} (apk-package(5) field letters: {@code P} name, {@code V} version,
 * {@code F}/{@code R} directories and files, {@code Z} file checksums, ...).
 */
public final class ApkCataloger implements Cataloger {
  private static final String DB = "lib/apk/db/installed";

  static final Selector INSTALLED = Selector.databases("apk-installed", f -> f.path().equals(DB));

  @Override
  public String name() {
    return "apk-db-cataloger";
  }

  @Override
  public List<Selector> selectors() {
    return List.of(INSTALLED);
  }

  /** One record of the installed database, in file order. */
  public record Entry(
      String packageName,
      String version,
      Optional<String> originPackage,
      Optional<String> architecture,
      Optional<String> maintainer,
      Optional<String> url,
      Optional<String> description,
      Optional<String> license,
      Optional<Long> size,
      Optional<Long> installedSize,
      List<String> dependencies,
      List<String> provides,
      Optional<String> checksum,
      Optional<String> gitCommit,
      List<OwnedFile> files) {}

  public record ParseResult(List<Entry> entries, List<String> problems) {}

  /**
   * Parses an installed database. A record with a line that is not {@code X:value}, or without a
   * name or version, is skipped and named in {@link ParseResult#problems()}.
   */
  public static ParseResult parse(String text) {
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    Map<Character, List<String>> fields = new HashMap<>();
    List<OwnedFile> files = new ArrayList<>();
    String dir = "";
    String file = null;
    Optional<FileDigest> digest = Optional.empty();
    String problem = null;
    int start = 1;
    for (int i = 0; i <= lines.length; i++) {
      String line = i < lines.length ? lines[i].replaceFirst("\r$", "") : "";
      if (line.isEmpty()) {
        if (file != null) {
          files.add(new OwnedFile(path(dir, file), digest, false));
          file = null;
        }
        if (!fields.isEmpty() || problem != null) {
          record(fields, files, start, problem, entries, problems);
        }
        fields = new HashMap<>();
        files = new ArrayList<>();
        dir = "";
        digest = Optional.empty();
        problem = null;
        start = i + 2;
        continue;
      }
      if (line.length() < 2 || line.charAt(1) != ':' || line.indexOf('\0') >= 0) {
        if (problem == null) {
          problem = "line " + (i + 1) + " is not a field: \"" + ControlParagraphs.abbreviate(line) + "\"";
        }
        continue;
      }
      char key = line.charAt(0);
      String value = line.substring(2);
      switch (key) {
        case 'F' -> {
          if (file != null) {
            files.add(new OwnedFile(path(dir, file), digest, false));
            file = null;
          }
          dir = value;
        }
        case 'R' -> {
          if (file != null) {
            files.add(new OwnedFile(path(dir, file), digest, false));
          }
          file = value;
          digest = Optional.empty();
        }
        case 'Z' -> {
          if (file != null) {
            digest = checksum(value);
          }
        }
        default -> fields.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      }
    }
    return new ParseResult(List.copyOf(entries), List.copyOf(problems));
  }

  private static String path(String dir, String file) {
    return dir.isEmpty() ? "/" + file : "/" + dir + "/" + file;
  }

  private static void record(
      Map<Character, List<String>> fields, List<OwnedFile> files, int line, String problem, List<Entry> entries, List<String> problems) {
    Optional<String> name = first(fields, 'P');
    String what = "record at line " + line + name.map(n -> " (package " + n + ")").orElse("");
    if (problem != null) {
      problems.add(what + ": " + problem + "; skipped");
      return;
    }
    if (name.isEmpty()) {
      problems.add(what + ": no package name (P:); skipped");
      return;
    }
    Optional<String> version = first(fields, 'V');
    if (version.isEmpty()) {
      problems.add(what + ": no version (V:); skipped");
      return;
    }
    entries.add(new Entry(
        name.get(),
        version.get(),
        first(fields, 'o'),
        first(fields, 'A'),
        first(fields, 'm'),
        first(fields, 'U'),
        first(fields, 'T'),
        first(fields, 'L'),
        first(fields, 'S').flatMap(ApkCataloger::number),
        first(fields, 'I').flatMap(ApkCataloger::number),
        words(first(fields, 'D')),
        words(first(fields, 'p')),
        first(fields, 'C'),
        first(fields, 'c'),
        List.copyOf(files)));
  }

  private static Optional<String> first(Map<Character, List<String>> fields, char key) {
    List<String> values = fields.get(key);
    return values == null ? Optional.empty() : Optional.of(values.get(0).strip()).filter(s -> !s.isEmpty());
  }

  private static List<String> words(Optional<String> value) {
    return value.map(v -> List.of(v.strip().split("\\s+"))).orElse(List.of()).stream().filter(s -> !s.isEmpty()).toList();
  }

  private static Optional<Long> number(String v) {
    try {
      return Optional.of(Long.parseLong(v.strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** {@code Q1} + base64(sha1) (apk's checksum encoding) as a sha1 digest. */
  static Optional<FileDigest> checksum(String value) {
    if (!value.startsWith("Q1")) {
      return Optional.empty();
    }
    try {
      byte[] raw = Base64.getDecoder().decode(value.substring(2));
      return raw.length == 20 ? Optional.of(new FileDigest("sha1", HexFormat.of().formatHex(raw))) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code L:}: an SPDX expression as one license, otherwise several names separated by spaces. */
  static List<License> licenses(String value) {
    String v = value.strip();
    if (v.isEmpty()) {
      return List.of();
    }
    if (v.matches("(?i).*\\s(AND|OR|WITH)\\s.*") || v.contains("(")) {
      return List.of(SpdxLicenses.license(v));
    }
    List<License> result = new ArrayList<>();
    for (String name : v.split("\\s+")) {
      result.add(SpdxLicenses.license(name));
    }
    return result;
  }

  /** {@code pkg:apk/ID/NAME@VERSION?arch=ARCH&distro=ID-VERSION_ID&upstream=ORIGIN}; none without a distribution. */
  public static Optional<Purl> purl(String name, String version, Optional<String> architecture, Optional<String> origin, Optional<OperatingSystem> os) {
    if (os.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> q = new TreeMap<>();
    architecture.ifPresent(a -> q.put("arch", a));
    q.put("distro", os.get().distroQualifier());
    origin.filter(o -> !o.equals(name)).ifPresent(o -> q.put("upstream", o));
    return Optional.of(Purl.of("apk", List.of(os.get().id()), name, Optional.of(version), q));
  }

  private record Key(String name, String version, String arch) {
    static Key of(Entry e) {
      return new Key(e.packageName(), e.version(), e.architecture().orElse(""));
    }
  }

  @Override
  public void catalog(FileTree tree, CatalogContext context) throws IOException {
    for (FileMeta db : tree.select(INSTALLED)) {
      ParseResult parsed = parse(new String(tree.content(db).readAll(), StandardCharsets.UTF_8));
      parsed.problems().forEach(p -> context.warn(db.absolutePath(), p));
      Map<Key, Integer> layers = introducingLayers(tree, db, parsed);
      Map<String, List<Package>> providers = new HashMap<>();
      List<Package> packages = new ArrayList<>();
      for (Entry e : parsed.entries()) {
        Package p = context.add(new Package(
            e.packageName(),
            Optional.of(e.version()),
            PackageType.APK,
            purl(e.packageName(), e.version(), e.architecture(), e.originPackage(), context.os()),
            e.license().map(ApkCataloger::licenses).orElse(List.of()),
            e.files(),
            List.of(new Location(db.absolutePath(), db.layer())),
            layers.getOrDefault(Key.of(e), db.layer()),
            new PackageMetadata.Apk(
                e.originPackage(), e.architecture(), e.maintainer(), e.url(), e.description(), e.size(), e.installedSize(),
                e.dependencies(), e.provides(), e.checksum(), e.gitCommit())));
        packages.add(p);
        providers.computeIfAbsent(e.packageName(), k -> new ArrayList<>()).add(p);
        for (String provided : e.provides()) {
          providers.computeIfAbsent(dependencyName(provided), k -> new ArrayList<>()).add(p);
        }
      }
      for (int i = 0; i < packages.size(); i++) {
        for (String dep : parsed.entries().get(i).dependencies()) {
          if (dep.startsWith("!")) {
            continue; // a conflict, not a dependency
          }
          for (Package target : providers.getOrDefault(dependencyName(dep), List.of())) {
            context.dependsOn(packages.get(i), target);
          }
        }
      }
    }
  }

  /** {@code so:libc.musl-x86_64.so.1=1} or {@code busybox>=1.2} → the name before the version constraint. */
  static String dependencyName(String dep) {
    int end = 0;
    while (end < dep.length() && "<>=~".indexOf(dep.charAt(end)) < 0) {
      end++;
    }
    return dep.substring(0, end);
  }

  private static Map<Key, Integer> introducingLayers(FileTree tree, FileMeta db, ParseResult visible) throws IOException {
    List<LayerVersion> history = tree.history(db);
    if (history.size() < 2) {
      return Map.of();
    }
    Set<Key> keys = new HashSet<>();
    visible.entries().forEach(e -> keys.add(Key.of(e)));
    return LayerAttribution.introducingLayers(history, keys, version -> {
      try {
        Set<Key> ids = new HashSet<>();
        parse(new String(version.content().readAll(), StandardCharsets.UTF_8)).entries().forEach(e -> ids.add(Key.of(e)));
        return Optional.of(ids);
      } catch (IOException e) {
        return Optional.empty();
      }
    });
  }
}
