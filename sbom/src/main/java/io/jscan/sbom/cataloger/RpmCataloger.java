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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * RPM packages from rpm's SQLite database ({@code rpmdb.sqlite}: table {@code Packages} with one
 * header blob per package), as Fedora 33+, RHEL 9 and their derivatives keep it. The older
 * Berkeley DB and NDB formats are reported as a warning.
 */
public final class RpmCataloger implements Cataloger {
  private static final List<String> SQLITE_DBS = List.of(
      "var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite", "usr/share/rpm/rpmdb.sqlite");
  private static final List<String> OTHER_DBS = List.of(
      "var/lib/rpm/Packages", "var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/Packages", "usr/lib/sysimage/rpm/Packages.db");

  static final Selector SQLITE = Selector.databases("rpm-sqlite", f -> SQLITE_DBS.contains(f.path()));

  @Override
  public String name() {
    return "rpm-db-cataloger";
  }

  @Override
  public List<Selector> selectors() {
    return List.of(SQLITE);
  }

  /** One installed package's header, decoded. */
  public record Entry(
      String name,
      String version,
      String release,
      Optional<Integer> epoch,
      Optional<String> architecture,
      Optional<String> license,
      Optional<String> sourceRpm,
      Optional<String> vendor,
      Optional<Long> size,
      Optional<String> modularityLabel,
      List<String> provides,
      List<String> requires,
      List<OwnedFile> files) {

    /** {@code [epoch:]version-release}, as rpm -q prints it with %{EVR}. */
    public String evr() {
      return epoch.map(e -> e + ":").orElse("") + version + "-" + release;
    }
  }

  public record ParseResult(List<Entry> entries, List<String> problems) {}

  /** Decodes one header blob ({@link IllegalArgumentException} names the damage). */
  public static Optional<Entry> decode(byte[] blob) {
    RpmHeader h = RpmHeader.parse(blob);
    Optional<String> name = h.string(RpmHeader.NAME);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("header has no NAME");
    }
    if (name.get().equals("gpg-pubkey")) {
      return Optional.empty(); // an imported signing key, not a package
    }
    String version = h.string(RpmHeader.VERSION).orElseThrow(() -> new IllegalArgumentException("header of " + name.get() + " has no VERSION"));
    String release = h.string(RpmHeader.RELEASE).orElseThrow(() -> new IllegalArgumentException("header of " + name.get() + " has no RELEASE"));
    List<String> base = h.strings(RpmHeader.BASENAMES);
    List<String> dirs = h.strings(RpmHeader.DIRNAMES);
    List<Long> dirIndexes = h.numbers(RpmHeader.DIRINDEXES);
    List<String> digests = h.strings(RpmHeader.FILEDIGESTS);
    List<Long> flags = h.numbers(RpmHeader.FILEFLAGS);
    List<Long> modes = h.numbers(RpmHeader.FILEMODES);
    String algorithm = switch (h.number(RpmHeader.FILEDIGESTALGO).orElse(1L).intValue()) {
      case 2 -> "sha1";
      case 8 -> "sha256";
      case 9 -> "sha384";
      case 10 -> "sha512";
      default -> "md5";
    };
    if (dirIndexes.size() != base.size()) {
      throw new IllegalArgumentException("header of " + name.get() + " has " + base.size() + " BASENAMES but " + dirIndexes.size() + " DIRINDEXES");
    }
    List<OwnedFile> files = new ArrayList<>();
    for (int i = 0; i < base.size(); i++) {
      int d = dirIndexes.get(i).intValue();
      if (d < 0 || d >= dirs.size()) {
        throw new IllegalArgumentException("header of " + name.get() + " has a DIRINDEXES entry out of range");
      }
      if (i < modes.size() && (modes.get(i) & 0170000) == 0040000) {
        continue; // a directory the package creates
      }
      Optional<FileDigest> digest = Optional.empty();
      if (i < digests.size() && !digests.get(i).isEmpty()) {
        try {
          digest = Optional.of(new FileDigest(algorithm, digests.get(i)));
        } catch (IllegalArgumentException e) {
          digest = Optional.empty();
        }
      }
      boolean config = i < flags.size() && (flags.get(i) & 1) != 0; // RPMFILE_CONFIG
      files.add(new OwnedFile(dirs.get(d) + base.get(i), digest, config));
    }
    return Optional.of(new Entry(
        name.get(), version, release,
        h.number(RpmHeader.EPOCH).map(Long::intValue),
        h.string(RpmHeader.ARCH),
        h.string(RpmHeader.LICENSE),
        h.string(RpmHeader.SOURCERPM),
        h.string(RpmHeader.VENDOR),
        h.number(RpmHeader.LONGSIZE).or(() -> h.number(RpmHeader.SIZE)),
        h.string(RpmHeader.MODULARITYLABEL),
        h.strings(RpmHeader.PROVIDENAME),
        h.strings(RpmHeader.REQUIRENAME),
        files));
  }

  /** Reads every header of an rpmdb.sqlite; a damaged header is skipped and named in the problems. */
  public static ParseResult read(Path sqlite) throws SQLException {
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    // immutable=1: the file is a read-only snapshot; SQLite must not look for -wal or -shm files
    String url = "jdbc:sqlite:file:" + sqlite.toAbsolutePath() + "?mode=ro&immutable=1";
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT hnum, blob FROM Packages ORDER BY hnum")) {
      while (rs.next()) {
        long hnum = rs.getLong(1);
        byte[] blob = rs.getBytes(2);
        try {
          decode(blob == null ? new byte[0] : blob).ifPresent(entries::add);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
          problems.add("package header " + hnum + ": " + e.getMessage() + "; skipped");
        }
      }
    }
    return new ParseResult(List.copyOf(entries), List.copyOf(problems));
  }

  /** {@code pkg:rpm/ID/NAME@VERSION-RELEASE?arch=ARCH&epoch=E&distro=ID-VERSION_ID&upstream=SRPM}. */
  public static Optional<Purl> purl(Entry e, Optional<OperatingSystem> os) {
    if (os.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> q = new TreeMap<>();
    e.architecture().ifPresent(a -> q.put("arch", a));
    e.epoch().ifPresent(ep -> q.put("epoch", String.valueOf(ep)));
    q.put("distro", os.get().distroQualifier());
    e.sourceRpm().ifPresent(s -> q.put("upstream", s));
    return Optional.of(Purl.of("rpm", List.of(os.get().id()), e.name(), Optional.of(e.version() + "-" + e.release()), q));
  }

  private record Key(String name, String evr, String arch) {
    static Key of(Entry e) {
      return new Key(e.name(), e.evr(), e.architecture().orElse(""));
    }
  }

  @Override
  public void catalog(FileTree tree, CatalogContext context) throws IOException {
    boolean sawSqlite = false;
    for (FileMeta db : tree.select(SQLITE)) {
      sawSqlite = true;
      ParseResult parsed;
      try {
        parsed = read(tree.content(db).file());
      } catch (SQLException e) {
        context.warn(db.absolutePath(), "not a readable rpm SQLite database: " + oneLine(e) + "; no rpm packages from it");
        continue;
      }
      parsed.problems().forEach(p -> context.warn(db.absolutePath(), p));
      Map<Key, Integer> layers = introducingLayers(tree, db, parsed);
      Map<String, List<Package>> providers = new HashMap<>();
      List<Package> packages = new ArrayList<>();
      for (Entry e : parsed.entries()) {
        List<License> licenses = e.license().map(l -> List.of(SpdxLicenses.license(l))).orElse(List.of());
        Package p = context.add(new Package(
            e.name(), Optional.of(e.evr()), PackageType.RPM, purl(e, context.os()), licenses, e.files(),
            List.of(new Location(db.absolutePath(), db.layer())),
            layers.getOrDefault(Key.of(e), db.layer()),
            new PackageMetadata.Rpm(e.epoch(), e.version(), e.release(), e.architecture(), e.sourceRpm(), e.vendor(), e.size(), e.modularityLabel())));
        packages.add(p);
        providers.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(p);
        e.provides().forEach(name -> providers.computeIfAbsent(name, k -> new ArrayList<>()).add(p));
      }
      for (int i = 0; i < packages.size(); i++) {
        for (String required : parsed.entries().get(i).requires()) {
          for (Package target : providers.getOrDefault(required, List.of())) {
            context.dependsOn(packages.get(i), target);
          }
        }
      }
    }
    if (!sawSqlite) {
      for (String path : OTHER_DBS) {
        Optional<FileMeta> other = tree.resolve(path).filter(FileMeta::isRegular);
        if (other.isPresent()) {
          context.warn("/" + path, "rpm database in the Berkeley DB or NDB format; jscan reads only rpmdb.sqlite, so its packages are not listed");
        }
      }
    }
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
        read(version.content().file()).entries().forEach(e -> ids.add(Key.of(e)));
        return Optional.of(ids);
      } catch (IOException | SQLException e) {
        return Optional.empty();
      }
    });
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
