package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.PinnedImages.PullPolicy;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Base images pinned in jscan.lock: later builds keep the pin until it is updated on purpose. */
class PinnedImagesTest {
  @TempDir static Path dir;
  static TestRegistry registry;
  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    registry = TestRegistry.start(dir.resolve("registry"));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  static RegistryClient client() {
    return new RegistryClient(RegistryOptions.defaults().withRetry(RegistryRoundTripTest.FAST));
  }

  ImageName name(String s) {
    return ImageName.parse(registry.host() + "/" + s);
  }

  @Test
  void tagIsPinned_thenLaterBuildsKeepThePinWhenTheTagMoves_untilPullAlways() throws Exception {
    Image v1 = TestImages.withLayers("base v1");
    Image v2 = TestImages.withLayers("base v2");
    client().push(v1, name("pin/base:1"));
    Path lockFile = tmp.resolve(ImageLock.FILE_NAME);
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      PinnedImages first = PinnedImages.open(lockFile, store, client(), PullPolicy.MISSING, false);
      assertEquals(v1.digest(), first.resolve(name("pin/base:1"), Platform.LINUX_AMD64).digest());
      first.save();
      String written = Files.readString(lockFile);
      assertTrue(written.contains("\"" + registry.host() + "/pin/base:1\""), written);
      assertTrue(written.contains("\"linux/amd64\" : \"" + v1.digest() + "\""), written);

      client().push(v2, name("pin/base:1")); // the tag moves
      PinnedImages again = PinnedImages.open(lockFile, store, client(), PullPolicy.MISSING, true);
      assertEquals(v1.digest(), again.resolve(name("pin/base:1"), Platform.LINUX_AMD64).digest(), "the pin, not the tag");

      OciException drift = assertThrows(OciException.class,
          () -> PinnedImages.open(lockFile, store, client(), PullPolicy.ALWAYS, true).resolve(name("pin/base:1"), Platform.LINUX_AMD64));
      assertEquals(FailureKind.BAD_INPUT, drift.kind());
      assertTrue(drift.getMessage().contains("the registry now has " + v2.digest()), drift.getMessage());

      PinnedImages update = PinnedImages.open(lockFile, store, client(), PullPolicy.ALWAYS, false);
      assertEquals(v2.digest(), update.resolve(name("pin/base:1"), Platform.LINUX_AMD64).digest());
      update.save();
      assertTrue(Files.readString(lockFile).contains(v2.digest().toString()));
      assertFalse(Files.readString(lockFile).contains(v1.digest().toString()));
    }
  }

  @Test
  void pinnedDigest_missingLocally_isPulledByDigest_evenAfterTheTagMoved() throws Exception {
    Image v1 = TestImages.withLayers("pulled by digest");
    client().push(v1, name("pin/bydigest:1"));
    Path lockFile = tmp.resolve(ImageLock.FILE_NAME);
    try (LocalStore store = LocalStore.open(tmp.resolve("a"))) {
      PinnedImages p = PinnedImages.open(lockFile, store, client(), PullPolicy.MISSING, false);
      p.resolve(name("pin/bydigest:1"), Platform.LINUX_AMD64);
      p.save();
    }
    client().push(TestImages.withLayers("moved"), name("pin/bydigest:1"));
    try (LocalStore fresh = LocalStore.open(tmp.resolve("b"))) {
      OciException never = assertThrows(OciException.class,
          () -> PinnedImages.open(lockFile, fresh, client(), PullPolicy.NEVER, true).resolve(name("pin/bydigest:1"), Platform.LINUX_AMD64));
      assertTrue(never.getMessage().contains("not in the local store (--pull=never)"), never.getMessage());
      Image image = PinnedImages.open(lockFile, fresh, client(), PullPolicy.MISSING, true).resolve(name("pin/bydigest:1"), Platform.LINUX_AMD64);
      assertEquals(v1.digest(), image.digest());
      assertTrue(fresh.layout().hasBlob(image.manifest().layers().get(0).digest()), "pulled into the store");
    }
  }

  @Test
  void multiPlatformBase_isPinnedPerPlatform() throws Exception {
    Image amd = TestImages.withLayers(Platform.LINUX_AMD64, "amd");
    Image arm = TestImages.withLayers(new Platform("linux", "arm64"), "arm");
    ImageIndex index = TestImages.multiPlatformIndex(tmp.resolve("idx"), "i", amd, arm);
    client().push(index, name("pin/multi:1"));
    Path lockFile = tmp.resolve(ImageLock.FILE_NAME);
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      PinnedImages p = PinnedImages.open(lockFile, store, client(), PullPolicy.MISSING, false);
      assertEquals(amd.digest(), p.resolve(name("pin/multi:1"), Platform.LINUX_AMD64).digest());
      assertEquals(arm.digest(), p.resolve(name("pin/multi:1"), Platform.parse("linux/arm64")).digest());
      p.save();
    }
    ImageLock.Entry entry = ImageLock.read(lockFile).orElseThrow().get(name("pin/multi:1")).orElseThrow();
    assertEquals(index.digest(), entry.digest());
    assertEquals(amd.digest(), entry.forPlatform(Platform.LINUX_AMD64).orElseThrow());
    assertEquals(arm.digest(), entry.forPlatform(Platform.parse("linux/aarch64")).orElseThrow());
  }

  @Test
  void locked_withoutALockFileOrWithoutAPin_failsAsBadInput() throws Exception {
    Path lockFile = tmp.resolve(ImageLock.FILE_NAME);
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      OciException missing = assertThrows(OciException.class, () -> PinnedImages.open(lockFile, store, client(), PullPolicy.MISSING, true));
      assertEquals(FailureKind.BAD_INPUT, missing.kind());
      assertTrue(missing.getMessage().contains("--locked needs one"), missing.getMessage());
      ImageLock.empty().write(lockFile);
      OciException unpinned = assertThrows(OciException.class,
          () -> PinnedImages.open(lockFile, store, client(), PullPolicy.MISSING, true).resolve(name("pin/none:1"), Platform.LINUX_AMD64));
      assertEquals(FailureKind.BAD_INPUT, unpinned.kind());
      assertTrue(unpinned.getMessage().contains("has no pin for it"), unpinned.getMessage());
    }
  }

  @Test
  void lockFile_isWrittenSortedAndReadBack_andRejectsUnnormalisedNames() throws Exception {
    Path lockFile = tmp.resolve(ImageLock.FILE_NAME);
    Image a = TestImages.withLayers("a");
    ImageLock lock = ImageLock.empty()
        .with(ImageName.parse("zeta:1"), new ImageLock.Entry(a.digest(), java.util.Map.of()).withPlatform(Platform.LINUX_AMD64, a.digest()))
        .with(ImageName.parse("alpha:1"), new ImageLock.Entry(a.digest(), java.util.Map.of()));
    lock.write(lockFile);
    String text = Files.readString(lockFile);
    assertTrue(text.indexOf("docker.io/library/alpha:1") < text.indexOf("docker.io/library/zeta:1"), text);
    assertEquals(lock, ImageLock.read(lockFile).orElseThrow());
    Files.writeString(lockFile, "{\"lockVersion\":1,\"images\":{\"alpha:1\":{\"digest\":\"" + a.digest() + "\"}}}");
    OciException e = assertThrows(OciException.class, () -> ImageLock.read(lockFile));
    assertTrue(e.getMessage().contains("not a normalised name"), e.getMessage());
  }
}
