package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.testing.SharedBases;
import io.jscan.core.testing.TestFiles;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.verifier.TestSecrets;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code no-secrets} on a real Debian bookworm base ({@code scripts/make-debian-base.sh}): GnuTLS's
 * compiled-in test keys match dpkg's md5sums and are not reported under {@code strict}; keys a
 * Dockerfile adds on top (COPY, a package file replaced or appended to, RUN) are.
 */
class DebianSecretsTest {
  private static final String GNUTLS = "/usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3";
  private static final String ZLIB = "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13";

  @TempDir Path tmp;
  Map<String, String> env;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void useTempStore() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>(System.getenv());
    env.put("SOURCE_DATE_EPOCH", "1700000000");
  }

  @AfterEach
  void restore() throws Exception {
    System.clearProperty(LocalStore.HOME_PROPERTY);
    TestFiles.deleteTree(tmp.resolve("home")); // the Debian root extracted for RUN: see TestFiles
  }

  Run jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The text report's no-secrets finding lines. */
  static List<String> secretLines(Run r) {
    return r.out().lines().filter(l -> l.contains("✖ no-secrets (")).toList();
  }

  static String ruleLine(Run r) {
    return r.out().lines().filter(l -> l.contains("/no-secrets  ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
  }

  Path policy(String rule) throws Exception {
    return Files.writeString(tmp.resolve("policy.yaml"), "apiVersion: jscan.io/v1\nkind: Policy\nname: keys\nrules:\n" + rule);
  }

  @Test
  void verify_stockDebianBase_strictReportsNoSecret_andCountsGnutlsTestKeys() throws Exception {
    SharedBases.Base debian = SharedBases.debian();
    Run strict = jscan("verify", debian.ociReference(), "--policy", "strict");
    assertEquals(List.of(), secretLines(strict), strict.out());
    assertTrue(ruleLine(strict).contains("strict/no-secrets  passed: 10 matches in 1 file of distribution packages not reported")
        && ruleLine(strict).contains("(dpkg: libgnutls30)"), ruleLine(strict));

    // the ten matches are GnuTLS's, and includePackageFiles reports them
    Run all = jscan("verify", debian.ociReference(), "--policy", policy("  - id: no-secrets\n    parameters: {includePackageFiles: true}\n").toString());
    assertEquals(3, all.code(), all.out() + all.err());
    List<String> lines = secretLines(all);
    assertEquals(10, lines.size(), all.out());
    assertTrue(lines.stream().allMatch(l -> l.contains(GNUTLS + ":") && l.contains("dpkg package libgnutls30 ")), all.out());
  }

  @Test
  void build_keysCopiedOntoDebian_newFileReplacedLibraryAndAppendedConffile_areFound() throws Exception {
    SharedBases.Base debian = SharedBases.debian();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("id_rsa"), TestSecrets.PEM);
    Files.writeString(ctx.resolve("libz.so"), TestSecrets.PEM);
    byte[] debianVersion = fileOf(debian, "etc/debian_version");
    Files.write(ctx.resolve("debian_version"), concat(debianVersion, TestSecrets.PEM.getBytes(StandardCharsets.US_ASCII)));
    Files.writeString(ctx.resolve("Dockerfile"), String.join("\n",
        "FROM " + debian.ociReference(),
        "COPY id_rsa /root/.ssh/id_rsa",
        "COPY libz.so " + ZLIB,
        "COPY debian_version /etc/debian_version",
        ""));
    Run build = jscan("build", "-q", "-t", "keys:1", ctx.toString());
    assertEquals(0, build.code(), build.err());

    Run verify = jscan("verify", "keys:1", "--policy", "strict");
    List<String> lines = secretLines(verify);
    assertEquals(3, lines.size(), verify.out());
    assertTrue(lines.stream().anyMatch(l -> l.contains("layer 2 ") && l.contains("/root/.ssh/id_rsa:1: RSA private key")), "a new file");
    assertTrue(lines.stream().anyMatch(l -> l.contains("layer 3 ") && l.contains(ZLIB + ":1: RSA private key")), "zlib1g's library replaced");
    assertTrue(lines.stream().anyMatch(l -> l.contains("layer 4 ") && l.contains("/etc/debian_version:2: RSA private key")),
        "base-files' conffile appended to: " + verify.out());
    assertTrue(ruleLine(verify).contains("failed: 3 findings; 10 matches in 1 file of distribution packages not reported"), ruleLine(verify));
  }

  @Test
  void build_keysWrittenByRun_intoAPackageFileAndANewFile_areFound() throws Exception {
    TutorialBuildTest.requireRoot();
    SharedBases.Base debian = SharedBases.debian();
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    String pem = "printf '%s\\n' " + String.join(" ", TestSecrets.PEM.lines().map(l -> "'" + l + "'").toList());
    Files.writeString(ctx.resolve("Dockerfile"), String.join("\n",
        "FROM " + debian.ociReference(),
        "RUN " + pem + " >> " + ZLIB + " && mkdir -p /srv && " + pem + " > /srv/server.key",
        ""));
    Run build = jscan("build", "-q", "-t", "run-keys:1", ctx.toString());
    assertEquals(0, build.code(), build.err());

    Run verify = jscan("verify", "run-keys:1", "--policy", "strict");
    List<String> lines = secretLines(verify);
    assertEquals(2, lines.size(), verify.out());
    assertTrue(lines.stream().allMatch(l -> l.contains("layer 2 ")), verify.out());
    assertTrue(lines.stream().anyMatch(l -> l.contains(ZLIB + ":")), "appended to zlib1g's library: " + verify.out());
    assertTrue(lines.stream().anyMatch(l -> l.contains("/srv/server.key:1: RSA private key")), verify.out());
    assertFalse(verify.out().contains(TestSecrets.FRAGMENTS[0]), "the key itself is never printed");
  }

  /** A file of the base's (single) layer, read from the OCI layout. */
  static byte[] fileOf(SharedBases.Base base, String path) throws Exception {
    Image image = (Image) OciLayout.open(base.ociLayout()).resolve(Optional.of(base.tag()), Optional.empty());
    for (Layer layer : image.layers()) {
      try (InputStream in = layer.openUncompressed(); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
          if (e.getName().replaceFirst("^\\./", "").equals(path)) {
            return tar.readAllBytes();
          }
        }
      }
    }
    throw new AssertionError(path + " not in " + base.ociReference());
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
