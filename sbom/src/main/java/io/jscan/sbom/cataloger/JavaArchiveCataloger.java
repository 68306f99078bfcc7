package io.jscan.sbom.cataloger;

import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.Selector;
import io.jscan.sbom.model.License;
import io.jscan.sbom.model.Location;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Purl;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Java archives (jar, war, ear and their kin), read as a stream without unpacking: identity from
 * {@code META-INF/maven/G/A/pom.properties} (licenses from the {@code pom.xml} beside it), else
 * from {@code META-INF/MANIFEST.MF}, else from the file name; archives nested inside archives
 * (Spring Boot's {@code BOOT-INF/lib/}, a war's {@code WEB-INF/lib/}) are catalogued too, and so
 * is every further {@code pom.properties} a shaded jar carries.
 */
public final class JavaArchiveCataloger implements Cataloger {
  private static final List<String> EXTENSIONS = List.of(".jar", ".war", ".ear", ".par", ".sar", ".nar", ".jpi", ".hpi", ".kar", ".lpkg");
  private static final int MAX_DEPTH = 4;
  /** Members read into memory (manifests, pom files) are capped; nested archives are streamed. */
  private static final int MAX_MEMBER = 4 << 20;
  private static final Pattern POM_PROPERTIES = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");
  private static final Pattern NAME_VERSION = Pattern.compile("(.+?)-(\\d[\\w.+-]*)");

  static final Selector ARCHIVES = Selector.files("java-archives", f -> isArchiveName(f.name()));

  static boolean isArchiveName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(lower::endsWith);
  }

  @Override
  public String name() {
    return "java-archive-cataloger";
  }

  @Override
  public List<Selector> selectors() {
    return List.of(ARCHIVES);
  }

  /** One {@code pom.properties} (with the licenses of the {@code pom.xml} beside it). */
  record PomInfo(String groupId, String artifactId, String version, String path, List<String> licenses) {}

  /** What one archive holds. */
  private static final class Archive {
    final String virtualPath;
    final String fileName;
    Manifest manifest;
    final Map<String, PomInfo> poms = new LinkedHashMap<>();
    final Map<String, List<String>> pomLicenses = new LinkedHashMap<>();
    final List<Archive> nested = new ArrayList<>();

    Archive(String virtualPath, String fileName) {
      this.virtualPath = virtualPath;
      this.fileName = fileName;
    }
  }

  @Override
  public void catalog(FileTree tree, CatalogContext context) throws IOException {
    for (FileMeta file : tree.select(ARCHIVES)) {
      Archive archive = new Archive(file.absolutePath(), file.name());
      try (InputStream in = tree.open(file)) {
        read(in, archive, file.absolutePath(), 0, context);
      } catch (NotAZip notZip) {
        continue; // warned
      }
      emit(archive, file, Optional.empty(), context);
    }
  }

  /** Reads one archive's members; damage is a warning naming the archive, and what was read is kept. */
  private static void read(InputStream raw, Archive archive, String warnPath, int depth, CatalogContext context) throws IOException {
    PushbackInputStream in = new PushbackInputStream(raw, 4);
    byte[] magic = in.readNBytes(4);
    if (magic.length < 4 || magic[0] != 'P' || magic[1] != 'K' || !((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6))) {
      context.warn(warnPath, "not a zip archive (no local file header at the start); skipped");
      throw new NotAZip();
    }
    in.unread(magic);
    try (ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.isDirectory()) {
          continue;
        }
        String name = e.getName();
        if (name.equals("META-INF/MANIFEST.MF")) {
          archive.manifest = new Manifest(new ByteArrayInputStream(readMember(zip)));
        } else if (POM_PROPERTIES.matcher(name).matches()) {
          Properties p = new Properties();
          p.load(new java.io.StringReader(new String(readMember(zip), StandardCharsets.UTF_8)));
          Matcher m = POM_PROPERTIES.matcher(name);
          m.matches();
          String group = p.getProperty("groupId", m.group(1)).strip();
          String artifact = p.getProperty("artifactId", m.group(2)).strip();
          String version = p.getProperty("version", "").strip();
          if (!artifact.isEmpty()) {
            archive.poms.put(name.substring(0, name.length() - "pom.properties".length()), new PomInfo(group, artifact, version, name, List.of()));
          }
        } else if (name.startsWith("META-INF/maven/") && name.endsWith("/pom.xml")) {
          archive.pomLicenses.put(name.substring(0, name.length() - "pom.xml".length()), pomLicenses(readMember(zip)));
        } else if (isArchiveName(name) && depth < MAX_DEPTH) {
          String inner = name.substring(name.lastIndexOf('/') + 1);
          Archive nested = new Archive(archive.virtualPath + "!" + name, inner);
          try {
            read(new NonClosing(zip), nested, warnPath + "!" + name, depth + 1, context);
            archive.nested.add(nested);
          } catch (NotAZip notZip) {
            // warned; the outer archive goes on
          }
        }
      }
    } catch (ZipException | java.io.EOFException e) {
      context.warn(warnPath, "damaged zip archive: " + e.getMessage() + "; kept what was read before the damage");
    } catch (IllegalArgumentException e) {
      // ZipInputStream throws this for malformed names; same treatment as other damage
      context.warn(warnPath, "damaged zip archive: " + e.getMessage() + "; kept what was read before the damage");
    }
  }

  private static byte[] readMember(InputStream zip) throws IOException {
    byte[] bytes = zip.readNBytes(MAX_MEMBER + 1);
    if (bytes.length > MAX_MEMBER) {
      throw new ZipException("member larger than " + MAX_MEMBER + " bytes where metadata was expected");
    }
    return bytes;
  }

  /** {@code <licenses><license><name>} of a pom.xml; external entities and DTDs are refused. */
  static List<String> pomLicenses(byte[] pom) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(pom));
      List<String> result = new ArrayList<>();
      NodeList licenses = doc.getElementsByTagName("license");
      for (int i = 0; i < licenses.getLength(); i++) {
        NodeList names = ((Element) licenses.item(i)).getElementsByTagName("name");
        if (names.getLength() > 0 && !names.item(0).getTextContent().isBlank()) {
          result.add(names.item(0).getTextContent().strip().replaceAll("\\s+", " "));
        }
      }
      return result;
    } catch (Exception e) {
      return List.of(); // a pom we cannot read only costs its licenses
    }
  }

  private static final class NotAZip extends IOException {
    private static final long serialVersionUID = 1L;

    NotAZip() {
      super("not a zip archive");
    }
  }

  /** The archive's own package, its shaded pom.properties packages, then its nested archives. */
  private static void emit(Archive a, FileMeta file, Optional<Package> parent, CatalogContext context) {
    Optional<PomInfo> own = ownPom(a);
    Location location = a.virtualPath.contains("!")
        ? new Location(file.absolutePath(), file.layer(), Optional.of(a.virtualPath.substring(a.virtualPath.indexOf('!') + 1)))
        : new Location(file.absolutePath(), file.layer());
    Map<String, String> manifest = manifestAttributes(a.manifest);
    String name;
    Optional<String> version;
    Optional<String> group;
    if (own.isPresent()) {
      name = own.get().artifactId();
      version = Optional.of(own.get().version()).filter(v -> !v.isEmpty());
      group = Optional.of(own.get().groupId()).filter(g -> !g.isEmpty());
    } else {
      Matcher nv = NAME_VERSION.matcher(stripExtension(a.fileName));
      String fileName = nv.matches() ? nv.group(1) : stripExtension(a.fileName);
      Optional<String> fileVersion = nv.matches() ? Optional.of(nv.group(2)) : Optional.empty();
      name = fileName;
      version = Optional.ofNullable(manifest.get("Implementation-Version"))
          .or(() -> Optional.ofNullable(manifest.get("Bundle-Version")))
          .or(() -> fileVersion);
      group = Optional.ofNullable(manifest.get("Implementation-Vendor-Id"))
          .or(() -> Optional.ofNullable(manifest.get("Automatic-Module-Name")).filter(n -> n.contains(".")).map(n -> n.substring(0, n.lastIndexOf('.'))));
    }
    List<License> licenses = new ArrayList<>();
    own.ifPresent(p -> a.pomLicenses.getOrDefault(p.path().substring(0, p.path().length() - "pom.properties".length()), List.of())
        .forEach(l -> licenses.add(SpdxLicenses.license(l))));
    if (licenses.isEmpty() && manifest.containsKey("Bundle-License")) {
      String declared = manifest.get("Bundle-License").split(";")[0].strip();
      if (!declared.isEmpty()) {
        licenses.add(SpdxLicenses.license(declared));
      }
    }
    Package self = context.add(new Package(
        name, version, PackageType.JAVA_ARCHIVE, Optional.of(purl(group, name, version)), licenses, List.of(),
        List.of(location), file.layer(),
        new PackageMetadata.JavaArchive(a.virtualPath, group, own.map(PomInfo::artifactId), new TreeMap<>(manifest))));
    parent.ifPresent(p -> context.contains(p, self));
    for (Map.Entry<String, PomInfo> e : a.poms.entrySet()) {
      PomInfo pom = e.getValue();
      if (own.isPresent() && own.get() == pom) {
        continue;
      }
      List<License> shadedLicenses = a.pomLicenses.getOrDefault(e.getKey(), List.of()).stream().map(SpdxLicenses::license).toList();
      Optional<String> v = Optional.of(pom.version()).filter(s -> !s.isEmpty());
      Optional<String> g = Optional.of(pom.groupId()).filter(s -> !s.isEmpty());
      Package shaded = context.add(new Package(
          pom.artifactId(), v, PackageType.JAVA_ARCHIVE, Optional.of(purl(g, pom.artifactId(), v)), shadedLicenses, List.of(),
          List.of(new Location(file.absolutePath(), file.layer(), Optional.of(memberPath(a, pom.path())))), file.layer(),
          new PackageMetadata.JavaArchive(a.virtualPath + "!" + pom.path(), g, Optional.of(pom.artifactId()), new TreeMap<>())));
      context.contains(self, shaded);
    }
    for (Archive nested : a.nested) {
      emit(nested, file, Optional.of(self), context);
    }
  }

  private static String memberPath(Archive a, String member) {
    String inner = a.virtualPath.contains("!") ? a.virtualPath.substring(a.virtualPath.indexOf('!') + 1) + "!" : "";
    return inner + member;
  }

  /**
   * The pom.properties describing the archive itself: the one whose artifactId matches the file
   * name, else the only one there is.
   */
  private static Optional<PomInfo> ownPom(Archive a) {
    String base = stripExtension(a.fileName);
    for (PomInfo p : a.poms.values()) {
      if (base.equals(p.artifactId()) || base.startsWith(p.artifactId() + "-")) {
        return Optional.of(p);
      }
    }
    return a.poms.size() == 1 ? a.poms.values().stream().findFirst() : Optional.empty();
  }

  private static String stripExtension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }

  private static final List<String> MANIFEST_KEYS = List.of(
      "Implementation-Title", "Implementation-Version", "Implementation-Vendor", "Implementation-Vendor-Id",
      "Specification-Title", "Specification-Version", "Specification-Vendor", "Bundle-SymbolicName", "Bundle-Version",
      "Bundle-Name", "Bundle-License", "Automatic-Module-Name", "Main-Class", "Created-By", "Build-Jdk-Spec");

  private static Map<String, String> manifestAttributes(Manifest manifest) {
    Map<String, String> result = new TreeMap<>();
    if (manifest == null) {
      return result;
    }
    for (String key : MANIFEST_KEYS) {
      String value = manifest.getMainAttributes().getValue(key);
      if (value != null && !value.isBlank()) {
        result.put(key, value.strip());
      }
    }
    return result;
  }

  /** {@code pkg:maven/GROUP/ARTIFACT@VERSION}; without a group the namespace is left out. */
  static Purl purl(Optional<String> group, String artifact, Optional<String> version) {
    return Purl.of("maven", group.map(List::of).orElse(List.of()), artifact, version, Map.of());
  }

  /** Reading a nested archive must not close the outer zip stream. */
  private static final class NonClosing extends java.io.FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
