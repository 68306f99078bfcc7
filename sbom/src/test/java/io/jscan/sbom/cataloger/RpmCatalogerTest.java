package io.jscan.sbom.cataloger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.ExternalTool;
import io.jscan.sbom.SbomGenerator;
import io.jscan.sbom.model.FileDigest;
import io.jscan.sbom.model.OwnedFile;
import io.jscan.sbom.model.Package;
import io.jscan.sbom.model.PackageType;
import io.jscan.sbom.model.Sbom;
import io.jscan.sbom.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rpm's SQLite database: headers assembled per the header format, and a database made by rpm itself. */
class RpmCatalogerTest {
  @TempDir Path tmp;

  private static final SbomGenerator GENERATOR = SbomGenerator.withDefaultCatalogers();

  /** Recipe for an rpm header blob (index entries + data store, big-endian, as rpmdb stores it). */
  static final class HeaderBuilder {
    private record Tag(int tag, int type, byte[] data, int count, int align) {}

    private final List<Tag> tags = new ArrayList<>();

    HeaderBuilder string(int tag, String value) {
      tags.add(new Tag(tag, RpmHeader.TYPE_STRING, (value + "\0").getBytes(StandardCharsets.UTF_8), 1, 1));
      return this;
    }

    HeaderBuilder strings(int tag, String... values) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (String v : values) {
        out.writeBytes((v + "\0").getBytes(StandardCharsets.UTF_8));
      }
      tags.add(new Tag(tag, RpmHeader.TYPE_STRING_ARRAY, out.toByteArray(), values.length, 1));
      return this;
    }

    HeaderBuilder int32(int tag, int... values) {
      ByteBuffer b = ByteBuffer.allocate(4 * values.length);
      for (int v : values) {
        b.putInt(v);
      }
      tags.add(new Tag(tag, RpmHeader.TYPE_INT32, b.array(), values.length, 4));
      return this;
    }

    HeaderBuilder int16(int tag, int... values) {
      ByteBuffer b = ByteBuffer.allocate(2 * values.length);
      for (int v : values) {
        b.putShort((short) v);
      }
      tags.add(new Tag(tag, RpmHeader.TYPE_INT16, b.array(), values.length, 2));
      return this;
    }

    byte[] build() {
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      ByteBuffer index = ByteBuffer.allocate(16 * tags.size());
      for (Tag t : tags) {
        while (data.size() % t.align() != 0) {
          data.write(0);
        }
        index.putInt(t.tag()).putInt(t.type()).putInt(data.size()).putInt(t.count());
        data.writeBytes(t.data());
      }
      ByteBuffer blob = ByteBuffer.allocate(8 + index.capacity() + data.size());
      blob.putInt(tags.size()).putInt(data.size()).put(index.array()).put(data.toByteArray());
      return blob.array();
    }
  }

  static byte[] header(String name, String version, String release, Integer epoch, String license, String... files) {
    HeaderBuilder h = new HeaderBuilder()
        .string(RpmHeader.NAME, name).string(RpmHeader.VERSION, version).string(RpmHeader.RELEASE, release)
        .string(RpmHeader.ARCH, "x86_64").string(RpmHeader.LICENSE, license).string(RpmHeader.SOURCERPM, name + "-" + version + "-" + release + ".src.rpm");
    if (epoch != null) {
      h.int32(RpmHeader.EPOCH, epoch);
    }
    if (files.length > 0) {
      String[] base = new String[files.length];
      int[] dirIndexes = new int[files.length];
      String[] digests = new String[files.length];
      int[] modes = new int[files.length];
      int[] flags = new int[files.length];
      List<String> dirs = new ArrayList<>();
      for (int i = 0; i < files.length; i++) {
        String dir = files[i].substring(0, files[i].lastIndexOf('/') + 1);
        if (!dirs.contains(dir)) {
          dirs.add(dir);
        }
        dirIndexes[i] = dirs.indexOf(dir);
        base[i] = files[i].substring(files[i].lastIndexOf('/') + 1);
        digests[i] = io.jscan.core.oci.Digest.sha256(files[i]).encoded();
        modes[i] = 0100755;
        flags[i] = files[i].startsWith("/etc/") ? 1 : 0;
      }
      h.strings(RpmHeader.BASENAMES, base).strings(RpmHeader.DIRNAMES, dirs.toArray(String[]::new)).int32(RpmHeader.DIRINDEXES, dirIndexes)
          .strings(RpmHeader.FILEDIGESTS, digests).int32(RpmHeader.FILEDIGESTALGO, 8).int16(RpmHeader.FILEMODES, modes).int32(RpmHeader.FILEFLAGS, flags);
    }
    return h.build();
  }

  static void sqlite(Path db, List<byte[]> blobs) throws Exception {
    Files.createDirectories(db.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      c.createStatement().execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)");
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO Packages (blob) VALUES (?)")) {
        for (byte[] b : blobs) {
          insert.setBytes(1, b);
          insert.executeUpdate();
        }
      }
    }
  }

  @Test
  void catalog_assembledRpmdb_readsPackagesFilesAndPurls() throws Exception {
    Path root = Fixtures.rootfs(tmp.resolve("root"), Map.of("etc/os-release", "ID=fedora\nVERSION_ID=39\n".getBytes(StandardCharsets.UTF_8)));
    sqlite(root.resolve("usr/lib/sysimage/rpm/rpmdb.sqlite"), List.of(
        header("bash", "5.2.26", "1.fc39", null, "GPL-3.0-or-later", "/usr/bin/bash", "/etc/skel/.bashrc"),
        header("openssl-libs", "3.1.1", "4.fc39", 1, "Apache-2.0", "/usr/lib64/libssl.so.3"),
        header("gpg-pubkey", "18b8e74c", "62f2920f", null, "pubkey")));

    Sbom sbom = GENERATOR.catalogDirectory(root);

    assertEquals(List.of(), sbom.warnings());
    List<Package> rpms = sbom.packagesOf(PackageType.RPM);
    assertEquals(List.of("bash@5.2.26-1.fc39", "openssl-libs@1:3.1.1-4.fc39"), rpms.stream().map(p -> p.name() + "@" + p.version().orElseThrow()).toList());
    assertEquals("pkg:rpm/fedora/openssl-libs@3.1.1-4.fc39?arch=x86_64&distro=fedora-39&epoch=1&upstream=openssl-libs-3.1.1-4.fc39.src.rpm",
        rpms.get(1).purl().orElseThrow().toString());
    assertEquals(List.of(
        new OwnedFile("/etc/skel/.bashrc", Optional.of(new FileDigest("sha256", io.jscan.core.oci.Digest.sha256("/etc/skel/.bashrc").encoded())), true),
        new OwnedFile("/usr/bin/bash", Optional.of(new FileDigest("sha256", io.jscan.core.oci.Digest.sha256("/usr/bin/bash").encoded())), false)),
        rpms.get(0).files());
    assertEquals(Optional.of("GPL-3.0-or-later"), rpms.get(0).licenses().get(0).spdx());
  }

  @Test
  void catalog_rpmdbWithTruncatedHeader_warnsAndKeepsTheOtherPackages() throws Exception {
    byte[] good = header("zlib", "1.2.13", "4.fc39", null, "Zlib", "/usr/lib64/libz.so.1");
    byte[] broken = header("curl", "8.2.1", "1.fc39", null, "curl", "/usr/bin/curl");
    Path root = tmp.resolve("root");
    sqlite(root.resolve("var/lib/rpm/rpmdb.sqlite"), List.of(Arrays.copyOf(broken, broken.length - 20), good));

    Sbom sbom = GENERATOR.catalogDirectory(root);

    assertEquals(List.of("zlib"), sbom.packages().stream().map(Package::name).toList());
    assertEquals(1, sbom.warnings().size());
    assertTrue(sbom.warnings().get(0).toString().startsWith("/var/lib/rpm/rpmdb.sqlite: package header 1: header needs"), sbom.warnings().toString());
  }

  @Test
  void catalog_rpmdbThatIsNotSqlite_warnsAndKeepsOtherEcosystems() throws Exception {
    Path root = Fixtures.rootfs(tmp.resolve("root"), Map.of(
        "var/lib/rpm/rpmdb.sqlite", "SQLite format 3? no, garbage".getBytes(StandardCharsets.UTF_8),
        "usr/lib/node_modules/a/package.json", "{\"name\":\"a\",\"version\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)));

    Sbom sbom = GENERATOR.catalogDirectory(root);

    assertEquals(List.of("a"), sbom.packages().stream().map(Package::name).toList());
    assertEquals(1, sbom.warnings().size());
    assertTrue(sbom.warnings().get(0).toString().startsWith("/var/lib/rpm/rpmdb.sqlite: not a readable rpm SQLite database"), sbom.warnings().toString());
  }

  /** Runs a command; returns its standard output, failing the test on a non-zero exit. */
  private String run(Path log, String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + Files.readString(log));
    return out;
  }

  @Test
  void catalog_rpmdbWrittenByRpm_equalsRpmQueryAll() throws Exception {
    ExternalTool.require("rpmbuild");
    ExternalTool.require("rpm");
    Path top = Files.createDirectories(tmp.resolve("rpmbuild"));
    Path spec = top.resolve("hello.spec");
    Files.writeString(spec, String.join("\n",
        "Name: jscan-hello", "Version: 1.2.3", "Release: 4", "Epoch: 2", "Summary: test package", "License: MIT AND Apache-2.0",
        "BuildArch: noarch", "%description", "A package built by jscan's tests.",
        "%install", "mkdir -p %{buildroot}/usr/share/jscan-hello %{buildroot}/etc",
        "echo hello > %{buildroot}/usr/share/jscan-hello/hello.txt", "echo conf > %{buildroot}/etc/jscan-hello.conf",
        "%files", "/usr/share/jscan-hello/hello.txt", "%config /etc/jscan-hello.conf", "%dir /usr/share/jscan-hello", ""));
    Path log = tmp.resolve("rpm.log");
    run(log, "rpmbuild", "--define", "_topdir " + top, "--define", "_db_backend sqlite", "-bb", spec.toString());
    Path rpmFile = top.resolve("RPMS/noarch/jscan-hello-1.2.3-4.noarch.rpm");
    Path root = Files.createDirectories(tmp.resolve("root"));
    String[] db = {"--root", root.toString(), "--dbpath", "/var/lib/rpm", "--define", "_db_backend sqlite"};
    List<String> install = new ArrayList<>(List.of("rpm"));
    install.addAll(List.of(db));
    install.addAll(List.of("-i", "--nodeps", "--justdb", rpmFile.toString()));
    run(log, install.toArray(String[]::new));
    List<String> query = new ArrayList<>(List.of("rpm"));
    query.addAll(List.of(db));
    query.addAll(List.of("-qa", "--qf", "%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\\n"));
    Set<String> expected = new TreeSet<>(run(log, query.toArray(String[]::new)).lines().filter(l -> !l.isBlank()).toList());
    assertTrue(Files.isRegularFile(root.resolve("var/lib/rpm/rpmdb.sqlite")), "rpm wrote an SQLite database");

    Sbom sbom = GENERATOR.catalogDirectory(root);

    Set<String> ours = new TreeSet<>();
    for (Package p : sbom.packagesOf(PackageType.RPM)) {
      var m = (io.jscan.sbom.model.PackageMetadata.Rpm) p.metadata();
      ours.add(p.name() + " " + m.epoch().map(String::valueOf).orElse("(none)") + ":" + m.version() + "-" + m.release() + " " + m.architecture().orElse(""));
    }
    assertEquals(expected, ours);
    Package hello = sbom.packagesOf(PackageType.RPM).get(0);
    assertEquals(Optional.of("2:1.2.3-4"), hello.version());
    assertEquals(Optional.of("MIT AND Apache-2.0"), hello.licenses().get(0).spdx());
    assertEquals(List.of("/etc/jscan-hello.conf true", "/usr/share/jscan-hello/hello.txt false"),
        hello.files().stream().map(f -> f.path() + " " + f.configFile()).toList());
    assertTrue(hello.files().get(1).digest().isPresent());
  }
}
