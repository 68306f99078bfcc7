package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.image.Layer;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.store.LocalStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults between jscan and a real registry, injected by a TCP proxy on loopback: cut
 * connections, flipped bytes, rate limits, a registry that dies mid-push, and answers that
 * break the rules.
 */
class RegistryFaultsTest {
  static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(5));

  @TempDir Path tmp;
  TestRegistry registry;
  FaultProxy proxy;
  final List<String> retries = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws Exception {
    registry = TestRegistry.start(tmp.resolve("registry"));
    proxy = FaultProxy.inFrontOf(registry);
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  RegistryClient client() {
    return client(RegistryOptions.defaults());
  }

  RegistryClient client(RegistryOptions base) {
    return new RegistryClient(base.withRetry(FAST).withListener(new TransferListener() {
      @Override
      public void retrying(String what, int attempt, Duration delay, String reason) {
        retries.add(what + ": " + reason);
      }
    }));
  }

  /** A name that goes through the proxy. */
  ImageName viaProxy(String repoAndTag) {
    return ImageName.parse(proxy.host() + "/" + repoAndTag);
  }

  /** A name that goes straight to the registry (setting up, checking). */
  ImageName direct(String repoAndTag) {
    return ImageName.parse(registry.host() + "/" + repoAndTag);
  }

  @Test
  void pull_connectionCutMidBlob_resumesAndTheStoreHoldsTheVerifiedImage() throws Exception {
    Image image = TestImages.withRandomLayers(1, 400_000, 300_000);
    client().push(image, direct("faults/cut:1"));
    Descriptor big = image.manifest().layers().get(0);
    FaultProxy.Rule cut = proxy.add(new FaultProxy.Rule("GET", "/blobs/" + big.digest(), 2, new FaultProxy.CutResponse(100_000)));
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      client().pull(viaProxy("faults/cut:1"), store, Optional.empty(), List.of(direct("faults/cut:1")));
      assertEquals(2, cut.hits());
      assertTrue(proxy.requests().stream().filter(r -> r.contains(big.digest().toString())).count() >= 3, proxy.requests().toString());
      assertFalse(retries.isEmpty());
      Image stored = (Image) store.read(StoreReference.byName(direct("faults/cut:1")));
      assertEquals(image.digest(), stored.digest());
      for (Layer layer : stored.layers()) {
        try (InputStream in = layer.openUncompressed()) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
    }
  }

  @Test
  void pull_flippedByteInBlob_failsNamingLayerAndStoresNothing() throws Exception {
    Image image = TestImages.withRandomLayers(2, 50_000, 60_000);
    client().push(image, direct("faults/flip:1"));
    Descriptor second = image.manifest().layers().get(1);
    proxy.add(new FaultProxy.Rule("GET", "/blobs/" + second.digest(), 1, new FaultProxy.FlipResponseByte(1234)));
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      OciException e = assertThrows(OciException.class,
          () -> client().pull(viaProxy("faults/flip:1"), store, Optional.empty(), List.of(direct("faults/flip:1"))));
      assertEquals(FailureKind.INTEGRITY, e.kind());
      assertTrue(e.getMessage().startsWith("layer 2 " + second.digest() + ": digest mismatch"), e.getMessage());
      assertFalse(store.layout().hasBlob(second.digest()));
      assertTrue(store.list().isEmpty());
      assertTrue(store.resolve(StoreReference.byName(direct("faults/flip:1"))).isEmpty());
    }
  }

  @Test
  void pull_429WithRetryAfterThen503_isRetriedAndSucceeds() throws Exception {
    Image image = TestImages.withLayers("rate", "limited");
    client().push(image, direct("faults/rate:1"));
    FaultProxy.Rule limited = proxy.add(new FaultProxy.Rule("GET", "/manifests/1", 1, new FaultProxy.Reply(429, Map.of("Retry-After", "1"))));
    FaultProxy.Rule unavailable = proxy.add(new FaultProxy.Rule("GET", "/blobs/", 2, new FaultProxy.Reply(503, Map.of())));
    long start = System.nanoTime();
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      client().pull(viaProxy("faults/rate:1"), store, Optional.empty(), List.of(direct("faults/rate:1")));
      assertEquals(image.digest(), store.resolve(StoreReference.byName(direct("faults/rate:1"))).orElseThrow().digest());
    }
    assertEquals(1, limited.hits());
    assertEquals(2, unavailable.hits());
    // Retry-After: 1 was honoured, not the 50 ms backoff
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 1000);
    assertTrue(retries.stream().anyMatch(r -> r.contains("429 Too Many Requests")), retries.toString());
  }

  @Test
  void pull_503Forever_failsClearlyAfterTheRetryLimit() throws Exception {
    client().push(TestImages.withLayers("down"), direct("faults/down:1"));
    FaultProxy.Rule down = proxy.add(new FaultProxy.Rule("GET", "/manifests/", 100, new FaultProxy.Reply(503, Map.of())));
    OciException e = assertThrows(OciException.class, () -> client().read(viaProxy("faults/down:1")));
    assertEquals(FailureKind.UNEXPECTED, e.kind());
    assertEquals(FAST.maxAttempts(), down.hits());
    assertTrue(e.getMessage().contains("GET /v2/faults/down/manifests/1: 503 Service Unavailable (after 4 attempts)"), e.getMessage());
  }

  @Test
  void retryAfterLongerThanThePolicyAllows_failsAtOnceSayingSo() throws Exception {
    client().push(TestImages.withLayers("slow"), direct("faults/slow:1"));
    proxy.add(new FaultProxy.Rule("GET", "/manifests/", 1, new FaultProxy.Reply(429, Map.of("Retry-After", "3600"))));
    OciException e = assertThrows(OciException.class, () -> client().read(viaProxy("faults/slow:1")));
    assertTrue(e.getMessage().contains("retry after 3600 s"), e.getMessage());
  }

  @Test
  void push_registryKilledMidUpload_failsClearly_andARerunCompletes() throws Exception {
    Image image = TestImages.withRandomLayers(3, 300_000, 200_000, 1_000);
    RegistryOptions chunked = RegistryOptions.defaults().withChunkSize(64 * 1024).withParallelism(1);
    proxy.add(new FaultProxy.Rule("PATCH", "/blobs/uploads/", 1, new FaultProxy.Action(registry::kill)));
    OciException e = assertThrows(OciException.class, () -> client(chunked).push(image, viaProxy("faults/killed:1")));
    assertEquals(FailureKind.UNEXPECTED, e.kind());
    assertTrue(e.getMessage().startsWith("pushing blob sha256:"), e.getMessage());
    assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());

    registry.restart();
    client(chunked).push(image, viaProxy("faults/killed:1"));
    byte[] raw = Skopeo.run("inspect", "--tls-verify=false", "--raw", "docker://" + registry.host() + "/faults/killed:1");
    assertArrayEquals(image.manifestBytes(), raw);
    try (LocalStore store = LocalStore.open(tmp.resolve("store"))) {
      client().pull(direct("faults/killed:1"), store, Optional.empty(), List.of(direct("faults/killed:1")));
    }
  }

  @Test
  void chunkedPush_connectionCutMidChunk_resumesWhereTheRegistrySaysAndIsCorrect() throws Exception {
    Image image = TestImages.withRandomLayers(4, 400_000);
    RegistryOptions chunked = RegistryOptions.defaults().withChunkSize(100 * 1024);
    // the first PATCH is let through; the cut hits the second chunk halfway
    AtomicLong patches = new AtomicLong();
    proxy.add(new FaultProxy.Rule("PATCH", "/blobs/uploads/", 1, new FaultProxy.Action(patches::incrementAndGet)));
    FaultProxy.Rule cut = proxy.add(new FaultProxy.Rule("PATCH", "/blobs/uploads/", 1, new FaultProxy.CutRequest(50_000)));
    client(chunked).push(image, viaProxy("faults/resume:1"));
    assertEquals(1, cut.hits());
    assertEquals(1, patches.get());
    assertTrue(proxy.requests().stream().anyMatch(r -> r.startsWith("GET /v2/faults/resume/blobs/uploads/")),
        "the upload status was asked: " + proxy.requests());
    Path out = tmp.resolve("out");
    Skopeo.run("copy", "--src-tls-verify=false", "--preserve-digests",
        "docker://" + registry.host() + "/faults/resume:1", "oci:" + out + ":x");
    Image copied = (Image) io.jscan.core.transport.ocilayout.OciLayout.open(out).resolve(Optional.of("x"), Optional.empty());
    try (InputStream in = copied.layers().get(0).openUncompressed()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  @Test
  void monolithicPush_connectionCutMidBody_isRetriedWithANewUpload() throws Exception {
    Image image = TestImages.withRandomLayers(5, 200_000);
    FaultProxy.Rule cut = proxy.add(new FaultProxy.Rule("PUT", "/blobs/uploads/", 1, new FaultProxy.CutRequest(70_000)));
    client().push(image, viaProxy("faults/mono:1"));
    assertEquals(1, cut.hits());
    assertArrayEquals(image.manifestBytes(),
        Skopeo.run("inspect", "--tls-verify=false", "--raw", "docker://" + registry.host() + "/faults/mono:1"));
  }

  // ---------------------------------------------------------------- bad answers

  @Test
  void manifestOverTheSizeLimit_isRefusedAsBadInput() throws Exception {
    byte[] huge = new byte[RegistryClient.MAX_MANIFEST_BYTES + 10];
    java.util.Arrays.fill(huge, (byte) ' ');
    proxy.add(new FaultProxy.Rule("GET", "/manifests/", 1,
        new FaultProxy.Reply(200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST), huge)));
    OciException e = assertThrows(OciException.class, () -> client().read(viaProxy("bad/huge:1")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("more than the limit of 4194304 bytes"), e.getMessage());
  }

  @Test
  void manifestOfAnUnknownMediaType_isRefusedAsBadInput() throws Exception {
    proxy.add(new FaultProxy.Rule("GET", "/manifests/", 1,
        new FaultProxy.Reply(200, Map.of("Content-Type", "application/vnd.example.thing+json"), "{}".getBytes(StandardCharsets.UTF_8))));
    OciException e = assertThrows(OciException.class, () -> client().read(viaProxy("bad/type:1")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().endsWith("unsupported media type application/vnd.example.thing+json (not an image manifest or index)"), e.getMessage());
  }

  @Test
  void registryAnsweringADifferentDigestThanAsked_isAnIntegrityFailure() throws Exception {
    Image asked = TestImages.withLayers("asked");
    Image other = TestImages.withLayers("other");
    client().push(asked, direct("bad/digest:1"));
    proxy.add(new FaultProxy.Rule("GET", "/manifests/" + asked.digest(), 1,
        new FaultProxy.Reply(200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST), other.manifestBytes())));
    OciException e = assertThrows(OciException.class, () -> client().read(viaProxy("bad/digest@" + asked.digest())));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("the registry answered content with digest " + other.digest() + " instead"), e.getMessage());
  }

  @Test
  void dockerContentDigestContradictingTheBytes_isAnIntegrityFailure() throws Exception {
    Image real = TestImages.withLayers("real");
    Image other = TestImages.withLayers("claimed");
    proxy.add(new FaultProxy.Rule("GET", "/manifests/1", 1, new FaultProxy.Reply(
        200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST, "Docker-Content-Digest", other.digest().toString()), real.manifestBytes())));
    OciException e = assertThrows(OciException.class, () -> client().read(viaProxy("bad/header:1")));
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }

  @Test
  void unknownManifest_isBadInputNamingTheRegistryError() throws Exception {
    OciException e = assertThrows(OciException.class, () -> client().read(direct("nothing/here:1")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("404 Not Found (NAME_UNKNOWN") || e.getMessage().contains("404 Not Found (MANIFEST_UNKNOWN"), e.getMessage());
  }

  @Test
  void unreachableRegistry_failsClearlyAfterRetries() throws Exception {
    int port = TestRegistry.freePort();
    OciException e = assertThrows(OciException.class, () -> client().read(ImageName.parse("127.0.0.1:" + port + "/x:1")));
    assertEquals(FailureKind.UNEXPECTED, e.kind());
    assertTrue(e.getMessage().contains("cannot reach 127.0.0.1:" + port), e.getMessage());
  }
}
