package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.build;
import static io.jscan.builder.testing.TestBuilds.fileList;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.testing.RepoPaths;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's sample: golden digest, reproducibility across context copies, the layer cache. */
class SampleBuildTest {
  @TempDir Path tmp;

  static Path sample() {
    return RepoPaths.testdata("sample");
  }

  /** The deliberate golden digest (testdata/sample.digest; testdata/README.md says how to update it). */
  static Digest golden() throws Exception {
    for (String line : Files.readAllLines(RepoPaths.testdata("sample.digest"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        return Digest.parse(line.strip());
      }
    }
    throw new AssertionError("no digest in testdata/sample.digest");
  }

  /** Copies a context creating files in the given order, with the given mtime and permission bits. */
  static Path copy(Path from, Path to, boolean reverse, Instant mtime, String filePerms) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(from)) {
      files = new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
    }
    if (reverse) {
      Collections.reverse(files);
    }
    Files.createDirectories(to);
    for (Path f : files) {
      Path target = to.resolve(from.relativize(f).toString());
      Files.createDirectories(target.getParent());
      Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(filePerms));
      Files.setLastModifiedTime(target, FileTime.from(mtime));
    }
    return to;
  }

  @Test
  void build_sample_matchesGoldenDigest() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult r = build(store, request(sample()));
      assertEquals(golden(), r.manifestDigest(), "a change in output must be deliberate: see testdata/README.md");
    }
  }

  @Test
  void build_sampleTwiceWithShuffledContext_givesSameDigest() throws Exception {
    Path a = copy(sample(), tmp.resolve("a"), false, Instant.parse("2020-01-01T00:00:00Z"), "rw-r--r--");
    Path b = copy(sample(), tmp.resolve("b"), true, Instant.parse("2031-07-04T12:34:56.789Z"), "rw-------");
    Digest da;
    Digest db;
    try (LocalStore store = LocalStore.open(tmp.resolve("home-a"))) {
      da = build(store, request(a)).manifestDigest();
    }
    try (LocalStore store = LocalStore.open(tmp.resolve("home-b"))) {
      db = build(store, request(b)).manifestDigest();
    }
    assertEquals(da, db);
    assertEquals(golden(), da);
  }

  @Test
  void build_sample_layersHoldExplicitMetadataOnly() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      Image image = build(store, request(sample())).image();
      assertEquals(List.of("d 755 0:0 0 1700000000 app/"), TestBuilds.listing(image.layers().get(0)));
      assertEquals(
          List.of("d 755 0:0 0 1700000000 app/", "f 644 0:0 36 1700000000 app/hello.txt", "f 644 0:0 56 1700000000 app/message.txt"),
          TestBuilds.listing(image.layers().get(1)));
      assertEquals("1970-01-01T00:00:00Z".length(), image.config().created().orElseThrow().toString().length());
      assertEquals(Instant.ofEpochSecond(TestBuilds.EPOCH), image.config().created().orElseThrow());
      assertTrue(image.config().history().stream().allMatch(h -> h.created().orElseThrow().equals(Instant.ofEpochSecond(TestBuilds.EPOCH))));
      String config = new String(image.configBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(!config.contains(sample().toString()) && !config.contains(tmp.toString()), "no host paths in the config: " + config);
      String hostname = java.net.InetAddress.getLocalHost().getHostName();
      assertTrue(hostname.length() < 6 || !config.contains(hostname), "no host name in the config: " + config);
    }
  }

  @Test
  void build_unchangedRebuild_reusesEveryLayerAndWritesNothingToTheStore() throws Exception {
    Path home = tmp.resolve("home");
    Path context = copy(sample(), tmp.resolve("ctx"), false, Instant.parse("2020-01-01T00:00:00Z"), "rw-r--r--");
    BuildRequest request = request(context).withTags(List.of(ImageName.parse("sample:1")));
    // files changed in the last 2 s are "racy" and re-read by every build until they age (see
    // ContentHashCache): let the fresh copy age so the first build remembers every digest
    Thread.sleep(2100);
    Digest first;
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = build(store, request);
      first = r.manifestDigest();
      assertEquals(2, r.layersBuilt());
    }
    List<String> before = fileList(home);
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = build(store, request);
      assertEquals(first, r.manifestDigest());
      assertEquals(0, r.layersBuilt());
      assertEquals(2, r.layersReused());
    }
    assertEquals(before, fileList(home), "an unchanged rebuild must not write to the store");
  }

  @Test
  void build_oneFileChanged_rebuildsOnlyTheLayerThatHoldsIt() throws Exception {
    Path context = copy(sample(), tmp.resolve("ctx"), false, Instant.parse("2020-01-01T00:00:00Z"), "rw-r--r--");
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult first = build(store, request(context));
      Files.writeString(context.resolve("message.txt"), "changed\n");
      BuildResult second = build(store, request(context));
      assertNotEquals(first.manifestDigest(), second.manifestDigest());
      assertEquals(1, second.layersBuilt());
      assertEquals(1, second.layersReused());
      assertEquals(first.image().layers().get(0).descriptor(), second.image().layers().get(0).descriptor());
      assertEquals("changed\n", TestBuilds.content(second.image().layers().get(1), "app/message.txt"));
    }
  }

  @Test
  void build_noCache_buildsEveryLayerAndGivesTheSameDigest() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult cached = build(store, request(sample()));
      BuildResult fresh = build(store, request(sample()).withNoCache(true));
      assertEquals(cached.manifestDigest(), fresh.manifestDigest());
      assertEquals(2, fresh.layersBuilt());
      assertEquals(0, fresh.layersReused());
    }
  }

  @Test
  void build_ignoredFileChanged_keepsDigestAndCache() throws Exception {
    Path context = copy(sample(), tmp.resolve("ctx"), false, Instant.parse("2020-01-01T00:00:00Z"), "rw-r--r--");
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult first = build(store, request(context));
      Files.writeString(context.resolve("notes.md"), "excluded by .dockerignore, so it cannot matter\n");
      BuildResult second = build(store, request(context));
      assertEquals(first.manifestDigest(), second.manifestDigest());
      assertEquals(first.contextDigest(), second.contextDigest());
      assertEquals(0, second.layersBuilt());
    }
  }

  @Test
  void build_lockFileAppearsBesideDockerfile_isNeverCopiedAndKeepsDigest() throws Exception {
    Path context =
        TestBuilds.context(tmp.resolve("lockctx"), java.util.Map.of("Dockerfile", "FROM scratch\nCOPY . /app/\n", "a.txt", "a\n"));
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult first = build(store, request(context));
      // what `jscan build` writes beside the Dockerfile after pinning registry bases
      Files.writeString(context.resolve("jscan.lock"), "{\"images\":{}}\n");
      BuildResult second = build(store, request(context));
      assertEquals(first.manifestDigest(), second.manifestDigest(), "the lock file is not image content");
      Image image = second.image();
      List<String> names = TestBuilds.listing(image.layers().get(0));
      assertTrue(names.stream().anyMatch(l -> l.endsWith(" app/a.txt")), names.toString());
      assertTrue(names.stream().noneMatch(l -> l.contains("jscan.lock")), names.toString());
    }
  }

  @Test
  void build_sourceDateEpoch_changesEveryTimeButNothingElse() throws Exception {
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult a = build(store, request(sample()));
      BuildResult b = build(store, request(sample()).withSourceDateEpoch(new SourceDateEpoch(0, "default")));
      assertNotEquals(a.manifestDigest(), b.manifestDigest());
      assertEquals(Instant.EPOCH, b.image().config().created().orElseThrow());
      assertEquals(List.of("d 755 0:0 0 0 app/"), TestBuilds.listing(b.image().layers().get(0)));
    }
  }
}
