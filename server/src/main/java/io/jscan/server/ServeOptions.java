package io.jscan.server;

import io.jscan.verifier.policy.FailureMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@code jscan serve} runs. {@link #defaults} gives the values the command line starts from;
 * each is explained there.
 *
 * @param host the address to listen on ({@code 0.0.0.0} in a pod, {@code 127.0.0.1} in tests)
 * @param port the HTTPS port; 0 picks a free one (tests)
 * @param policySpecs what {@code --policy} named: files, directories or shipped policy names
 * @param tlsCert PEM certificate chain, leaf first
 * @param tlsKey PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted)
 * @param requestTimeout the deadline of one admission request; past it the failure mode applies
 * @param verifyTimeout how long a verification begun for a request may go on after the request's
 *     deadline, filling the cache for the API server's retry
 * @param maxRequestBytes a larger request body is refused with 413
 * @param reloadInterval how often policy files and the TLS files are checked for changes
 * @param noMatch what happens to an image that no policy applies to
 * @param digestTtl how long a tag's resolution to a digest is trusted
 * @param decisionTtl how long a verdict (digest × policies) is reused; the time-dependent rules
 *     (image age, expiring exceptions) and the signatures are looked at again after it
 * @param cacheEntries the most images whose verification results are kept
 * @param verifyWorkers images verified at once (each reads its layers on the verifier's pool)
 * @param verifyQueue images waiting for a worker; more are answered with the failure mode
 * @param drainDelay after SIGTERM, how long to keep serving while {@code /readyz} says no, so that
 *     the Service stops sending new requests before the listener closes
 * @param stopTimeout after the drain, how long in-flight requests may take to finish
 * @param keys the public key files ({@code --key}) that signature and attestation rules trust when
 *     they name no {@code keys} or {@code identities} of their own; none by default, so such a rule
 *     admits nothing until keys are given. Read at start and watched with the policies ({@link
 *     ServerKeys})
 * @param maxImagesPerReview a review whose object names more distinct images (to judge) is denied
 *     with a reason, before any is fetched: no pod needs that many, and each costs registry work
 * @param workersPerRequest the most workers (of {@code verifyWorkers}) one request's images hold at
 *     once; the rest stay free for other requests ({@link FairPool})
 * @param workersPerRegistry the most workers all requests together hold against one registry, so a
 *     registry that stalls holds no more ({@link FairPool})
 */
public record ServeOptions(
    String host,
    int port,
    List<String> policySpecs,
    Path tlsCert,
    Path tlsKey,
    Duration requestTimeout,
    Duration verifyTimeout,
    long maxRequestBytes,
    Duration reloadInterval,
    FailureMode noMatch,
    Duration digestTtl,
    Duration decisionTtl,
    int cacheEntries,
    int verifyWorkers,
    int verifyQueue,
    Duration drainDelay,
    Duration stopTimeout,
    List<Path> keys,
    int maxImagesPerReview,
    int workersPerRequest,
    int workersPerRegistry) {

  /**
   * Kubernetes calls a webhook with a 10 s timeout unless {@code timeoutSeconds} says otherwise
   * (admissionregistration.k8s.io/v1 ValidatingWebhook); answering by 8 s leaves room for the
   * network and TLS on a busy node.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(8);

  /**
   * kube-apiserver refuses request bodies over 3 MiB by default ({@code --max-request-bytes}), and a
   * review carries the object and, for an update, the old object too: 8 MiB holds any review the
   * API server can send and bounds what one connection can make the webhook buffer.
   */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 8L << 20;

  /**
   * Pods rarely have more than a dozen containers (init, sidecars, ephemeral debug containers
   * included); 64 distinct images leave room for the largest while bounding what one review can
   * make the webhook fetch (issue 16).
   */
  public static final int DEFAULT_MAX_IMAGES_PER_REVIEW = 64;

  /** Half of the workers, at least one: one request or one registry never holds them all (when there are two or more). */
  public static int defaultShare(int workers) {
    return Math.max(1, workers / 2);
  }

  public ServeOptions {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
    }
    policySpecs = List.copyOf(policySpecs);
    if (policySpecs.isEmpty()) {
      throw new IllegalArgumentException("at least one --policy is needed");
    }
    Objects.requireNonNull(tlsCert, "tlsCert");
    Objects.requireNonNull(tlsKey, "tlsKey");
    positive(requestTimeout, "the request timeout");
    positive(verifyTimeout, "the verification timeout");
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException("the request size limit must be at least 1 KiB");
    }
    positive(reloadInterval, "the reload interval");
    Objects.requireNonNull(noMatch, "noMatch");
    positive(digestTtl, "the digest cache time");
    positive(decisionTtl, "the verdict cache time");
    if (cacheEntries < 1 || verifyWorkers < 1 || verifyQueue < 1) {
      throw new IllegalArgumentException("cache entries, workers and queue must be at least 1");
    }
    if (drainDelay.isNegative() || stopTimeout.isNegative()) {
      throw new IllegalArgumentException("drain delay and stop timeout cannot be negative");
    }
    keys = List.copyOf(keys);
    if (maxImagesPerReview < 1) {
      throw new IllegalArgumentException("the image limit per review must be at least 1");
    }
    if (workersPerRequest < 1 || workersPerRequest > verifyWorkers || workersPerRegistry < 1 || workersPerRegistry > verifyWorkers) {
      throw new IllegalArgumentException(
          "workers per request and per registry must be at least 1 and at most the workers (" + verifyWorkers + ")");
    }
  }

  private static void positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(what + " must be positive");
    }
  }

  /** The defaults of {@code jscan serve}, with what it must be told. */
  public static ServeOptions defaults(List<String> policySpecs, Path tlsCert, Path tlsKey) {
    return new ServeOptions(
        "0.0.0.0", 8443, policySpecs, tlsCert, tlsKey,
        DEFAULT_REQUEST_TIMEOUT,
        Duration.ofMinutes(2),
        DEFAULT_MAX_REQUEST_BYTES,
        Duration.ofSeconds(2),
        FailureMode.DENY,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        1000,
        4,
        256,
        Duration.ZERO,
        Duration.ofSeconds(20),
        List.of(),
        DEFAULT_MAX_IMAGES_PER_REVIEW,
        defaultShare(4),
        defaultShare(4));
  }

  public ServeOptions withListen(String newHost, int newPort) {
    return new ServeOptions(newHost, newPort, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withPolicySpecs(List<String> specs) {
    return new ServeOptions(host, port, specs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withRequestTimeout(Duration d) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, d, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withMaxRequestBytes(long bytes) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, bytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withReloadInterval(Duration d) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        d, noMatch, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withNoMatch(FailureMode mode) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, mode, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withCacheTimes(Duration digest, Duration decision) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digest, decision, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withShutdown(Duration drain, Duration stop) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drain, stop, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  /** {@code workers} and {@code queue}, each share half of the workers ({@link #defaultShare}). */
  public ServeOptions withWorkers(int workers, int queue) {
    return withWorkers(workers, queue, defaultShare(workers), defaultShare(workers));
  }

  public ServeOptions withWorkers(int workers, int queue, int perRequest, int perRegistry) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, cacheEntries, workers, queue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, perRequest, perRegistry);
  }

  public ServeOptions withMaxImagesPerReview(int images) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        images, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withCacheEntries(int entries) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, entries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keys,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }

  public ServeOptions withKeys(List<Path> keyFiles) {
    return new ServeOptions(host, port, policySpecs, tlsCert, tlsKey, requestTimeout, verifyTimeout, maxRequestBytes,
        reloadInterval, noMatch, digestTtl, decisionTtl, cacheEntries, verifyWorkers, verifyQueue, drainDelay, stopTimeout, keyFiles,
        maxImagesPerReview, workersPerRequest, workersPerRegistry);
  }
}
