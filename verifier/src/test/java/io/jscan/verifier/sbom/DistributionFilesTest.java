package io.jscan.verifier.sbom;

import static io.jscan.verifier.TestImage.findings;
import static io.jscan.verifier.TestImage.image;
import static io.jscan.verifier.TestImage.rule;
import static io.jscan.verifier.TestImage.status;
import static io.jscan.verifier.TestImage.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.testing.ExternalTool;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import io.jscan.verifier.RawTar;
import io.jscan.verifier.RuleResult;
import io.jscan.verifier.RuleResult.Status;
import io.jscan.verifier.TestSecrets;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.policy.PolicySet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code no-secrets} and the files of distribution packages: a secret in a file a package installed
 * whose content still matches the checksum the package manager recorded, written by the layer that
 * installed the package, is the distribution's and not reported; a key the builder added anywhere
 * else (a new file, a changed package file, a later layer, a record the package manager did not
 * write) still is.
 */
class DistributionFilesTest {
  @TempDir Path tmp;

  private static final String LIB = "usr/lib/x86_64-linux-gnu/libkeys.so.1";
  /** A library with a test key compiled in, as GnuTLS has. */
  private static final byte[] KEYED_LIB = utf8("\u007fELF a library\n" + TestSecrets.PEM + "\0more code\n");
  /** A second, different key (a builder's). */
  private static final String OTHER_KEY = "-----BEGIN EC PRIVATE KEY-----\n"
      + "MHcCAQEEIBv3mJ8wqX2nZ5cT7yK4pL1sD9fG6hJ0kQ3rW8eU2tYoAoGCCqGSM49\nAwEHoUQDQgAE\n-----END EC PRIVATE KEY-----\n";

  private static final PolicySet NO_SECRETS = policy("- id: no-secrets");

  private static PolicySet policy(String yaml) {
    try {
      return rule(yaml);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String hex(String algorithm, byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
  }

  static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  static String dpkgStatus(String... packages) {
    StringBuilder s = new StringBuilder();
    for (String p : packages) {
      String[] nv = p.split("=");
      String state = nv.length > 2 ? nv[2] : "install ok installed";
      s.append("Package: ").append(nv[0]).append("\nStatus: ").append(state).append("\nArchitecture: amd64\nVersion: ").append(nv[1])
          .append("\nDescription: test package\n\n");
    }
    return s.toString();
  }

  /** dpkg's info/PKG:amd64.md5sums line for {@code path} (relative, as dpkg writes it) holding {@code content}. */
  static String md5sums(String path, byte[] content) throws Exception {
    return hex("MD5", content) + "  " + path + "\n";
  }

  /** A Debian layer: os-release, status listing libkeys, its md5sums, and the library. */
  static RawTar debianLayer(byte[] libContent, byte[] recordedContent) throws Exception {
    return RawTar.tar()
        .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        .file("var/lib/dpkg/status", dpkgStatus("base-files=12.4", "libkeys=1.0-1"))
        .file("var/lib/dpkg/info/libkeys:amd64.md5sums", md5sums(LIB, recordedContent))
        .file("var/lib/dpkg/info/libkeys:amd64.list", "/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/" + LIB + "\n")
        .file(LIB, 0644, libContent);
  }

  static Image debian() throws Exception {
    return image().layer(debianLayer(KEYED_LIB, KEYED_LIB).build()).build();
  }

  static List<String> secretPaths(VerificationReport r) {
    List<String> out = new ArrayList<>();
    for (Finding f : findings(r, "no-secrets")) {
      out.add(((Location.InImage) f.location().orElseThrow()).path().orElseThrow());
    }
    return out;
  }

  static RuleResult result(VerificationReport r, String rule) {
    return r.images().get(0).rules().stream().filter(x -> x.rule().equals(rule)).findFirst().orElseThrow();
  }

  @Test
  void verify_keyInPackageFileMatchingDpkgMd5sums_isNotReported_andTheResultSaysSo() throws Exception {
    VerificationReport r = verify(debian(), NO_SECRETS);
    assertEquals(Status.PASSED, status(r, "no-secrets"), r.allFindings()::toString);
    assertEquals(List.of(), secretPaths(r));
    assertEquals("1 match in 1 file of distribution packages not reported: the content matches the checksum the package manager "
        + "recorded (dpkg: libkeys); includePackageFiles: true reports them", result(r, "no-secrets").detail());
  }

  @Test
  void verify_includePackageFiles_reportsTheKeyInThePackageFile() throws Exception {
    VerificationReport r = verify(debian(), policy("- id: no-secrets\n  parameters: {includePackageFiles: true}"));
    assertEquals(Status.FAILED, status(r, "no-secrets"));
    List<Finding> f = findings(r, "no-secrets");
    assertEquals(1, f.size(), f::toString);
    assertTrue(f.get(0).message().contains("in dpkg package libkeys 1.0-1's file whose content matches the md5 checksum dpkg recorded"),
        f.get(0).message());
    assertEquals("1 finding", result(r, "no-secrets").detail(), "no note when nothing is left out");
  }

  @Test
  void verify_policyInput_namesThePackageOfTheSecret() throws Exception {
    VerificationReport r = verify(debian(), NO_SECRETS);
    @SuppressWarnings("unchecked")
    Map<String, Object> files = (Map<String, Object>) r.images().get(0).policyInput().get("files");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> secrets = (List<Map<String, Object>>) files.get("secrets");
    assertEquals(1, secrets.size());
    assertEquals(Map.of("manager", "dpkg", "name", "libkeys", "version", "1.0-1", "database", "/var/lib/dpkg/status", "algorithm", "md5"),
        secrets.get(0).get("package"));
  }

  @Test
  void verify_celRuleOverPackagedSecrets_canStillRefuseThem() throws Exception {
    VerificationReport r = verify(debian(), policy("""
        - id: no-package-keys
          expression: "!files.secrets.exists(s, has(s.package) && s.package.manager == 'dpkg')"
          message: a package file holds a key
        """));
    assertEquals(Status.FAILED, status(r, "no-package-keys"));
  }

  @Test
  void verify_keyAppendedToPackageFile_checksumNoLongerMatches_isReported() throws Exception {
    byte[] appended = concat(KEYED_LIB, utf8(OTHER_KEY));
    VerificationReport r = verify(image().layer(debianLayer(appended, KEYED_LIB).build()).build(), NO_SECRETS);
    assertEquals(Status.FAILED, status(r, "no-secrets"));
    assertEquals(List.of("/" + LIB, "/" + LIB), secretPaths(r), "both keys of the changed file");
    assertEquals("2 findings", result(r, "no-secrets").detail());
  }

  @Test
  void verify_packageFileReplacedByALaterLayer_isReported() throws Exception {
    Image replaced = image()
        .layer(debianLayer(KEYED_LIB, KEYED_LIB).build())
        .layer(RawTar.tar().file(LIB, 0644, utf8(OTHER_KEY)).build())
        .build();
    VerificationReport r = verify(replaced, NO_SECRETS);
    List<Finding> f = findings(r, "no-secrets");
    assertEquals(2, f.size(), f::toString);
    assertTrue(f.stream().anyMatch(x -> x.message().startsWith("EC private key") && layer(x) == 2), f::toString);
    assertTrue(f.stream().anyMatch(x -> x.message().contains("deleted or replaced by a later layer") && layer(x) == 1),
        "the package's own copy is no longer visible, so no final record vouches for it: " + f);
  }

  @Test
  void verify_sameBytesWrittenAgainByALaterLayer_isReported() throws Exception {
    // a later layer that writes a package's path is the builder's doing, even with the package's bytes
    Image rewritten = image()
        .layer(debianLayer(KEYED_LIB, KEYED_LIB).build())
        .layer(RawTar.tar().file(LIB, 0644, KEYED_LIB).build())
        .build();
    VerificationReport r = verify(rewritten, NO_SECRETS);
    List<Finding> f = findings(r, "no-secrets");
    assertEquals(2, f.size(), f::toString);
    assertTrue(f.stream().anyMatch(x -> layer(x) == 2 && !x.message().contains("deleted")), f::toString);
  }

  @Test
  void verify_fileAndMd5sumsRewrittenTogetherByALaterLayer_isReported() throws Exception {
    // the attack: change a package's file and its md5sums to match, without reinstalling the package
    byte[] appended = concat(KEYED_LIB, utf8(OTHER_KEY));
    Image tampered = image()
        .layer(debianLayer(KEYED_LIB, KEYED_LIB).build())
        .layer(RawTar.tar().file(LIB, 0644, appended).file("var/lib/dpkg/info/libkeys:amd64.md5sums", md5sums(LIB, appended)).build())
        .build();
    VerificationReport r = verify(tampered, NO_SECRETS);
    assertTrue(findings(r, "no-secrets").stream().filter(x -> layer(x) == 2).count() == 2, r.allFindings()::toString);
  }

  @Test
  void verify_databaseRewrittenByALaterLayer_stillVouchesForTheEarlierLayersFiles() throws Exception {
    // apt-get install in a later layer rewrites status; the library stays the first layer's
    Image later = image()
        .layer(debianLayer(KEYED_LIB, KEYED_LIB).build())
        .layer(RawTar.tar().file("var/lib/dpkg/status", dpkgStatus("base-files=12.4", "libkeys=1.0-1", "curl=7.88.1-10")).build())
        .build();
    VerificationReport r = verify(later, NO_SECRETS);
    assertEquals(Status.PASSED, status(r, "no-secrets"), r.allFindings()::toString);
  }

  @Test
  void verify_packageInstalledByALaterLayer_vouchesForThatLayersFile() throws Exception {
    Image installedLater = image()
        .layer(RawTar.tar().file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n").file("var/lib/dpkg/status", dpkgStatus("base-files=12.4")).build())
        .layer(debianLayer(KEYED_LIB, KEYED_LIB).build())
        .build();
    VerificationReport r = verify(installedLater, NO_SECRETS);
    assertEquals(Status.PASSED, status(r, "no-secrets"), r.allFindings()::toString);
  }

  @Test
  void verify_keyAtAPathNoPackageOwns_isReported() throws Exception {
    Image copied = image()
        .layer(debianLayer(KEYED_LIB, KEYED_LIB).file("opt/app/libkeys.so.1", 0644, KEYED_LIB).build())
        .build();
    VerificationReport r = verify(copied, NO_SECRETS);
    assertEquals(List.of("/opt/app/libkeys.so.1"), secretPaths(r), "the same bytes at a path no package owns");
  }

  @Test
  void verify_packageWithoutMd5sums_isReported() throws Exception {
    Image noRecord = image().layer(RawTar.tar()
        .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        .file("var/lib/dpkg/status", dpkgStatus("libkeys=1.0-1"))
        .file("var/lib/dpkg/info/libkeys:amd64.list", "/" + LIB + "\n")
        .file(LIB, 0644, KEYED_LIB).build()).build();
    assertEquals(List.of("/" + LIB), secretPaths(verify(noRecord, NO_SECRETS)), "owned, but no checksum recorded");
  }

  @Test
  void verify_md5sumsOfAPackageStatusDoesNotList_isReported() throws Exception {
    Image unlisted = image().layer(RawTar.tar()
        .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        .file("var/lib/dpkg/status", dpkgStatus("base-files=12.4"))
        .file("var/lib/dpkg/info/libkeys:amd64.md5sums", md5sums(LIB, KEYED_LIB))
        .file(LIB, 0644, KEYED_LIB).build()).build();
    assertEquals(List.of("/" + LIB), secretPaths(verify(unlisted, NO_SECRETS)), "an md5sums file alone is no package");
  }

  @Test
  void verify_md5sumsOfARemovedPackage_isReported() throws Exception {
    Image removed = image().layer(RawTar.tar()
        .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        .file("var/lib/dpkg/status", dpkgStatus("libkeys=1.0-1=deinstall ok config-files"))
        .file("var/lib/dpkg/info/libkeys:amd64.md5sums", md5sums(LIB, KEYED_LIB))
        .file(LIB, 0644, KEYED_LIB).build()).build();
    assertEquals(List.of("/" + LIB), secretPaths(verify(removed, NO_SECRETS)), "not installed: its records vouch for nothing");
  }

  @Test
  void verify_distrolessStatusDRecords_doNotVouch() throws Exception {
    // status.d/ is written by image build tools (distroless, rules_distroless), not by dpkg
    Image distroless = image().layer(RawTar.tar()
        .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        .file("var/lib/dpkg/status.d/libkeys", dpkgStatus("libkeys=1.0-1"))
        .file("var/lib/dpkg/status.d/libkeys.md5sums", md5sums(LIB, KEYED_LIB))
        .file(LIB, 0644, KEYED_LIB).build()).build();
    assertEquals(List.of("/" + LIB), secretPaths(verify(distroless, NO_SECRETS)));
  }

  @Test
  void verify_recordThroughMergedUsrSymlink_matchesTheFileUnderUsr() throws Exception {
    // dpkg records /lib/x86_64-linux-gnu/...; on a merged-/usr system the file is under /usr/lib
    Image mergedUsr = image().layer(RawTar.tar()
        .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        .symlink("lib", "usr/lib")
        .file("var/lib/dpkg/status", dpkgStatus("libkeys=1.0-1"))
        .file("var/lib/dpkg/info/libkeys:amd64.md5sums", md5sums("lib/x86_64-linux-gnu/libkeys.so.1", KEYED_LIB))
        .file(LIB, 0644, KEYED_LIB).build()).build();
    VerificationReport r = verify(mergedUsr, NO_SECRETS);
    assertEquals(Status.PASSED, status(r, "no-secrets"), r.allFindings()::toString);
  }

  @Test
  void verify_packageFileDeletedByALaterLayer_isReportedFromItsBlob() throws Exception {
    Image deleted = image()
        .layer(debianLayer(KEYED_LIB, KEYED_LIB).build())
        .layer(RawTar.tar().whiteout(LIB).build())
        .build();
    List<Finding> f = findings(verify(deleted, NO_SECRETS), "no-secrets");
    assertEquals(1, f.size(), f::toString);
    assertTrue(f.get(0).message().contains("deleted or replaced by a later layer"), f.get(0).message());
  }

  @Test
  void verify_packageFileLargerThanWhatIsHeld_isReported() throws Exception {
    // hashing it would need a second read of the layer, so it cannot be vouched for
    byte[] big = concat(KEYED_LIB, new byte[(4 << 20) + 1]);
    VerificationReport r = verify(image().layer(debianLayer(big, big).build()).build(), NO_SECRETS);
    assertEquals(List.of("/" + LIB), secretPaths(r));
  }

  // ------------------------------------------------------------------ apk

  /** apk-tools' Z: checksum: Q1 + base64 of the content's sha1. */
  static String apkChecksum(byte[] content) throws Exception {
    return "Q1" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(content));
  }

  static Image alpine(byte[] libContent, byte[] recordedContent) throws Exception {
    String installed = "P:musl\nV:1.2.4-r2\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\n\n"
        + "P:libkeys\nV:1.0-r0\nA:x86_64\nF:usr\nF:usr/lib\nR:libkeys.so.1\nZ:" + apkChecksum(recordedContent) + "\n\n";
    return image().layer(RawTar.tar()
        .file("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n")
        .file("lib/apk/db/installed", installed)
        .file("usr/lib/libkeys.so.1", 0755, libContent).build()).build();
  }

  @Test
  void verify_keyInApkPackageFileMatchingItsZChecksum_isNotReported() throws Exception {
    VerificationReport r = verify(alpine(KEYED_LIB, KEYED_LIB), NO_SECRETS);
    assertEquals(Status.PASSED, status(r, "no-secrets"), r.allFindings()::toString);
    assertTrue(result(r, "no-secrets").detail().contains("(apk: libkeys)"), result(r, "no-secrets").detail());
  }

  @Test
  void verify_apkPackageFileChanged_isReported() throws Exception {
    VerificationReport r = verify(alpine(concat(KEYED_LIB, utf8(OTHER_KEY)), KEYED_LIB), NO_SECRETS);
    assertEquals(List.of("/usr/lib/libkeys.so.1", "/usr/lib/libkeys.so.1"), secretPaths(r));
  }

  // ------------------------------------------------------------------ rpm

  @Test
  void verify_keyInRpmPackageFileMatchingTheRpmdbDigest_isNotReported_andAChangedOneIs() throws Exception {
    ExternalTool.require("rpmbuild");
    ExternalTool.require("rpm");
    Path top = Files.createDirectories(tmp.resolve("rpmbuild"));
    Path source = Files.write(tmp.resolve("libkeys.so.1"), KEYED_LIB);
    Path spec = top.resolve("libkeys.spec");
    Files.writeString(spec, String.join("\n",
        "Name: libkeys", "Version: 1.0", "Release: 1", "Summary: test package", "License: MIT", "BuildArch: noarch",
        "%description", "A library with a test key compiled in.",
        "%install", "mkdir -p %{buildroot}/usr/lib64", "cp " + source + " %{buildroot}/usr/lib64/libkeys.so.1",
        "%files", "/usr/lib64/libkeys.so.1", ""));
    // no post-install scripts: they would try to strip the "library", which is not a real ELF file
    run("rpmbuild", "--define", "_topdir " + top, "--define", "_db_backend sqlite", "--define", "__os_install_post %{nil}",
        "-bb", spec.toString());
    Path root = Files.createDirectories(tmp.resolve("root"));
    run("rpm", "--root", root.toString(), "--dbpath", "/var/lib/rpm", "--define", "_db_backend sqlite", "-i", "--nodeps", "--justdb",
        top.resolve("RPMS/noarch/libkeys-1.0-1.noarch.rpm").toString());
    byte[] rpmdb = Files.readAllBytes(root.resolve("var/lib/rpm/rpmdb.sqlite"));

    for (boolean changed : new boolean[] {false, true}) {
      byte[] content = changed ? concat(KEYED_LIB, utf8(OTHER_KEY)) : KEYED_LIB;
      Image fedora = image().layer(RawTar.tar()
          .file("etc/os-release", "ID=fedora\nVERSION_ID=40\n")
          .file("var/lib/rpm/rpmdb.sqlite", 0644, rpmdb)
          .file("usr/lib64/libkeys.so.1", 0755, content).build()).build();
      VerificationReport r = verify(fedora, NO_SECRETS);
      if (changed) {
        assertEquals(List.of("/usr/lib64/libkeys.so.1", "/usr/lib64/libkeys.so.1"), secretPaths(r));
      } else {
        assertEquals(Status.PASSED, status(r, "no-secrets"), r.allFindings()::toString);
        assertTrue(result(r, "no-secrets").detail().contains("(rpm: libkeys)"), result(r, "no-secrets").detail());
      }
    }
  }

  private void run(String... command) throws Exception {
    Path log = tmp.resolve("rpm.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + String.join(" ", command));
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + Files.readString(log));
  }

  private static int layer(Finding f) {
    return ((Location.InImage) f.location().orElseThrow()).layer().getAsInt();
  }

  @Test
  void verify_imageWithoutSecrets_passesWithoutANote() throws Exception {
    VerificationReport r = verify(image().layer(debianLayer(utf8("\u007fELF no keys here\n"), utf8("x")).build()).build(), NO_SECRETS);
    assertEquals(Status.PASSED, status(r, "no-secrets"));
    assertEquals("", result(r, "no-secrets").detail());
    assertFalse(r.allFindings().stream().anyMatch(f -> f.rule().equals("no-secrets")));
  }
}
