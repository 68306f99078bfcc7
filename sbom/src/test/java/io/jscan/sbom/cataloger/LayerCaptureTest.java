package io.jscan.sbom.cataloger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.sbom.SbomGenerator;
import io.jscan.sbom.format.SbomFormat;
import io.jscan.sbom.format.ToolInfo;
import io.jscan.sbom.fs.FileMeta;
import io.jscan.sbom.fs.FileTree;
import io.jscan.sbom.fs.LayerCapture;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.testing.LayerTars;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * Cataloguing from layers captured while another reader streamed them (the verifier's single pass)
 * gives exactly the SBOM of {@link SbomGenerator#catalogImage}, whatever order the layers are read in.
 */
class LayerCaptureTest {
  private static final SbomGenerator GENERATOR = SbomGenerator.withDefaultCatalogers();
  private static final Instant CREATED = Instant.parse("2024-05-06T07:08:09Z");
  private static final ToolInfo TOOL = ToolInfo.jscan("test");

  static String dpkg(String... nameVersions) {
    StringBuilder s = new StringBuilder();
    for (String nv : nameVersions) {
      String[] p = nv.split("=");
      s.append("Package: ").append(p[0]).append("\nStatus: install ok installed\nArchitecture: amd64\nVersion: ")
          .append(p[1]).append("\nDescription: test package\n\n");
    }
    return s.toString();
  }

  /** The image: dpkg status rewritten by three layers, a jar, a Go binary, a deleted Python package, an opaque directory. */
  static Image image() throws Exception {
    String modinfo = "path\texample.com/tool\nmod\texample.com/tool\tv1.0.0\t\ndep\tgolang.org/x/text\tv0.3.7\th1:x=\n";
    byte[] jar = LanguageCatalogersTest.zip(LanguageCatalogersTest.members(
        "META-INF/maven/org.example/lib/pom.properties", LanguageCatalogersTest.pomProperties("org.example", "lib", "2.1")), false);
    return LayerTars.image(CREATED,
        LayerTars.layer()
            .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
            .file("var/lib/dpkg/status", dpkg("base=1.0", "libold=1.0"))
            .file("usr/lib/python3/site-packages/gone-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: gone\nVersion: 1.0\n")
            .file("opt/old/lib.jar", jar, 0644),
        LayerTars.layer()
            .file("var/lib/dpkg/status", dpkg("base=1.0", "libold=2.0", "curl=8.0"))
            .whiteout("usr/lib/python3/site-packages/gone-1.0.dist-info")
            .file("usr/local/bin/tool", GoBinaryCatalogerTest.pointerFormatElf("go1.16.5", modinfo), 0755),
        LayerTars.layer()
            .file("var/lib/dpkg/status", dpkg("base=1.0", "curl=8.0", "vim=9.0"))
            .file("opt/old/.wh..wh..opq", "")
            .file("app/app.jar", jar, 0644));
  }

  /** Feeds one layer's tar to its capture, as the verifier's scanner does. */
  static void feed(Layer layer, LayerCapture capture) throws Exception {
    try (InputStream in = layer.openUncompressed(); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        String path = String.join("/", Stream.of(e.getName().split("/")).filter(p -> !p.isEmpty() && !p.equals(".")).toList());
        if (path.isEmpty()) {
          continue;
        }
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        if (name.equals(".wh..wh..opq")) {
          capture.opaque(parent);
          continue;
        }
        if (name.startsWith(".wh.")) {
          capture.whiteout(parent.isEmpty() ? name.substring(4) : parent + "/" + name.substring(4));
          continue;
        }
        FileMeta.Kind kind = e.isDirectory() ? FileMeta.Kind.DIRECTORY : e.isSymbolicLink() ? FileMeta.Kind.SYMLINK
            : e.isLink() ? FileMeta.Kind.HARDLINK : e.isFile() ? FileMeta.Kind.FILE : FileMeta.Kind.OTHER;
        Optional<String> link = e.isSymbolicLink() || e.isLink() ? Optional.of(e.getLinkName()) : Optional.empty();
        Optional<OutputStream> sink = capture.entry(path, kind, e.getSize(), e.getMode(), link);
        if (sink.isPresent()) {
          try (OutputStream out = sink.get()) {
            tar.transferTo(out);
          }
        }
      }
    }
  }

  static String captured(Image image, int memoryLimit, boolean reverse) throws Exception {
    List<Layer> layers = image.layers();
    try (LayerCapture.Session session = LayerCapture.Session.open(GENERATOR.selectors(), memoryLimit)) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < layers.size(); i++) {
        order.add(i);
      }
      if (reverse) {
        Collections.reverse(order);
      }
      for (int i : order) {
        feed(layers.get(i), session.layer(i));
      }
      try (FileTree tree = session.merge(layers, "image " + image.digest())) {
        Sbom sbom = GENERATOR.catalogTree(tree, image, "test:capture");
        return SbomFormat.CYCLONEDX_JSON.toString(sbom, TOOL);
      }
    }
  }

  @Test
  void catalogTree_ofCapturedLayers_equalsCatalogImage_inAnyOrderAndWithContentOnDisk() throws Exception {
    Image image = image();
    Sbom direct = GENERATOR.catalogImage(image, "test:capture");
    String expected = SbomFormat.CYCLONEDX_JSON.toString(direct, TOOL);
    assertTrue(direct.packages().stream().anyMatch(p -> p.name().equals("vim")), "fixture sanity: dpkg");
    assertTrue(direct.packages().stream().anyMatch(p -> p.name().equals("golang.org/x/text")), "fixture sanity: Go");
    assertEquals(1, direct.packages().stream().filter(p -> p.name().equals("lib")).count(), "the opaque directory hid the old jar");
    assertFalse(direct.packages().stream().anyMatch(p -> p.name().equals("gone")), "the whiteout removed the Python package");

    assertEquals(expected, captured(image, 1 << 20, false));
    assertEquals(expected, captured(image, 1 << 20, true), "layers captured top first (as parallel reads finish)");
    assertEquals(expected, captured(image, 0, false), "every kept file in the temp directory");
  }
}
