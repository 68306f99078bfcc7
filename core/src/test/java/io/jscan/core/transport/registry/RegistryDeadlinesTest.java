package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.Deadline;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client's three limits (issue 16): the connect timeout, the read timeout (nothing
 * moved for that long) and the operation's deadline, which retries, resumed downloads and token
 * fetches never restart. Registries that stall are a {@link FaultProxy} in front of a real one; the
 * assertions on elapsed time are correctness checks with generous slack, not benchmarks.
 */
class RegistryDeadlinesTest {
  /** What a returned-in-time check allows past the limit: a watchdog tick, a thread switch, a slow CI machine. */
  static final double SLACK_SECONDS = 2.5;

  @TempDir Path tmp;
  TestRegistry registry;
  FaultProxy proxy;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    registry = TestRegistry.start(tmp.resolve("registry"));
    proxy = FaultProxy.inFrontOf(registry);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    proxy.close();
    registry.close();
  }

  static RegistryClient client(Duration connect, Duration read, Deadline deadline) {
    return new RegistryClient(RegistryOptions.defaults().withConnectTimeout(connect).withReadTimeout(read)).withDeadline(deadline);
  }

  ImageName pushed(String repoAndTag, Image image) throws Exception {
    new RegistryClient(RegistryOptions.defaults()).push(image, ImageName.parse(registry.host() + "/" + repoAndTag));
    return ImageName.parse(proxy.host() + "/" + repoAndTag);
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  @Test
  void read_registryThatNeverAnswers_failsAtTheDeadline_namingTheRegistryAndTheDeadline() {
    proxy.add(new FaultProxy.Rule("*", "/", 1000, new FaultProxy.Stall()));
    RegistryClient c = client(Duration.ofSeconds(30), Duration.ofSeconds(60), Deadline.in(Duration.ofSeconds(2), "--timeout 2s"));
    long start = System.nanoTime();
    OciException e = assertThrows(OciException.class, () -> c.read(ImageName.parse(proxy.host() + "/app:1")));
    double took = seconds(start);
    assertEquals(FailureKind.UNEXPECTED, e.kind(), e.getMessage());
    assertEquals("registry " + proxy.host() + ": GET /v2/: --timeout 2s passed while waiting for registry " + proxy.host(), e.getMessage());
    assertTrue(took >= 1.9 && took < 2 + SLACK_SECONDS, "returned after " + took + " s");
  }

  @Test
  void read_registryThatNeverAnswers_triesAgainAfterEachReadTimeout_thenSaysSo() {
    proxy.add(new FaultProxy.Rule("*", "/", 1000, new FaultProxy.Stall()));
    RegistryClient c = new RegistryClient(RegistryOptions.defaults().withReadTimeout(Duration.ofMillis(300))
        .withRetry(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofSeconds(1))));
    long start = System.nanoTime();
    OciException e = assertThrows(OciException.class, () -> c.read(ImageName.parse(proxy.host() + "/app:1")));
    assertEquals(FailureKind.UNEXPECTED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("registry " + proxy.host() + " sent nothing for 300ms (the read timeout, --read-timeout)"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(after 3 attempts)"), e.getMessage());
    // each of the 3 attempts gives up after 0.3 s (the loopback registry is tried over plain HTTP, then HTTPS)
    assertTrue(seconds(start) < 3 * 2 * 0.3 + 0.3 + SLACK_SECONDS, "returned after " + seconds(start) + " s");
  }

  /** A layer trickled one byte at a time never trips the read timeout; the deadline stops it. */
  @Test
  void pull_layerTrickledAByteAtATime_stopsAtTheDeadline_withNothingStored() throws Exception {
    Image image = TestImages.withLayers("trickled layer content ".repeat(200));
    ImageName name = pushed("trickle/app:1", image);
    proxy.add(new FaultProxy.Rule("GET", "/blobs/", 1000, new FaultProxy.TrickleResponse(Duration.ofMillis(100))));
    RegistryClient c = client(Duration.ofSeconds(30), Duration.ofSeconds(60), Deadline.in(Duration.ofSeconds(3), "--timeout 3s"));
    long start = System.nanoTime();
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      OciException e = assertThrows(OciException.class, () -> c.pull(name, store, Optional.empty(), List.of(name)));
      double took = seconds(start);
      assertEquals(FailureKind.UNEXPECTED, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("--timeout 3s passed while waiting for registry " + proxy.host()), e.getMessage());
      assertTrue(took < 3 + SLACK_SECONDS, "returned after " + took + " s");
      assertTrue(store.resolve(io.jscan.core.transport.ImageReference.StoreReference.byName(name)).isEmpty(), "nothing named");
    }
  }

  /** Every request answered 503 with Retry-After: the retries wait only while the deadline allows. */
  @Test
  void retries_neverRestartTheClock_theLastOneIsNotStartedPastTheDeadline() throws Exception {
    ImageName name = pushed("busy/app:1", TestImages.withLayers("busy"));
    FaultProxy.Rule busy = proxy.add(new FaultProxy.Rule("GET", "/manifests/", 1000, new FaultProxy.Reply(503, Map.of("Retry-After", "1"))));
    RegistryClient c = new RegistryClient(RegistryOptions.defaults().withRetry(new RetryPolicy(10, Duration.ofMillis(200), Duration.ofSeconds(1),
        Duration.ofSeconds(5)))).withDeadline(Deadline.in(Duration.ofMillis(2500), "--timeout 2500ms"));
    long start = System.nanoTime();
    OciException e = assertThrows(OciException.class, () -> c.read(name));
    double took = seconds(start);
    assertEquals(FailureKind.UNEXPECTED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("503 Service Unavailable"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; --timeout 2500ms passes before another attempt could be made"), e.getMessage());
    assertTrue(took < 2.5 + SLACK_SECONDS, "returned after " + took + " s");
    assertTrue(busy.hits() >= 2 && busy.hits() <= 3, "attempts made: " + busy.hits());
  }

  /** An upload the registry stops reading blocks in a write; the deadline ends it. */
  @Test
  void push_registryThatStopsReadingTheUpload_failsAtTheDeadline() throws Exception {
    Image image = TestImages.withRandomLayers(16, 32 << 20);
    proxy.add(new FaultProxy.Rule("PUT", "/blobs/uploads/", 1000, new FaultProxy.Stall()));
    proxy.add(new FaultProxy.Rule("PATCH", "/blobs/uploads/", 1000, new FaultProxy.Stall()));
    RegistryClient c = client(Duration.ofSeconds(30), Duration.ofSeconds(60), Deadline.in(Duration.ofSeconds(3), "--timeout 3s"));
    long start = System.nanoTime();
    OciException e = assertThrows(OciException.class, () -> c.push(image, ImageName.parse(proxy.host() + "/deaf/app:1")));
    double took = seconds(start);
    assertEquals(FailureKind.UNEXPECTED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("--timeout 3s passed while waiting for registry " + proxy.host()), e.getMessage());
    assertTrue(took < 3 + SLACK_SECONDS, "returned after " + took + " s");
  }

  /** The registry's token realm never answers: the token fetch ends at the deadline too, naming the token server. */
  @Test
  void tokenServerThatNeverAnswers_failsAtTheDeadline_namingIt() throws Exception {
    FaultProxy realm = new FaultProxy("127.0.0.1", registry.port());
    closing.add(realm);
    realm.add(new FaultProxy.Rule("*", "/", 1000, new FaultProxy.Stall()));
    proxy.add(new FaultProxy.Rule("GET", "/", 1000, new FaultProxy.Reply(401,
        Map.of("WWW-Authenticate", "Bearer realm=\"http://" + realm.host() + "/token\",service=\"test\""))));
    RegistryClient c = client(Duration.ofSeconds(30), Duration.ofSeconds(60), Deadline.in(Duration.ofSeconds(2), "--timeout 2s"));
    long start = System.nanoTime();
    OciException e = assertThrows(OciException.class, () -> c.read(ImageName.parse(proxy.host() + "/app:1")));
    double took = seconds(start);
    assertEquals(FailureKind.UNEXPECTED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("--timeout 2s passed while waiting for token server " + realm.host()), e.getMessage());
    assertTrue(took < 2 + SLACK_SECONDS, "returned after " + took + " s");
  }

  /**
   * A host whose accept queue is full takes the connection attempt and never completes it (the
   * kernel drops the SYN): the connect timeout ends each attempt.
   */
  @Test
  void connect_hostThatNeverCompletesTheHandshake_failsAfterTheConnectTimeout() throws Exception {
    ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    closing.add(full);
    List<Socket> queued = new ArrayList<>();
    // fill the accept queue (never accepted); further handshakes are not completed
    for (int i = 0; i < 4; i++) {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 300);
        queued.add(s);
      } catch (IOException timedOut) {
        s.close();
        break;
      }
    }
    queued.forEach(s -> closing.add(s));
    String host = "127.0.0.1:" + full.getLocalPort();
    RegistryClient c = new RegistryClient(RegistryOptions.defaults().withConnectTimeout(Duration.ofMillis(400))
        .withRetry(new RetryPolicy(2, Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(1))));
    long start = System.nanoTime();
    OciException e = assertThrows(OciException.class, () -> c.read(ImageName.parse(host + "/app:1")));
    assertEquals(FailureKind.UNEXPECTED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("registry " + host + " did not accept a connection within 400ms (the connect timeout, --connect-timeout)"),
        e.getMessage());
    assertTrue(seconds(start) < 2 * 2 * 0.4 + SLACK_SECONDS, "returned after " + seconds(start) + " s");
  }

  /**
   * One client, two registries: a read stalled on the first holds up no read of the second, not even
   * the first contact with it (the registries are pinged one at a time each, not all at once).
   */
  @Test
  void stalledRegistry_holdsUpNoOtherRegistryOfTheSameClient() throws Exception {
    FaultProxy stalled = new FaultProxy("127.0.0.1", registry.port());
    closing.add(stalled);
    stalled.add(new FaultProxy.Rule("*", "/", 1000, new FaultProxy.Stall()));
    ImageName healthy = pushed("healthy/app:1", TestImages.withLayers("healthy"));
    RegistryClient shared = new RegistryClient(RegistryOptions.defaults().withRetry(RegistryFaultsTest.FAST));
    CompletableFuture<Object> stuck = CompletableFuture.supplyAsync(() -> {
      try {
        return shared.withDeadline(Deadline.in(Duration.ofSeconds(20), "--timeout 20s")).read(ImageName.parse(stalled.host() + "/app:1"));
      } catch (OciException e) {
        return e;
      }
    });
    WaitFor.requests(stalled, 1);
    long start = System.nanoTime();
    assertEquals(TestImages.withLayers("healthy").digest(),
        shared.withDeadline(Deadline.in(Duration.ofSeconds(10), "--timeout 10s")).read(healthy).descriptor().digest());
    assertTrue(seconds(start) < 5, "the healthy registry answered after " + seconds(start) + " s");
    assertTrue(!stuck.isDone(), "the stalled read is still waiting");
    stalled.close();
    stuck.get(30, TimeUnit.SECONDS);
  }

  /** Waiting, in tests, for a proxy to have seen requests. */
  static final class WaitFor {
    static void requests(FaultProxy proxy, int n) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (proxy.requests().size() < n) {
        if (System.nanoTime() > end) {
          throw new AssertionError("the proxy saw " + proxy.requests());
        }
        Thread.sleep(20);
      }
    }
  }
}
