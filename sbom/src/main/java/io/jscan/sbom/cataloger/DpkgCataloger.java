package io.jscan.sbom.cataloger;

import io.jscan.sbom.cataloger.ControlParagraphs.Paragraph;
import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.LayerVersion;
import io.jscan.sbom.fs.Selector;
import io.jscan.sbom.fs.TreePaths;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian packages from dpkg's database: {@code var/lib/dpkg/status}, and the one-file-per-package
 * {@code var/lib/dpkg/status.d/} that distroless images use. Owned files come from
 * {@code info/PKG.list}, digests from {@code info/PKG.md5sums} (or {@code status.d/PKG.md5sums}),
 * configuration files from {@code Conffiles}; licenses from {@code usr/share/doc/PKG/copyright}.
 */
public final class DpkgCataloger implements Cataloger {
  private static final String DPKG = "var/lib/dpkg/";
  private static final String STATUS_FILE = DPKG + "status";
  private static final String STATUS_DIR = DPKG + "status.d/";
  private static final String INFO_DIR = DPKG + "info/";
  private static final List<String> NOT_STATUS_SUFFIXES = List.of(
      ".md5sums", ".conffiles", ".list", ".preinst", ".postinst", ".prerm", ".postrm", ".triggers",
      ".shlibs", ".symbols", ".templates", ".config", ".md5sum");
  private static final Pattern COPYRIGHT = Pattern.compile("usr/share/doc/[^/]+/copyright");

  static final Selector STATUS = Selector.databases(
      "dpkg-status",
      f -> f.path().equals(STATUS_FILE)
          || (f.path().startsWith(STATUS_DIR)
              && f.path().indexOf('/', STATUS_DIR.length()) < 0
              && NOT_STATUS_SUFFIXES.stream().noneMatch(s -> f.name().endsWith(s))));
  static final Selector INFO = Selector.files(
      "dpkg-info",
      f -> (f.path().startsWith(INFO_DIR) && (f.name().endsWith(".list") || f.name().endsWith(".md5sums") || f.name().endsWith(".conffiles")))
          || (f.path().startsWith(STATUS_DIR) && f.name().endsWith(".md5sums")));
  static final Selector COPYRIGHTS = Selector.files("dpkg-copyright", f -> COPYRIGHT.matcher(f.path()).matches());
  /** The checksum records alone: {@code info/PKG.md5sums}, {@code info/PKG.conffiles} and {@code status.d/PKG.md5sums}. */
  static final Selector RECORDS = Selector.files(
      "dpkg-records",
      f -> (f.path().startsWith(INFO_DIR) && (f.name().endsWith(".md5sums") || f.name().endsWith(".conffiles")))
          || (f.path().startsWith(STATUS_DIR) && f.name().endsWith(".md5sums")));

  // compiled once: a status file has a paragraph per package and an md5sums file a line per file
  private static final Pattern SOURCE_WITH_VERSION = Pattern.compile("(\\S+)\\s*\\((.*)\\)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kKmMgG]?)(i?)[bB]?");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  /** Whether packages get their licenses (copyright files) and the files only {@code .list} names. */
  private final boolean complete;

  /** Packages with everything the database and the copyright files say. */
  public DpkgCataloger() {
    this(true);
  }

  private DpkgCataloger(boolean complete) {
    this.complete = complete;
  }

  /**
   * Packages with only what judging files against dpkg's records needs: each package's name,
   * version, layer and the files its {@code md5sums} and {@code Conffiles} record with their
   * digests; no licenses and no files only {@code .list} names (those files have no checksum to
   * judge against). It reads far less (no copyright file, no file list), which matters when an
   * image is catalogued only for that.
   */
  public static DpkgCataloger recordedFilesOnly() {
    return new DpkgCataloger(false);
  }

  @Override
  public String name() {
    return "dpkg-db-cataloger";
  }

  @Override
  public List<Selector> selectors() {
    return complete ? List.of(STATUS, INFO, COPYRIGHTS) : List.of(STATUS, RECORDS);
  }

  /**
   * One paragraph of a status file, as dpkg wrote it.
   *
   * @param installedSize {@code Installed-Size} (KiB as dpkg writes it; a unit suffix such as {@code 4KB} is applied)
   * @param conffiles the {@code Conffiles} field: paths with md5 digests, marked as configuration
   * @param license opkg's {@code License} field (dpkg has none)
   */
  public record Entry(
      String packageName,
      Optional<String> version,
      Optional<String> architecture,
      Optional<String> source,
      Optional<String> sourceVersion,
      Optional<String> maintainer,
      Optional<Long> installedSize,
      Optional<String> description,
      List<String> depends,
      List<String> preDepends,
      List<String> provides,
      List<OwnedFile> conffiles,
      Optional<String> license) {}

  /** What a status file held: its entries in file order, and what was wrong with the rest. */
  public record ParseResult(List<Entry> entries, List<String> problems) {}

  /**
   * Parses a status-format file. Paragraphs without a {@code Package} name are skipped silently
   * (dpkg leaves them), as are packages whose status is {@code not-installed} or
   * {@code config-files} (removed, configuration left); damaged paragraphs are skipped and named in
   * {@link ParseResult#problems()}.
   */
  public static ParseResult parseStatus(String text) {
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Paragraph p : ControlParagraphs.parse(text)) {
      Optional<String> name = p.get("Package").map(n -> n.lines().findFirst().orElse("").strip());
      if (p.problem().isPresent()) {
        problems.add("paragraph at line " + p.line() + name.map(n -> " (package " + n + ")").orElse("") + ": "
            + p.problem().get() + "; skipped");
        continue;
      }
      if (name.isEmpty()) {
        continue;
      }
      Optional<String> status = p.get("Status");
      if (status.isPresent()) {
        String[] words = status.get().split("\\s+");
        String state = words[words.length - 1];
        if (state.equals("not-installed") || state.equals("config-files")) {
          continue;
        }
      }
      Optional<String> source = p.get("Source");
      Optional<String> sourceVersion = Optional.empty();
      if (source.isPresent()) {
        Matcher m = SOURCE_WITH_VERSION.matcher(source.get());
        if (m.matches()) {
          source = Optional.of(m.group(1));
          sourceVersion = Optional.of(m.group(2).strip()).filter(s -> !s.isEmpty());
        }
      }
      entries.add(new Entry(
          name.get(),
          p.get("Version"),
          p.get("Architecture"),
          source,
          sourceVersion,
          p.get("Maintainer"),
          p.get("Installed-Size").flatMap(DpkgCataloger::size),
          p.get("Description").map(DpkgCataloger::description),
          list(p.folded("Depends")),
          list(p.folded("Pre-Depends")),
          list(p.folded("Provides")),
          conffiles(p.get("Conffiles")),
          p.get("License")));
    }
    return new ParseResult(List.copyOf(entries), List.copyOf(problems));
  }

  private static List<String> list(Optional<String> field) {
    if (field.isEmpty()) {
      return List.of();
    }
    List<String> result = new ArrayList<>();
    for (String part : field.get().split(",")) {
      String s = WHITESPACE.matcher(part.strip()).replaceAll(" ");
      if (!s.isEmpty()) {
        result.add(s);
      }
    }
    return result;
  }

  /** Synopsis line, then each extended line with its leading blanks reduced to one space. */
  private static String description(String raw) {
    List<String> lines = raw.lines().toList();
    StringBuilder s = new StringBuilder(lines.get(0).strip());
    for (String line : lines.subList(1, lines.size())) {
      s.append("\n ").append(line.strip());
    }
    return s.toString();
  }

  private static Optional<Long> size(String value) {
    Matcher m = SIZE.matcher(value.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    if (m.group(2).isEmpty()) {
      return Optional.of(n);
    }
    long unit = m.group(3).isEmpty() ? 1000 : 1024;
    int power = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "k" -> 1;
      case "m" -> 2;
      default -> 3;
    };
    for (int i = 0; i < power; i++) {
      n *= unit;
    }
    return Optional.of(n);
  }

  private static List<OwnedFile> conffiles(Optional<String> field) {
    List<OwnedFile> files = new ArrayList<>();
    if (field.isEmpty()) {
      return files;
    }
    for (String line : field.get().lines().toList()) {
      String[] parts = WHITESPACE.split(line.strip());
      if (parts.length >= 2 && parts[0].startsWith("/")) {
        files.add(new OwnedFile(parts[0], md5(parts[1]), true));
      } else if (parts.length == 1 && parts[0].startsWith("/")) {
        files.add(new OwnedFile(parts[0], Optional.empty(), true));
      }
    }
    return files;
  }

  private static Optional<FileDigest> md5(String hex) {
    try {
      return Optional.of(new FileDigest("md5", hex));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // "newconffile" and other placeholders dpkg writes instead of a digest
    }
  }

  /**
   * The package URL syft and trivy give a dpkg package:
   * {@code pkg:deb/ID/NAME@VERSION?arch=ARCH&distro=ID-VERSION_ID&upstream=SOURCE[@SOURCE_VERSION]};
   * none without a distribution, whose ID is the namespace.
   */
  public static Optional<Purl> purl(
      String name, Optional<String> version, Optional<String> architecture, Optional<String> source,
      Optional<String> sourceVersion, Optional<OperatingSystem> os) {
    if (os.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> q = new TreeMap<>();
    architecture.ifPresent(a -> q.put("arch", a));
    q.put("distro", os.get().distroQualifier());
    source.filter(s -> !s.equals(name) || sourceVersion.isPresent())
        .ifPresent(s -> q.put("upstream", sourceVersion.map(v -> s + "@" + v).orElse(s)));
    return Optional.of(Purl.of("deb", List.of(os.get().id()), name, version, q));
  }

  private record Key(String name, String version, String arch) {
    static Key of(Entry e) {
      return new Key(e.packageName(), e.version().orElse(""), e.architecture().orElse(""));
    }
  }

  @Override
  public void catalog(FileTree tree, CatalogContext context) throws IOException {
    Map<String, List<Package>> byName = new LinkedHashMap<>();
    Map<Package, Entry> entries = new LinkedHashMap<>();
    for (FileMeta file : tree.select(STATUS)) {
      String text = new String(tree.content(file).readAll(), StandardCharsets.UTF_8);
      ParseResult parsed = parseStatus(text);
      for (String problem : parsed.problems()) {
        context.warn(file.absolutePath(), problem);
      }
      if (file.path().startsWith(STATUS_DIR) && parsed.entries().isEmpty() && parsed.problems().isEmpty()) {
        continue; // not a package file (status.d may hold other things)
      }
      Map<Key, Integer> layers = file.path().equals(STATUS_FILE) ? introducingLayers(tree, file, parsed) : Map.of();
      List<Package> built = InOrder.map(
          parsed.entries(), e -> toPackage(tree, file, e, layers.getOrDefault(Key.of(e), file.layer()), context.os()));
      for (int i = 0; i < built.size(); i++) {
        Package p = context.add(built.get(i));
        byName.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p);
        entries.put(p, parsed.entries().get(i));
      }
    }
    relate(byName, entries, context);
  }

  private static Map<Key, Integer> introducingLayers(FileTree tree, FileMeta file, ParseResult visible) throws IOException {
    List<LayerVersion> history = tree.history(file);
    Set<Key> keys = new HashSet<>();
    visible.entries().forEach(e -> keys.add(Key.of(e)));
    if (history.size() < 2) {
      return Map.of();
    }
    return LayerAttribution.introducingLayers(history, keys, version -> {
      try {
        ParseResult older = parseStatus(new String(version.content().readAll(), StandardCharsets.UTF_8));
        Set<Key> ids = new HashSet<>();
        older.entries().forEach(e -> ids.add(Key.of(e)));
        return Optional.of(ids);
      } catch (IOException e) {
        return Optional.empty();
      }
    });
  }

  private Package toPackage(FileTree tree, FileMeta statusFile, Entry e, int layer, Optional<OperatingSystem> os) throws IOException {
    List<Location> locations = new ArrayList<>();
    locations.add(new Location(statusFile.absolutePath(), statusFile.layer()));
    Map<String, OwnedFile> files = new TreeMap<>();
    for (OwnedFile f : e.conffiles()) {
      files.put(f.path(), f);
    }
    List<String> infoBases = new ArrayList<>();
    if (statusFile.path().startsWith(STATUS_DIR)) {
      infoBases.add(statusFile.path());
    } else {
      e.architecture().ifPresent(a -> infoBases.add(INFO_DIR + e.packageName() + ":" + a));
      infoBases.add(INFO_DIR + e.packageName());
    }
    for (String base : infoBases) {
      Optional<FileMeta> conf = tree.stat(base + ".conffiles").filter(FileMeta::isRegular);
      if (conf.isPresent()) {
        locations.add(new Location(conf.get().absolutePath(), conf.get().layer()));
        for (String line : read(tree, conf.get()).lines().toList()) {
          String path = line.strip();
          if (path.startsWith("/")) {
            OwnedFile old = files.get(path);
            files.put(path, new OwnedFile(path, old == null ? Optional.empty() : old.digest(), true));
          }
        }
      }
      Optional<FileMeta> md5sums = tree.stat(base + ".md5sums").filter(FileMeta::isRegular);
      if (md5sums.isPresent()) {
        locations.add(new Location(md5sums.get().absolutePath(), md5sums.get().layer()));
        for (String line : read(tree, md5sums.get()).lines().toList()) {
          String[] parts = WHITESPACE.split(line.strip(), 2); // the path may hold blanks itself
          if (parts.length == 2) {
            String path = "/" + TreePaths.normalise(parts[1]);
            OwnedFile old = files.get(path);
            boolean config = old != null && old.configFile();
            Optional<FileDigest> digest = md5(parts[0]);
            files.put(path, new OwnedFile(path, digest.isPresent() ? digest : old == null ? Optional.empty() : old.digest(), config));
          }
        }
      }
      Optional<FileMeta> list = complete ? tree.stat(base + ".list").filter(FileMeta::isRegular) : Optional.empty();
      if (list.isPresent()) {
        locations.add(new Location(list.get().absolutePath(), list.get().layer()));
        for (String line : read(tree, list.get()).lines().toList()) {
          String path = "/" + TreePaths.normalise(line.strip());
          if (path.equals("/") || files.containsKey(path)) {
            continue;
          }
          // the exact path first; only a miss (a symlinked parent, as with merged /usr) needs resolving
          Optional<FileMeta> onDisk = tree.stat(path);
          if (onDisk.isEmpty()) {
            onDisk = tree.resolve(path);
          }
          if (onDisk.isPresent() && onDisk.get().kind() == FileMeta.Kind.DIRECTORY) {
            continue; // .list names the directories a package creates too; they are not its files
          }
          files.put(path, OwnedFile.of(path));
        }
      }
      if (conf.isPresent() || md5sums.isPresent() || list.isPresent()) {
        break; // the arch-qualified name wins over the plain one
      }
    }
    List<License> licenses = new ArrayList<>();
    e.license().ifPresent(l -> licenses.addAll(apkStyleLicenses(l)));
    Optional<FileMeta> copyright = complete
        ? tree.resolve("usr/share/doc/" + e.packageName() + "/copyright").filter(FileMeta::isRegular) : Optional.empty();
    if (copyright.isPresent() && COPYRIGHTS.matches(copyright.get())) {
      locations.add(new Location(copyright.get().absolutePath(), copyright.get().layer()));
      for (String name : DebianCopyright.licenses(read(tree, copyright.get()))) {
        licenses.add(SpdxLicenses.license(name));
      }
    }
    PackageMetadata.Dpkg metadata = new PackageMetadata.Dpkg(
        e.source(), e.sourceVersion(), e.architecture(), e.maintainer(), e.installedSize(), e.description(),
        e.depends(), e.preDepends(), e.provides());
    return new Package(
        e.packageName(),
        e.version(),
        PackageType.DEB,
        purl(e.packageName(), e.version(), e.architecture(), e.source(), e.sourceVersion(), os),
        licenses,
        new ArrayList<>(files.values()),
        locations,
        layer,
        metadata);
  }

  /** opkg's License field: several licenses separated by spaces unless it is an SPDX expression. */
  static List<License> apkStyleLicenses(String value) {
    return ApkCataloger.licenses(value);
  }

  private static String read(FileTree tree, FileMeta file) throws IOException {
    return new String(tree.content(file).readAll(), StandardCharsets.UTF_8);
  }

  /**
   * Depends and Pre-Depends edges between installed packages: every installed alternative of
   * {@code a | b} counts, and a virtual name resolves to the packages that provide it.
   */
  private static void relate(Map<String, List<Package>> byName, Map<Package, Entry> entries, CatalogContext context) {
    Map<String, List<Package>> providers = new HashMap<>();
    for (Map.Entry<Package, Entry> pe : entries.entrySet()) {
      for (String provided : pe.getValue().provides()) {
        providers.computeIfAbsent(relationName(provided), k -> new ArrayList<>()).add(pe.getKey());
      }
    }
    for (Map.Entry<Package, Entry> pe : entries.entrySet()) {
      List<String> deps = new ArrayList<>(pe.getValue().depends());
      deps.addAll(pe.getValue().preDepends());
      for (String dep : deps) {
        for (String alternative : dep.split("\\|")) {
          String name = relationName(alternative);
          if (name.isEmpty()) {
            continue;
          }
          List<Package> targets = byName.getOrDefault(name, providers.getOrDefault(name, List.of()));
          for (Package target : targets) {
            context.dependsOn(pe.getKey(), target);
          }
        }
      }
    }
  }

  /** {@code libc6:any (>= 2.34) [amd64] <!nocheck>} → {@code libc6}. */
  static String relationName(String relation) {
    String s = relation.strip();
    int end = 0;
    while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && "([<:".indexOf(s.charAt(end)) < 0) {
      end++;
    }
    return s.substring(0, end);
  }
}
