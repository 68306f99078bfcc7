package io.jscan.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.sbom.format.SbomFormat;
import io.jscan.sbom.format.ToolInfo;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.testing.SbomSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian check: the bookworm base image that {@code scripts/make-debian-base.sh}
 * builds with mmdebstrap (OCI layout, no registry) is catalogued through jscan's OCI layout
 * transport, and its deb packages (name, version, architecture) must equal what
 * {@code dpkg-query --admindir=ROOTFS/var/lib/dpkg -W} lists for the same root file system.
 */
class DebianBaseIntegrationTest {
  @TempDir Path tmp;

  @Test
  void catalogImage_debianBase_equalsDpkgQueryOfItsRootfs() throws Exception {
    ExternalTool.require("mmdebstrap");
    ExternalTool.require("umoci");
    ExternalTool.require("skopeo");
    ExternalTool.require("jq");
    ExternalTool.require("dpkg-query");
    Path script = io.jscan.core.testing.RepoPaths.repoRoot().resolve("scripts/make-debian-base.sh");
    assertTrue(Files.isRegularFile(script), script.toString());

    Path layout = tmp.resolve("oci-debian");
    Path work = tmp.resolve("work");
    Process make = new ProcessBuilder("bash", script.toString(), "-o", layout.toString(), "-w", work.toString(), "-t", "bookworm")
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("make.log").toFile())
        .start();
    assertTrue(make.waitFor(15, TimeUnit.MINUTES), "make-debian-base.sh timed out");
    assertEquals(0, make.exitValue(), Files.readString(tmp.resolve("make.log")));

    Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
    Process untar = new ProcessBuilder("tar", "-C", rootfs.toString(), "-xf", work.resolve("rootfs-minbase.tar").toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("tar.log").toFile()).start();
    assertTrue(untar.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, untar.exitValue(), Files.readString(tmp.resolve("tar.log")));
    Process query = new ProcessBuilder("dpkg-query", "--admindir=" + rootfs.resolve("var/lib/dpkg"), "-W", "-f", "${Package} ${Version} ${Architecture}\\n")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String listed = new String(query.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(query.waitFor(1, TimeUnit.MINUTES));
    assertEquals(0, query.exitValue());
    Set<String> expected = listed.lines().filter(l -> !l.isBlank()).collect(Collectors.toCollection(TreeSet::new));

    Image image = (Image) OciLayout.open(layout).resolve(Optional.of("bookworm"), Optional.empty());
    Sbom sbom = SbomGenerator.withDefaultCatalogers().catalogImage(image, "oci:" + layout + ":bookworm");

    Set<String> ours = new TreeSet<>();
    for (Package p : sbom.packagesOf(PackageType.DEB)) {
      ours.add(p.name() + " " + p.version().orElse("") + " " + ((PackageMetadata.Dpkg) p.metadata()).architecture().orElse(""));
    }
    assertTrue(expected.size() > 50, "a minbase system has dozens of packages: " + expected.size());
    assertEquals(expected, ours);
    assertEquals(List.of(), sbom.warnings());
    assertEquals("debian", sbom.operatingSystem().orElseThrow().id());
    Package bash = sbom.packagesOf(PackageType.DEB).stream().filter(p -> p.name().equals("bash")).findFirst().orElseThrow();
    assertTrue(bash.files().stream().anyMatch(f -> f.path().equals("/bin/bash") || f.path().equals("/usr/bin/bash")), "bash owns its binary");
    assertTrue(bash.licenses().stream().anyMatch(l -> l.spdx().orElse("").startsWith("GPL-3.0")), bash.licenses().toString());

    ToolInfo tool = ToolInfo.jscan("test");
    String cdx = SbomFormat.CYCLONEDX_JSON.toString(sbom, tool);
    String spdx = SbomFormat.SPDX_JSON.toString(sbom, tool);
    assertEquals(Set.of(), SbomSchemas.validateCycloneDx(cdx));
    assertEquals(Set.of(), SbomSchemas.validateSpdx(spdx));
    Sbom again = SbomGenerator.withDefaultCatalogers().catalogImage(image, "oci:" + layout + ":bookworm");
    assertEquals(cdx, SbomFormat.CYCLONEDX_JSON.toString(again, tool), "the same image gives the same bytes");
  }
}
