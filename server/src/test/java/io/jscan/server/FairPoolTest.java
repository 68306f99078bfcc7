package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook's worker pool shares its workers fairly (issue 16): per request, per registry, the
 * least served request first, and work nobody waits for any longer is not started. Tasks block on
 * latches, so every assertion is about order and counts, never about time.
 */
class FairPoolTest {
  static final long FOREVER = Long.MAX_VALUE / 4;

  final List<FairPool> pools = new ArrayList<>();
  final CountDownLatch release = new CountDownLatch(1);
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger mostRunning = new AtomicInteger();
  final List<String> order = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    release.countDown();
    pools.forEach(FairPool::close);
  }

  FairPool pool(int workers, int perRequest, int perRegistry, int queue) {
    FairPool p = new FairPool("test-pool", workers, perRequest, perRegistry, queue);
    pools.add(p);
    return p;
  }

  /** Work that notes it started, then waits for {@link #release}. */
  Supplier<String> blocking(String name) {
    return () -> {
      order.add(name);
      int now = running.incrementAndGet();
      mostRunning.accumulateAndGet(now, Math::max);
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        running.decrementAndGet();
      }
      return name;
    };
  }

  Supplier<String> quick(String name) {
    return () -> {
      order.add(name);
      return name;
    };
  }

  static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void oneRequest_holdsAtMostItsShare_andAnotherRequestIsServedMeanwhile() throws Exception {
    FairPool p = pool(4, 2, 4, 100);
    FairPool.Requester big = p.requester(System.nanoTime() + FOREVER);
    List<CompletableFuture<String>> bigs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      bigs.add(p.submit(big, "registry-" + i, blocking("big-" + i)).future());
    }
    await("the big request's share to start", () -> running.get() == 2);
    FairPool.Requester small = p.requester(System.nanoTime() + FOREVER);
    assertEquals("small", p.submit(small, "healthy", quick("small")).future().get(30, TimeUnit.SECONDS));
    assertEquals(2, running.get(), "the big request still holds two workers, no more");
    assertEquals(2, mostRunning.get());
    assertEquals(8, p.queued());
    release.countDown();
    for (CompletableFuture<String> f : bigs) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void oneRegistry_holdsAtMostItsShare_acrossRequests() throws Exception {
    FairPool p = pool(4, 4, 2, 100);
    List<CompletableFuture<String>> slow = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      FairPool.Requester requester = p.requester(System.nanoTime() + FOREVER);
      for (int i = 0; i < 3; i++) {
        slow.add(p.submit(requester, "stalled.example", blocking("slow-" + r + "-" + i)).future());
      }
    }
    await("the registry's share to start", () -> running.get() == 2);
    FairPool.Requester other = p.requester(System.nanoTime() + FOREVER);
    assertEquals("other", p.submit(other, "healthy.example", quick("other")).future().get(30, TimeUnit.SECONDS));
    assertEquals(2, mostRunning.get(), "never more than two against the stalled registry");
    release.countDown();
    for (CompletableFuture<String> f : slow) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertEquals(2, mostRunning.get());
  }

  /** With one worker: a request that arrives while another's long queue waits is served next, then they alternate. */
  @Test
  void aRequestThatArrivesLater_isServedBeforeTheRestOfALongQueue() throws Exception {
    FairPool p = pool(1, 1, 1, 100);
    FairPool.Requester first = p.requester(System.nanoTime() + FOREVER);
    CountDownLatch hold = new CountDownLatch(1);
    List<CompletableFuture<String>> all = new ArrayList<>();
    all.add(p.submit(first, "r", () -> {
      order.add("a0");
      try {
        hold.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "a0";
    }).future());
    for (int i = 1; i <= 3; i++) {
      all.add(p.submit(first, "r", quick("a" + i)).future());
    }
    await("the first task to start", () -> order.size() == 1);
    FairPool.Requester second = p.requester(System.nanoTime() + FOREVER);
    all.add(p.submit(second, "r", quick("b1")).future());
    all.add(p.submit(second, "r", quick("b2")).future());
    hold.countDown();
    for (CompletableFuture<String> f : all) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of("a0", "b1", "a1", "b2", "a2", "a3"), order);
  }

  /** A task not started when its request is answered is dropped; one another request waits for is not. */
  @Test
  void unstartedWork_isDroppedWhenNoRequestWaitsForIt_andRunWhenAnotherStillDoes() throws Exception {
    FairPool p = pool(1, 1, 1, 100);
    FairPool.Requester answered = p.requester(System.nanoTime() + FOREVER);
    CompletableFuture<String> blocker = p.submit(answered, "r", blocking("blocker")).future();
    await("the blocker to start", () -> running.get() == 1);
    FairPool.Task<String> shared = p.submit(answered, "r", quick("shared"));
    FairPool.Task<String> alone = p.submit(answered, "r", quick("alone"));
    FairPool.Requester stillWaiting = p.requester(System.nanoTime() + FOREVER);
    p.join(shared, stillWaiting);
    answered.close();
    ExecutionException dropped = assertThrows(ExecutionException.class, () -> alone.future().get(30, TimeUnit.SECONDS));
    assertTrue(dropped.getCause() instanceof RejectedExecutionException, String.valueOf(dropped.getCause()));
    assertTrue(dropped.getCause().getMessage().startsWith("not started before the request's deadline"), dropped.getCause().getMessage());
    release.countDown();
    assertEquals("blocker", blocker.get(30, TimeUnit.SECONDS));
    assertEquals("shared", shared.future().get(30, TimeUnit.SECONDS));
    assertFalse(order.contains("alone"), "the dropped task never ran: " + order);
  }

  /**
   * A request whose deadline passed has its queued work dropped; what it submits after (the read
   * of an image whose tag resolution it started) continues its started work, in the background's turn.
   */
  @Test
  void requestWhoseDeadlinePassed_hasItsQueuedWorkDropped_andItsContinuationsRunInTheBackground() throws Exception {
    FairPool p = pool(1, 1, 1, 100);
    CompletableFuture<String> blocker = p.submit(p.requester(System.nanoTime() + FOREVER), "r", blocking("blocker")).future();
    await("the blocker to start", () -> running.get() == 1);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    FairPool.Requester late = p.requester(deadline);
    CompletableFuture<String> queued = p.submit(late, "r", quick("queued")).future();
    await("the request's deadline to pass", () -> System.nanoTime() - deadline > 0);
    release.countDown();
    ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof RejectedExecutionException, String.valueOf(e.getCause()));
    assertEquals("blocker", blocker.get(30, TimeUnit.SECONDS));
    assertEquals("continued", p.submit(late, "r", quick("continued")).future().get(30, TimeUnit.SECONDS));
    assertFalse(order.contains("queued"), String.valueOf(order));
  }

  @Test
  void fullQueue_refusesAtOnce_sayingTheServerIsBusy() throws Exception {
    FairPool p = pool(1, 1, 1, 2);
    FairPool.Requester r = p.requester(System.nanoTime() + FOREVER);
    p.submit(r, "r", blocking("running"));
    await("the first task to start", () -> running.get() == 1);
    p.submit(r, "r", quick("queued-1"));
    p.submit(r, "r", quick("queued-2"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> p.submit(r, "r", quick("refused")).future().get(1, TimeUnit.SECONDS));
    assertEquals("the server is busy: 2 images are waiting to be verified", e.getCause().getMessage());
  }

  /** A full queue is no reason to refuse a request with a few images while another has queued hundreds. */
  @Test
  void fullQueue_makesRoomForAnotherRequest_byDroppingTheLastTaskOfTheLongestQueue() throws Exception {
    FairPool p = pool(1, 1, 1, 3);
    FairPool.Requester greedy = p.requester(System.nanoTime() + FOREVER);
    CompletableFuture<String> running = p.submit(greedy, "r", blocking("running")).future();
    await("the first task to start", () -> this.running.get() == 1);
    CompletableFuture<String> g1 = p.submit(greedy, "r", quick("g1")).future();
    CompletableFuture<String> g2 = p.submit(greedy, "r", quick("g2")).future();
    CompletableFuture<String> g3 = p.submit(greedy, "r", quick("g3")).future();
    FairPool.Requester modest = p.requester(System.nanoTime() + FOREVER);
    CompletableFuture<String> m1 = p.submit(modest, "r", quick("m1")).future();
    ExecutionException evicted = assertThrows(ExecutionException.class, () -> g3.get(5, TimeUnit.SECONDS));
    assertTrue(evicted.getCause().getMessage().startsWith("the server is busy: this request queued more images than any other"),
        evicted.getCause().getMessage());
    ExecutionException refused = assertThrows(ExecutionException.class, () -> p.submit(greedy, "r", quick("g4")).future().get(5, TimeUnit.SECONDS));
    assertEquals("the server is busy: 3 images are waiting to be verified", refused.getCause().getMessage());
    release.countDown();
    assertEquals("m1", m1.get(30, TimeUnit.SECONDS));
    assertEquals("g1", g1.get(30, TimeUnit.SECONDS));
    assertEquals("g2", g2.get(30, TimeUnit.SECONDS));
    assertEquals("running", running.get(30, TimeUnit.SECONDS));
    assertFalse(order.contains("g3") || order.contains("g4"), String.valueOf(order));
  }

  @Test
  void backgroundWork_takesItsTurnLikeARequest() throws Exception {
    FairPool p = pool(2, 1, 2, 100);
    List<CompletableFuture<String>> refreshes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      refreshes.add(p.submit(p.background(), "r" + i, blocking("refresh-" + i)).future());
    }
    await("one refresh to start", () -> running.get() == 1);
    FairPool.Requester request = p.requester(System.nanoTime() + FOREVER);
    assertEquals("request", p.submit(request, "healthy", quick("request")).future().get(30, TimeUnit.SECONDS));
    assertEquals(1, mostRunning.get(), "refreshes hold one worker (their share), not both");
    release.countDown();
    for (CompletableFuture<String> f : refreshes) {
      f.get(30, TimeUnit.SECONDS);
    }
  }
}
