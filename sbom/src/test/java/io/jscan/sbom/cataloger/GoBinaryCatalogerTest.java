package io.jscan.sbom.cataloger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.testing.ExternalTool;
import io.jscan.sbom.SbomGenerator;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageMetadata;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.testing.Fixtures;
import io.jscan.sbom.testing.LayerTars;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Go build info: a real binary compiled here, an old-format one made by recipe, and damaged ones. */
class GoBinaryCatalogerTest {
  @TempDir Path tmp;

  private static final SbomGenerator GENERATOR = SbomGenerator.withDefaultCatalogers();

  /**
   * Compiles a program of module example.com/hello that requires example.com/greet v1.2.3,
   * replaced by a local directory (no network), with the Go toolchain on this machine.
   */
  private static byte[] compiled;

  /** The compiled program as a file of this test's temp directory (compiled once per run). */
  private Path compileHello() throws Exception {
    if (compiled == null) {
      compiled = Files.readAllBytes(compileHelloNow());
    }
    return Files.write(tmp.resolve("hello-copy"), compiled);
  }

  private Path compileHelloNow() throws Exception {
    Path go = ExternalTool.require("go");
    Path src = Files.createDirectories(tmp.resolve("src/hello"));
    Path greet = Files.createDirectories(tmp.resolve("src/greet"));
    Files.writeString(greet.resolve("go.mod"), "module example.com/greet\n\ngo 1.18\n");
    Files.writeString(greet.resolve("greet.go"), "package greet\n\nfunc Hello() string { return \"hello\" }\n");
    Files.writeString(src.resolve("go.mod"), "module example.com/hello\n\ngo 1.18\n\nrequire example.com/greet v1.2.3\n\nreplace example.com/greet => ../greet\n");
    Files.writeString(src.resolve("main.go"), "package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n");
    Path out = tmp.resolve("hello");
    ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-buildvcs=false", "-trimpath", "-o", out.toString(), ".")
        .directory(src.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("go.log").toFile());
    pb.environment().put("GOPROXY", "off");
    pb.environment().put("GOFLAGS", "-mod=mod");
    pb.environment().put("GOCACHE", tmp.resolve("gocache").toString());
    pb.environment().put("GOPATH", tmp.resolve("gopath").toString());
    pb.environment().put("HOME", tmp.toString());
    pb.environment().put("CGO_ENABLED", "0");
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("go.log")));
    return out;
  }

  private static String goVersion() throws Exception {
    Process p = new ProcessBuilder("go", "env", "GOVERSION").redirectErrorStream(true).start();
    String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    return v;
  }

  @Test
  void catalog_realGoBinary_findsMainModuleDependencyAndStdlib() throws Exception {
    Path binary = compileHello();
    Path root = Fixtures.rootfs(tmp.resolve("root"), Map.of("usr/local/bin/hello", Files.readAllBytes(binary)));
    Files.setPosixFilePermissions(root.resolve("usr/local/bin/hello"), PosixFilePermissions.fromString("rwxr-xr-x"));

    Sbom sbom = GENERATOR.catalogDirectory(root);

    Map<String, Package> go = new TreeMap<>();
    sbom.packagesOf(PackageType.GO_MODULE).forEach(p -> go.put(p.name(), p));
    assertEquals(Set.of("example.com/hello", "example.com/greet", "stdlib"), go.keySet());
    Package main = go.get("example.com/hello");
    assertEquals(Optional.of("(devel)"), main.version());
    assertTrue(((PackageMetadata.GoModule) main.metadata()).mainModule());
    assertEquals(Optional.of("amd64"), main.metadata().architecture());
    Package greet = go.get("example.com/greet");
    assertEquals(Optional.of("v1.2.3"), greet.version());
    assertEquals("pkg:golang/example.com/greet@v1.2.3", greet.purl().orElseThrow().toString());
    assertEquals(Optional.of("../greet"), ((PackageMetadata.GoModule) greet.metadata()).replacedBy());
    String version = goVersion();
    assertEquals(Optional.of(version), go.get("stdlib").version());
    assertEquals("pkg:golang/stdlib@" + version.substring(2), go.get("stdlib").purl().orElseThrow().toString());
    assertEquals(Set.of("example.com/greet", "stdlib"), Fixtures.dependsOnByName(sbom).get("example.com/hello"));
    assertEquals("/usr/local/bin/hello", main.primaryLocation().path());
  }

  @Test
  void catalogImage_goBinaryInALayer_isFoundByItsMarkerAndOthersAreNot() throws Exception {
    byte[] hello = Files.readAllBytes(compileHello());
    byte[] notGo = new byte[100_000];
    notGo[0] = 0x7f;
    Image image = LayerTars.image(Instant.EPOCH,
        LayerTars.layer().file("bin/tool", notGo, 0755).file("data/hello-not-executable", hello, 0644),
        LayerTars.layer().file("app/hello", hello, 0755));

    Sbom sbom = GENERATOR.catalogImage(image, "go");

    Set<String> where = new java.util.TreeSet<>();
    sbom.packagesOf(PackageType.GO_MODULE).forEach(p -> where.add(p.primaryLocation().path() + "@" + p.layer()));
    assertEquals(Set.of("/app/hello@1"), where);
  }

  @Test
  void catalog_goBinaryWithDamagedBuildInfo_warnsAndKeepsOtherPackages() throws Exception {
    byte[] hello = Files.readAllBytes(compileHello());
    int at = io.jscan.sbom.fs.MarkerScanner.indexOf(hello, hello.length, GoBuildInfo.MAGIC, 16);
    assertTrue(at > 0);
    byte[] damaged = hello.clone();
    // the inline format's first length varint: make it claim far more bytes than the file has
    damaged[at + 32] = (byte) 0xff;
    damaged[at + 33] = (byte) 0xff;
    damaged[at + 34] = (byte) 0xff;
    damaged[at + 35] = (byte) 0x7f;
    Path root = Fixtures.rootfs(tmp.resolve("root"), Map.of(
        "usr/bin/damaged", damaged,
        "var/lib/dpkg/status", "Package: ok\nStatus: install ok installed\nVersion: 1\nDescription: x\n".getBytes(StandardCharsets.UTF_8)));
    Files.setPosixFilePermissions(root.resolve("usr/bin/damaged"), PosixFilePermissions.fromString("rwxr-xr-x"));

    Sbom sbom = GENERATOR.catalogDirectory(root);

    assertEquals(1, sbom.warnings().size(), sbom.warnings().toString());
    assertTrue(sbom.warnings().get(0).toString().startsWith("/usr/bin/damaged: damaged Go build info: "), sbom.warnings().toString());
    assertEquals(1, sbom.packages().size());
    assertEquals("ok", sbom.packages().get(0).name());
  }

  /**
   * A minimal little-endian ELF64 file with one PT_LOAD segment (file offset 0 at 0x400000) and
   * build info in the pre-1.18 pointer format: the header at 0x100 points at two Go string
   * headers, which point at the version and the sentinel-framed module info.
   */
  static byte[] pointerFormatElf(String goVersion, String modinfo) {
    int base = 0x400000;
    byte[] sentinel = new byte[16];
    Arrays16.fill(sentinel);
    ByteArrayOutputStream mod = new ByteArrayOutputStream();
    mod.writeBytes(sentinel);
    mod.writeBytes(modinfo.getBytes(StandardCharsets.UTF_8));
    mod.writeBytes(sentinel);
    byte[] modBytes = mod.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(0x400 + modBytes.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
    b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, base).putLong(32, 64).putLong(40, 0);
    b.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1).putShort(58, (short) 64).putShort(60, (short) 0).putShort(62, (short) 0);
    b.putInt(64, 1).putInt(68, 5).putLong(72, 0).putLong(80, base).putLong(88, base).putLong(96, b.capacity()).putLong(104, b.capacity()).putLong(112, 0x1000);
    b.position(0x100);
    b.put(GoBuildInfo.MAGIC).put((byte) 8).put((byte) 0);
    b.putLong(0x110, base + 0x200).putLong(0x118, base + 0x210);
    byte[] v = goVersion.getBytes(StandardCharsets.UTF_8);
    b.putLong(0x200, base + 0x300).putLong(0x208, v.length);
    b.putLong(0x210, base + 0x400).putLong(0x218, modBytes.length);
    b.position(0x300);
    b.put(v);
    b.position(0x400);
    b.put(modBytes);
    return b.array();
  }

  /** Sentinel bytes as the Go linker writes them (any 16 bytes work for the reader). */
  private static final class Arrays16 {
    static void fill(byte[] s) {
      for (int i = 0; i < s.length; i++) {
        s[i] = (byte) (0x30 + i);
      }
    }
  }

  @Test
  void read_pointerFormatBuildInfo_resolvesStringsThroughTheSegments() {
    String modinfo = "path\tgithub.com/acme/tool\nmod\tgithub.com/acme/tool\tv0.4.0\th1:abc=\n"
        + "dep\tgolang.org/x/sys\tv0.0.0-20210630005230-0f9fa26af87c\th1:def=\n"
        + "dep\tgithub.com/old/lib\tv1.0.0\th1:ghi=\n=>\tgithub.com/fork/lib\tv1.0.1\th1:jkl=\n";
    byte[] elf = pointerFormatElf("go1.16.5", modinfo);

    GoBuildInfo.Info info = GoBuildInfo.read(elf).orElseThrow();

    assertEquals("go1.16.5", info.goVersion());
    assertEquals(Optional.of("github.com/acme/tool"), info.mainPackage());
    assertEquals("v0.4.0", info.main().orElseThrow().version());
    assertEquals(2, info.deps().size());
    assertEquals("github.com/fork/lib", info.deps().get(1).replacement().orElseThrow().path());
  }

  @Test
  void catalog_pointerFormatBinary_usesTheReplacementModule() throws Exception {
    String modinfo = "path\tgithub.com/acme/tool\nmod\tgithub.com/acme/tool\tv0.4.0\th1:abc=\n"
        + "dep\tgithub.com/old/lib\tv1.0.0\th1:ghi=\n=>\tgithub.com/fork/lib\tv1.0.1\th1:jkl=\n";
    Path root = Fixtures.rootfs(tmp.resolve("root"), Map.of("bin/tool", pointerFormatElf("go1.16.5", modinfo)));
    Files.setPosixFilePermissions(root.resolve("bin/tool"), PosixFilePermissions.fromString("rwxr-xr-x"));

    Sbom sbom = GENERATOR.catalogDirectory(root);

    Set<String> purls = new java.util.TreeSet<>();
    sbom.packages().forEach(p -> purls.add(p.purl().orElseThrow().toString()));
    assertEquals(Set.of("pkg:golang/github.com/acme/tool@v0.4.0", "pkg:golang/github.com/fork/lib@v1.0.1", "pkg:golang/stdlib@1.16.5"), purls);
    assertEquals(java.util.List.of(), sbom.warnings());
  }

  @Test
  void read_pointerPastTheSegments_isDamageNotACrash() {
    byte[] elf = pointerFormatElf("go1.16.5", "mod\tx\tv1\t\n");
    ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(0x110, 0x7fff0000L);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> GoBuildInfo.read(elf));
    assertFalse(e.getMessage().isEmpty());
  }
}
