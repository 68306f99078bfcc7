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

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers are streamed, never buffered: an image whose layers are each larger than the heap verifies
 * in a JVM with a 40 MB heap. (Throughput is a benchmark, bench/verify-throughput.sh; this only
 * guards the memory bound.)
 */
class BoundedMemoryTest {
  private static final int LAYERS = 2;
  private static final long FILE_BYTES = 64L << 20;

  @TempDir Path tmp;

  @Test
  void verify_layersLargerThanTheHeap_passesInASmallHeap() throws Exception {
    Path layout = tmp.resolve("layout");
    ImageBuilder b = ImageBuilder.fromScratch(Platform.LINUX_AMD64).author("tests");
    for (int i = 0; i < LAYERS; i++) {
      Path blob = tmp.resolve("layer" + i + ".tar.gz");
      Digest[] digests = writeLayer(blob, "big" + i + ".bin", i);
      b.addLayer(Layers.fromFile(blob, new Descriptor(MediaTypes.OCI_LAYER_GZIP, digests[0], Files.size(blob)), digests[1]),
          new History(Optional.empty(), Optional.of("ADD big" + i + ".bin /"), Optional.empty(), Optional.empty(), false));
    }
    Image image = b.build();
    OciLayout.create(layout).write(image, Optional.of("big"));

    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-Xmx40m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), layout.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the verifying JVM did not finish");
    assertEquals(0, p.exitValue(), output);
    assertTrue(output.contains("verdict=PASSED layers=2 bytes=" + 2 * (FILE_BYTES + 1536)), output);
  }

  /** A tar of one file of incompressible bytes (xorshift), gzipped while streamed to {@code blob}; returns digest and diff_id. */
  private static Digest[] writeLayer(Path blob, String name, int seed) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    MessageDigest diffId = MessageDigest.getInstance("SHA-256");
    try (OutputStream file = Files.newOutputStream(blob);
        DigestOutputStream blobHash = new DigestOutputStream(file, digest);
        GZIPOutputStream gz = new GZIPOutputStream(blobHash, 1 << 16) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        };
        DigestOutputStream tar = new DigestOutputStream(gz, diffId)) {
      tar.write(header(name, FILE_BYTES));
      byte[] chunk = new byte[1 << 16];
      long x = 0x9E3779B97F4A7C15L ^ seed;
      for (long done = 0; done < FILE_BYTES; done += chunk.length) {
        for (int i = 0; i < chunk.length; i += 8) {
          x ^= x << 13;
          x ^= x >>> 7;
          x ^= x << 17;
          for (int k = 0; k < 8; k++) {
            chunk[i + k] = (byte) (x >>> (8 * k));
          }
        }
        tar.write(chunk);
      }
      tar.write(new byte[1024]);
    }
    return new Digest[] {Digest.ofSha256(digest.digest()), Digest.ofSha256(diffId.digest())};
  }

  private static byte[] header(String name, long size) {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, String.format("%07o", 0644));
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", size));
    put(h, 136, "00000000000");
    h[156] = '0';
    put(h, 257, "ustar");
    put(h, 263, "00");
    put(h, 148, "        ");
    long sum = 0;
    for (byte x : h) {
      sum += x & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    return h;
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  /** Runs in the small-heap JVM. */
  public static final class Main {
    public static void main(String[] args) throws Exception {
      var ref = io.jscan.core.transport.ImageReference.parse("oci:" + args[0] + ":big");
      var artifact = OciLayout.open(Path.of(args[0])).resolve(Optional.of("big"), Optional.empty());
      try (Verifier v = new Verifier(VerifierOptions.defaults().withParallelism(2))) {
        VerificationReport r = v.verify(artifact, new VerifyRequest(ref.toString(), Optional.empty(), Optional.empty(),
            PolicyLoader.load(List.of("baseline")), Optional.empty(), Platforms.defaults(), Deadline.none()));
        long bytes = r.images().get(0).layers().stream().mapToLong(l -> l.uncompressedSize().orElse(-1)).sum();
        System.out.println("verdict=" + r.verdict() + " layers=" + r.images().get(0).layers().size() + " bytes=" + bytes
            + " findings=" + r.allFindings());
      }
    }
  }

}
