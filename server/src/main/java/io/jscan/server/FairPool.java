package io.jscan.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The webhook's registry work (tag resolutions, image reads) on a fixed set of workers, shared
 * fairly between admission requests and between registries (issue 16: one review naming 300
 * unreachable images filled every worker, and every other pod was denied for about 50 s).
 *
 * <ul>
 *   <li>Each request ({@link Requester}) has its own queue. A free worker serves the request with
 *       the fewest tasks running, and among those the one served longest ago (round robin), so a
 *       request that just arrived is served next however long another's queue is.
 *   <li>One request runs at most {@code perRequest} tasks at once, and all requests together at
 *       most {@code perRegistry} tasks against one registry: a registry that stalls, or a request
 *       that names hundreds of images, holds that many workers and leaves the others free.
 *   <li>A task that has not started when every request waiting for it has been answered (its
 *       deadline passed, or it was {@linkplain Requester#close closed}) is dropped, not run: its
 *       answer would reach no one. Tasks that started go on (their results fill the caches for the
 *       API server's retry), up to their own deadline, and so does what they lead to (see
 *       {@link #submit}).
 *   <li>At most {@code maxQueued} tasks wait in all. When the queue is full, the request with the
 *       longest queue loses its last task to make room for another's; a request that itself has
 *       the longest queue is refused at once.
 * </ul>
 *
 * <p>A task may be wanted by several requests (concurrent requests for the same image share one
 * read): {@link #join} adds it to the joining request's queue too, so it starts on whichever
 * request's turn comes first, and is dropped only when none of them waits any longer. Futures fail
 * with {@link RejectedExecutionException} when a task is refused or dropped.
 */
final class FairPool implements AutoCloseable {
  private final int perRequest;
  private final int perRegistry;
  private final int maxQueued;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Requests with queued tasks, in the order they arrived. */
  private final List<Requester> waiting = new ArrayList<>();
  private final Map<String, Integer> runningByRegistry = new HashMap<>();
  private final List<Thread> workers = new ArrayList<>();
  private final Requester background;
  private int queued;
  private int running;
  private long turns;
  private boolean closed;

  FairPool(String name, int threads, int perRequest, int perRegistry, int maxQueued) {
    if (threads < 1 || perRequest < 1 || perRegistry < 1 || maxQueued < 1) {
      throw new IllegalArgumentException("workers, per-request and per-registry limits and the queue must be at least 1");
    }
    this.perRequest = perRequest;
    this.perRegistry = perRegistry;
    this.maxQueued = maxQueued;
    this.background = new Requester(Long.MAX_VALUE, true);
    for (int i = 1; i <= threads; i++) {
      Thread t = new Thread(this::work, name + "-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  /** A request whose tasks are served in its turn until {@code deadlineNanos} ({@link System#nanoTime}). */
  Requester requester(long deadlineNanos) {
    return new Requester(deadlineNanos, false);
  }

  /** The requester of work no request waits for (refreshing caches ahead of expiry): it takes its turn like any request. */
  Requester background() {
    return background;
  }

  /** One admission request's share of the pool. */
  final class Requester implements AutoCloseable {
    private final long deadlineNanos;
    private final boolean forever;
    private final ArrayDeque<Task<?>> queue = new ArrayDeque<>();
    private int running;
    /** When it was last served ({@link #turns}); 0 for never, which comes first. */
    private long lastTurn;
    private boolean done;

    private Requester(long deadlineNanos, boolean forever) {
      this.deadlineNanos = deadlineNanos;
      this.forever = forever;
    }

    /** Whether it still waits for answers (its deadline has not passed and it was not closed). */
    private boolean live(long now) {
      return !done && (forever || now - deadlineNanos < 0);
    }

    /** The request was answered: its tasks that have not started and that no other request waits for are dropped. */
    @Override
    public void close() {
      if (forever) {
        return;
      }
      List<Task<?>> dropped;
      lock.lock();
      try {
        done = true;
        dropped = purge(System.nanoTime());
      } finally {
        lock.unlock();
      }
      fail(dropped, NOT_STARTED);
    }
  }

  /** A unit of work and who waits for it. */
  final class Task<V> {
    private final String registry;
    private final Supplier<V> work;
    private final CompletableFuture<V> future = new CompletableFuture<>();
    private final List<Requester> wanting = new ArrayList<>();
    private Requester chargedTo;
    private boolean started;
    private boolean dropped;

    private Task(String registry, Supplier<V> work) {
      this.registry = registry;
      this.work = work;
    }

    CompletableFuture<V> future() {
      return future;
    }
  }

  /**
   * Queues {@code work} against {@code registry} for {@code requester}. The future fails with
   * {@link RejectedExecutionException} when the queue is full or the task is dropped. A request
   * that no longer waits (answered, or past its deadline) submits only to continue work it started
   * (an image's read once its tag was resolved): that goes on in the background's turn, so that the
   * API server's retry finds the verification done.
   */
  <V> Task<V> submit(Requester requester, String registry, Supplier<V> work) {
    Objects.requireNonNull(registry, "registry");
    Task<V> task = new Task<>(registry, work);
    List<Task<?>> dropped;
    List<Task<?>> evicted = new ArrayList<>();
    String refused = null;
    lock.lock();
    try {
      long now = System.nanoTime();
      dropped = purge(now);
      if (!requester.live(now)) {
        requester = background;
      }
      if (closed) {
        refused = "the server is shutting down";
      } else if (queued >= maxQueued && !evictFromTheLongestQueue(requester, evicted)) {
        refused = "the server is busy: " + queued + " images are waiting to be verified";
      } else {
        queued++;
        enqueue(task, requester);
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    fail(dropped, NOT_STARTED);
    fail(evicted, EVICTED);
    if (refused != null) {
      task.dropped = true;
      task.future.completeExceptionally(new RejectedExecutionException(refused));
    }
    return task;
  }

  /**
   * The queue is full: makes room for {@code newcomer}'s task by dropping the last task of the
   * request with the longest queue (one only it waits for), when that is another request with more
   * queued than the newcomer. A request that queued hundreds of images loses some; one that
   * arrives with a few is never refused for it. False when there is nothing fair to drop.
   */
  private boolean evictFromTheLongestQueue(Requester newcomer, List<Task<?>> evicted) {
    Requester longest = null;
    for (Requester r : waiting) {
      if (longest == null || r.queue.size() > longest.queue.size()) {
        longest = r;
      }
    }
    if (longest == null || longest == newcomer || longest.queue.size() <= newcomer.queue.size() + 1) {
      return false;
    }
    for (Iterator<Task<?>> it = longest.queue.descendingIterator(); it.hasNext(); ) {
      Task<?> t = it.next();
      if (!t.started && !t.dropped && t.wanting.size() == 1) {
        it.remove();
        t.dropped = true;
        queued--;
        evicted.add(t);
        return true;
      }
    }
    return false;
  }

  /** {@code requester} waits for {@code task} too: it may start it in its own turn. */
  void join(Task<?> task, Requester requester) {
    List<Task<?>> dropped;
    lock.lock();
    try {
      dropped = purge(System.nanoTime());
      if (!task.started && !task.dropped && !task.wanting.contains(requester)) {
        enqueue(task, requester);
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    fail(dropped, NOT_STARTED);
  }

  private void enqueue(Task<?> task, Requester requester) {
    task.wanting.add(requester);
    requester.queue.addLast(task);
    if (!waiting.contains(requester)) {
      waiting.add(requester);
    }
  }

  /**
   * Drops tasks no live request waits for, and requests with nothing queued (under the lock). The
   * dropped tasks are failed by the caller once it let go of the lock ({@link #fail}): their futures'
   * callbacks take locks of their own.
   */
  private List<Task<?>> purge(long now) {
    List<Task<?>> dropped = new ArrayList<>();
    for (Iterator<Requester> it = waiting.iterator(); it.hasNext(); ) {
      Requester r = it.next();
      if (!r.live(now)) {
        for (Task<?> t : r.queue) {
          if (!t.started && !t.dropped && t.wanting.stream().noneMatch(w -> w.live(now))) {
            queued--;
            t.dropped = true;
            dropped.add(t);
          }
        }
        r.queue.clear();
      } else {
        r.queue.removeIf(t -> t.started || t.dropped);
      }
      if (r.queue.isEmpty()) {
        it.remove();
      }
    }
    return dropped;
  }

  private static void fail(List<Task<?>> tasks, String why) {
    for (Task<?> t : tasks) {
      t.future.completeExceptionally(new RejectedExecutionException(why));
    }
  }

  private static final String NOT_STARTED = "not started before the request's deadline (the server was busy with other images)";
  private static final String EVICTED = "the server is busy: this request queued more images than any other, and another request needed room";

  /**
   * The next task to run, or null (under the lock): of the requests under their share with a task
   * whose registry is under its share, the one with the fewest tasks running, and of those the one
   * served longest ago (never, for one that just arrived): round robin.
   */
  private Task<?> next(List<Task<?>> dropped) {
    long now = System.nanoTime();
    dropped.addAll(purge(now));
    Requester chosen = null;
    Task<?> chosenTask = null;
    for (Requester r : waiting) {
      if (r.running >= perRequest
          || (chosen != null && (r.running > chosen.running || (r.running == chosen.running && r.lastTurn >= chosen.lastTurn)))) {
        continue;
      }
      for (Task<?> t : r.queue) {
        if (!t.started && runningByRegistry.getOrDefault(t.registry, 0) < perRegistry) {
          chosen = r;
          chosenTask = t;
          break;
        }
      }
    }
    if (chosenTask == null) {
      return null;
    }
    chosenTask.started = true;
    chosenTask.chargedTo = chosen;
    chosen.running++;
    runningByRegistry.merge(chosenTask.registry, 1, Integer::sum);
    queued--;
    running++;
    chosen.queue.remove(chosenTask);
    chosen.lastTurn = ++turns; // its turn is over: to the back of the line
    if (chosen.queue.isEmpty()) {
      waiting.remove(chosen);
    }
    return chosenTask;
  }

  private void work() {
    while (true) {
      Task<?> task;
      List<Task<?>> dropped = new ArrayList<>();
      lock.lock();
      try {
        if (closed) {
          return;
        }
        task = next(dropped);
        if (task == null && dropped.isEmpty()) {
          // a queued request's deadline passing frees nothing to run: no signal is needed for it
          changed.await();
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      fail(dropped, NOT_STARTED);
      if (task == null) {
        continue;
      }
      run(task);
      lock.lock();
      try {
        task.chargedTo.running--;
        runningByRegistry.computeIfPresent(task.registry, (k, n) -> n <= 1 ? null : n - 1);
        running--;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private static <V> void run(Task<V> task) {
    try {
      task.future.complete(task.work.get());
    } catch (RuntimeException | Error e) {
      task.future.completeExceptionally(e);
    }
  }

  /** Tasks waiting for a worker. */
  int queued() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  /** Tasks being run. */
  int running() {
    lock.lock();
    try {
      return running;
    } finally {
      lock.unlock();
    }
  }

  /** Stops the workers (interrupting tasks under way) and fails what is queued; waits up to {@code waitMillis} for them. */
  void shutdown(long waitMillis) {
    List<Task<?>> dropped = new ArrayList<>();
    lock.lock();
    try {
      closed = true;
      for (Requester r : waiting) {
        for (Task<?> t : r.queue) {
          if (!t.started && !t.dropped) {
            t.dropped = true;
            dropped.add(t);
          }
        }
        r.queue.clear();
      }
      waiting.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fail(dropped, "the server is shutting down");
    for (Thread t : workers) {
      t.interrupt();
    }
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    for (Thread t : workers) {
      long left = end - System.nanoTime();
      if (left > 0) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    shutdown(5000);
  }
}
