package io.jscan.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.sbom.format.SbomFormat;
import io.jscan.sbom.format.ToolInfo;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.testing.LayerTars;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Cataloguing images: the merged file system, whiteouts, and the layer that introduced each package. */
class ImageCatalogTest {
  private static final SbomGenerator GENERATOR = SbomGenerator.withDefaultCatalogers();
  private static final Instant CREATED = Instant.parse("2024-05-06T07:08:09Z");

  static String dpkg(String... nameVersions) {
    StringBuilder s = new StringBuilder();
    for (String nv : nameVersions) {
      String[] p = nv.split("=");
      s.append("Package: ").append(p[0]).append("\nStatus: install ok installed\nArchitecture: amd64\nVersion: ")
          .append(p[1]).append("\nDescription: test package\n\n");
    }
    return s.toString();
  }

  static String apk(String... nameVersions) {
    StringBuilder s = new StringBuilder();
    for (String nv : nameVersions) {
      String[] p = nv.split("=");
      s.append("P:").append(p[0]).append("\nV:").append(p[1]).append("\nA:x86_64\nL:MIT\n\n");
    }
    return s.toString();
  }

  private static Map<String, Integer> layers(Sbom sbom, PackageType type) {
    Map<String, Integer> m = new TreeMap<>();
    sbom.packagesOf(type).forEach(p -> m.put(p.name() + "@" + p.version().orElse(""), p.layer()));
    return m;
  }

  @Test
  void catalogImage_dpkgStatusRewrittenByLayers_attributesEachPackageToItsLayer() throws Exception {
    Image image = LayerTars.image(CREATED,
        LayerTars.layer().file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n").file("var/lib/dpkg/status", dpkg("base=1.0", "libold=1.0")),
        LayerTars.layer().file("var/lib/dpkg/status", dpkg("base=1.0", "libold=2.0", "curl=8.0")),
        LayerTars.layer().file("var/lib/dpkg/status", dpkg("base=1.0", "curl=8.0", "vim=9.0")));

    Sbom sbom = GENERATOR.catalogImage(image, "test:layers");

    assertEquals(Map.of("base@1.0", 0, "curl@8.0", 1, "vim@9.0", 2), layers(sbom, PackageType.DEB));
    Package base = sbom.packagesOf(PackageType.DEB).get(0);
    assertEquals("/var/lib/dpkg/status", base.primaryLocation().path());
    assertEquals(2, base.primaryLocation().layer(), "the evidence is the top copy of the database");
    assertEquals(Optional.of("pkg:deb/debian/base@1.0?arch=amd64&distro=debian-12"), base.purl().map(Object::toString));
    assertEquals(3, sbom.source().layers().size());
    assertEquals(Optional.of(CREATED), sbom.source().created());
    assertEquals(image.digest(), sbom.source().digest());
  }

  @Test
  void catalogImage_packageRemovedThenReinstalled_belongsToTheReinstallingLayer() throws Exception {
    Image image = LayerTars.image(CREATED,
        LayerTars.layer().file("lib/apk/db/installed", apk("musl=1.2", "busybox=1.36")),
        LayerTars.layer().file("lib/apk/db/installed", apk("musl=1.2")),
        LayerTars.layer().file("lib/apk/db/installed", apk("musl=1.2", "busybox=1.36")));

    Sbom sbom = GENERATOR.catalogImage(image, "test:apk");

    assertEquals(Map.of("musl@1.2", 0, "busybox@1.36", 2), layers(sbom, PackageType.APK));
  }

  @Test
  void catalogImage_whiteoutAndOpaqueDirectory_hideLowerPackages() throws Exception {
    String pkg = "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"license\":\"WTFPL\"}";
    String kept = "{\"name\":\"@scope/kept\",\"version\":\"2.0.0\",\"license\":\"MIT\"}";
    Image image = LayerTars.image(CREATED,
        LayerTars.layer()
            .file("app/node_modules/left-pad/package.json", pkg)
            .file("app/node_modules/@scope/kept/package.json", kept)
            .file("usr/lib/python3/dist-packages/gone-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: gone\nVersion: 1.0\n"),
        LayerTars.layer()
            .whiteout("app/node_modules/left-pad")
            .whiteout("usr/lib/python3/dist-packages/gone-1.0.dist-info/METADATA"));

    Sbom sbom = GENERATOR.catalogImage(image, "test:whiteouts");

    assertEquals(List.of("@scope/kept"), sbom.packages().stream().map(Package::name).toList());
    Package kept2 = sbom.packages().get(0);
    assertEquals(Optional.of("pkg:npm/%40scope/kept@2.0.0"), kept2.purl().map(Object::toString));
    assertEquals(0, kept2.layer());
  }

  @Test
  void catalogImage_symlinkedOsRelease_isFollowed() throws Exception {
    Image image = LayerTars.image(CREATED,
        LayerTars.layer()
            .file("usr/lib/os-release", "ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n")
            .symlink("etc/os-release", "../usr/lib/os-release")
            .file("lib/apk/db/installed", apk("musl=1.2.4-r2")));

    Sbom sbom = GENERATOR.catalogImage(image, "test:alpine");

    assertEquals("alpine", sbom.operatingSystem().orElseThrow().id());
    assertEquals(Optional.of("pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1"),
        sbom.packages().get(0).purl().map(Object::toString));
  }

  @Test
  void catalogImage_sameImageTwice_givesIdenticalSboms() throws Exception {
    Image image = LayerTars.image(CREATED,
        LayerTars.layer().file("etc/os-release", "ID=debian\nVERSION_ID=12\n").file("var/lib/dpkg/status", dpkg("a=1", "b=2")),
        LayerTars.layer().file("var/lib/dpkg/status", dpkg("a=1", "b=2", "c=3")));
    ToolInfo tool = ToolInfo.jscan("test");
    for (SbomFormat f : SbomFormat.values()) {
      String one = f.toString(GENERATOR.catalogImage(image, "x"), tool);
      String two = f.toString(GENERATOR.catalogImage(image, "x"), tool);
      assertEquals(one, two, f.id());
      assertFalse(one.isEmpty());
    }
    assertTrue(SbomFormat.CYCLONEDX_JSON.toString(GENERATOR.catalogImage(image, "x"), tool).contains("\"timestamp\" : \"2024-05-06T07:08:09Z\""));
  }
}
