package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.Subprocess;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.Digest;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.core.transport.store.StoreEntry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build killed with SIGKILL at any point leaves the store readable (every image in it reads and
 * verifies) and the next build succeeds with the digest an undisturbed build gives.
 */
class KillDuringBuildTest {
  @TempDir Path tmp;

  /** Recipe: 2,000 small files and one 24 MiB file of seeded random bytes, in two COPY layers. */
  static Path bigContext(Path dir) throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      Path f = dir.resolve("small/d" + (i % 20) + "/f" + i + ".txt");
      Files.createDirectories(f.getParent());
      Files.writeString(f, "file " + i + "\n");
    }
    byte[] big = new byte[24 << 20];
    random.nextBytes(big);
    Files.write(dir.resolve("big.bin"), big);
    Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nCOPY big.bin /data/\nCOPY small /app/small\n");
    return dir;
  }

  /** Reads every image of the store to the end of every blob (each read verifies digest and size). */
  static void assertReadable(Path home) throws Exception {
    try (LocalStore store = LocalStore.open(home)) {
      for (StoreEntry e : store.list()) {
        Artifact a = store.layout().artifact(e.descriptor());
        Image image = (Image) a;
        image.config();
        for (Layer l : image.layers()) {
          try (InputStream in = l.openCompressed()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
          }
        }
      }
    }
  }

  @Test
  void build_killedAtAnyPoint_leavesTheStoreReadableAndTheNextBuildSucceeds() throws Exception {
    Path context = bigContext(Files.createDirectories(tmp.resolve("ctx")));
    Path home = tmp.resolve("home");
    Digest expected;
    try (LocalStore reference = LocalStore.open(tmp.resolve("reference"))) {
      expected = TestBuilds.build(reference, request(context)).manifestDigest();
    }
    try (LocalStore store = LocalStore.open(home)) {
      Path sample = SampleBuildTest.sample();
      TestBuilds.build(store, request(sample).withTags(List.of(ImageName.parse("keep:1"))));
    }
    Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", Long.toString(TestBuilds.EPOCH));
    long[] killAfterMillis = {150, 600, 1200, 2000, 3500};
    for (int i = 0; i < killAfterMillis.length; i++) {
      Process p = Subprocess.start(Subprocess.buildMainCommand(Subprocess.currentJava(), "022",
          Subprocess.args(home.toString(), context.toString(), i % 2 == 0 ? "--no-cache" : "--cache")), env, tmp.resolve("log-" + i));
      boolean finished = p.waitFor(killAfterMillis[i], TimeUnit.MILLISECONDS);
      if (!finished) {
        // the sh -c wrapper execs java, so this PID is the JVM's: SIGKILL
        new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
        p.waitFor();
      }
      assertReadable(home);
    }
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = TestBuilds.build(store, request(context).withTags(List.of(ImageName.parse("big:1"))));
      assertEquals(expected, r.manifestDigest());
      assertTrue(store.list().stream().anyMatch(e -> e.name().map(n -> n.toString().equals("docker.io/library/keep:1")).orElse(false)));
    }
    assertReadable(home);
  }
}
