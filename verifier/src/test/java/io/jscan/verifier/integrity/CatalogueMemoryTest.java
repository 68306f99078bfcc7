package io.jscan.verifier.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.Deadline;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.verifier.Platforms;
import io.jscan.verifier.VerificationReport;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierOptions;
import io.jscan.verifier.VerifyRequest;
import io.jscan.verifier.policy.PolicyLoader;
import io.jscan.verifier.policy.PolicySet;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cataloguing packages during verification keeps verify's memory bound (README: a large image
 * verifies with {@code -Xmx128m}): a 230 MB image with thousands of dpkg, npm and Java packages,
 * jars and an executable far larger than what the heap could hold for them, verified with a
 * forbidden-packages policy in a JVM of 128 MB heap. (Speed is a benchmark; this guards memory.)
 */
class CatalogueMemoryTest {
  private static final int DEB_PACKAGES = 2000;
  private static final int NPM_PACKAGES = 2000;
  private static final int JARS = 200;
  private static final int JAR_BYTES = 256 << 10;
  private static final long EXECUTABLE_BYTES = 96L << 20;

  @TempDir Path tmp;

  private static final class Random {
    long x;

    Random(long seed) {
      x = 0x9E3779B97F4A7C15L ^ seed;
    }

    void fill(byte[] b, int len) {
      for (int i = 0; i < len; i++) {
        if ((i & 7) == 0) {
          x ^= x << 13;
          x ^= x >>> 7;
          x ^= x << 17;
        }
        b[i] = (byte) (x >>> (8 * (i & 7)));
      }
    }
  }

  /** Writes a gzip layer, streamed; returns {digest, diff_id}. */
  private interface Content {
    void write(TarArchiveOutputStream tar) throws Exception;
  }

  private static Digest[] layer(Path blob, Content content) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    MessageDigest diffId = MessageDigest.getInstance("SHA-256");
    try (OutputStream file = Files.newOutputStream(blob);
        DigestOutputStream blobHash = new DigestOutputStream(file, digest);
        GZIPOutputStream gz = new GZIPOutputStream(blobHash, 1 << 16) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        };
        DigestOutputStream plain = new DigestOutputStream(gz, diffId);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(plain)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      content.write(tar);
      tar.finish();
    }
    return new Digest[] {Digest.ofSha256(digest.digest()), Digest.ofSha256(diffId.digest())};
  }

  private static void file(TarArchiveOutputStream tar, String name, int mode, byte[] content) throws Exception {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(0100000 | mode);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static String dpkg(int count, String extra) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < count; i++) {
      s.append("Package: pkg").append(i).append("\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.").append(i)
          .append("\nDescription: generated package ").append(i).append("\n\n");
    }
    return s + extra;
  }

  private static byte[] jar(int i, Random random) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.setLevel(Deflater.NO_COMPRESSION);
      zip.putNextEntry(new ZipEntry("META-INF/maven/org.example/lib" + i + "/pom.properties"));
      zip.write(("groupId=org.example\nartifactId=lib" + i + "\nversion=1." + i + "\n").getBytes(StandardCharsets.UTF_8));
      zip.putNextEntry(new ZipEntry("data.bin"));
      byte[] data = new byte[JAR_BYTES];
      random.fill(data, data.length);
      zip.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void verify_withPackageRules_cataloguesALargeImageIn128MiBOfHeap() throws Exception {
    Random random = new Random(7);
    Path l1 = tmp.resolve("l1.tar.gz");
    Path l2 = tmp.resolve("l2.tar.gz");
    Path l3 = tmp.resolve("l3.tar.gz");
    Digest[] d1 = layer(l1, tar -> {
      file(tar, "etc/os-release", 0644, "ID=debian\nVERSION_ID=\"12\"\n".getBytes(StandardCharsets.UTF_8));
      file(tar, "var/lib/dpkg/status", 0644, dpkg(DEB_PACKAGES, "").getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < DEB_PACKAGES; i++) {
        file(tar, "var/lib/dpkg/info/pkg" + i + ".list", 0644, ("/usr/share/doc/pkg" + i + "\n/usr/lib/pkg" + i + "/file\n").getBytes(StandardCharsets.UTF_8));
      }
    });
    Digest[] d2 = layer(l2, tar -> {
      for (int i = 0; i < JARS; i++) {
        file(tar, "opt/app/lib/lib" + i + ".jar", 0644, jar(i, random));
      }
      for (int i = 0; i < NPM_PACKAGES; i++) {
        file(tar, "opt/web/node_modules/p" + i + "/package.json", 0644,
            ("{\"name\":\"p" + i + "\",\"version\":\"1.0." + i + "\",\"license\":\"MIT\"}").getBytes(StandardCharsets.UTF_8));
      }
    });
    Digest[] d3 = layer(l3, tar -> {
      TarArchiveEntry e = new TarArchiveEntry("usr/local/bin/bigtool");
      e.setMode(0100755);
      e.setSize(EXECUTABLE_BYTES);
      tar.putArchiveEntry(e);
      byte[] chunk = new byte[1 << 16];
      for (long done = 0; done < EXECUTABLE_BYTES; done += chunk.length) {
        random.fill(chunk, chunk.length);
        tar.write(chunk);
      }
      tar.closeArchiveEntry();
      file(tar, "var/lib/dpkg/status", 0644,
          dpkg(DEB_PACKAGES, "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.2-1\n\n").getBytes(StandardCharsets.UTF_8));
    });
    ImageBuilder b = ImageBuilder.fromScratch(Platform.LINUX_AMD64).author("tests");
    Path[] blobs = {l1, l2, l3};
    Digest[][] digests = {d1, d2, d3};
    for (int i = 0; i < 3; i++) {
      b.addLayer(Layers.fromFile(blobs[i], new Descriptor(MediaTypes.OCI_LAYER_GZIP, digests[i][0], Files.size(blobs[i])), digests[i][1]),
          new History(Optional.empty(), Optional.of("layer " + i), Optional.empty(), Optional.empty(), false));
    }
    Image image = b.build();
    Path layout = tmp.resolve("layout");
    OciLayout.create(layout).write(image, Optional.of("big"));

    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-Xmx128m", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), layout.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the verifying JVM did not finish");
    assertEquals(0, p.exitValue(), output);
    int expected = DEB_PACKAGES + 1 + JARS + NPM_PACKAGES;
    assertTrue(output.contains("verdict=POLICY_VIOLATION packages=" + expected + " source=generated"), output);
    assertTrue(output.contains("forbidden package openssl 3.0.2-1 (deb)"), output);
    try (var left = Files.list(tmp)) {
      assertEquals(List.of(), left.filter(f -> f.getFileName().toString().startsWith("jscan-sbom-")).toList(),
          "the catalogue's temp directory is removed");
    }
  }

  /** Runs in the small-heap JVM. */
  public static final class Main {
    public static void main(String[] args) throws Exception {
      var ref = io.jscan.core.transport.ImageReference.parse("oci:" + args[0] + ":big");
      var artifact = OciLayout.open(Path.of(args[0])).resolve(Optional.of("big"), Optional.empty());
      PolicySet policy = new PolicySet(List.of(PolicyLoader.parse("memory.yaml", """
          apiVersion: jscan.io/v1
          kind: Policy
          name: memory
          rules:
            - id: forbidden-packages
              parameters:
                packages: [{name: openssl, type: deb, versions: "< 3.0.7"}]
          """.getBytes(StandardCharsets.UTF_8))));
      try (Verifier v = new Verifier(VerifierOptions.defaults().withParallelism(2))) {
        VerificationReport r = v.verify(artifact, new VerifyRequest(ref.toString(), Optional.empty(), Optional.empty(), policy,
            Optional.empty(), Platforms.defaults(), Deadline.none()));
        Map<?, ?> sbom = (Map<?, ?>) r.images().get(0).policyInput().get("sbom");
        System.out.println("verdict=" + r.verdict() + " packages=" + sbom.get("packageCount") + " source=" + sbom.get("source")
            + " findings=" + r.allFindings() + " maxMemory=" + Runtime.getRuntime().maxMemory());
      }
    }
  }
}
