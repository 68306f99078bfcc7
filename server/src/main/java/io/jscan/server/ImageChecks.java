package io.jscan.server;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Images;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryClient.FetchedManifest;
import io.jscan.server.ImageOutcome.Issue;
import io.jscan.server.ImageOutcome.Judged;
import io.jscan.server.ImageOutcome.Rejected;
import io.jscan.server.ImageOutcome.Unverifiable;
import io.jscan.server.LoadedPolicies.Selection;
import io.jscan.signing.oci.SignatureStores;
import io.jscan.verifier.Deadline;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.EvidenceProvider;
import io.jscan.verifier.Finding;
import io.jscan.verifier.ImageFacts;
import io.jscan.verifier.ImageReport;
import io.jscan.verifier.Mode;
import io.jscan.verifier.Verifier;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.attest.AttachedStatements;
import io.jscan.verifier.files.ScanLimits;
import io.jscan.verifier.signatures.SignatureEvidence;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Verifies the images of admission requests, with three caches so that a pod of images seen
 * before is answered from memory:
 *
 * <ul>
 *   <li><b>digest</b>: tag to manifest digest, for {@link ServeOptions#digestTtl} (30 s): tags move,
 *       so a resolution is trusted only briefly;
 *   <li><b>facts</b>: what {@link Verifier#inspect} learned from an image's bytes, by manifest digest,
 *       scan limits and whether packages were catalogued, kept until evicted (least recently used,
 *       {@link ServeOptions#cacheEntries}): a digest names the same bytes forever. The signatures and
 *       attestations found for it are looked for again after {@link ServeOptions#decisionTtl}, since
 *       they can be added to (or removed from) a digest at any time;
 *   <li><b>decision</b>: the verdict of the selected policies on those facts, by (image as written,
 *       digest, policies' content), for {@link ServeOptions#decisionTtl}: rules that depend on the time
 *       (image age, exception expiry) and on signatures are judged again after it.
 * </ul>
 *
 * <p><b>Evidence.</b> Signatures, attestations and unsigned attached statements are looked for
 * only for images whose selected policies judge them ({@link Selection#needsEvidence}): in the
 * image's own repository (cosign's {@code .sig}/{@code .att} tags, Sigstore bundle referrers, OCI
 * referrers), as {@code jscan verify docker://IMAGE} would. The policies' {@code
 * signature-required}, {@code attestation-required} and {@code sbom-required} rules judge them
 * with their own {@code keys} and {@code identities}, or with {@link ServeOptions#trust}.
 *
 * <p>Registry work runs on two bounded pools (resolving tags; reading images), never on the
 * request threads, and is shared: concurrent requests for one digest wait for one verification.
 * A request waits only until its deadline; a verification it started goes on (up to {@link
 * ServeOptions#verifyTimeout}) and fills the cache, so the API server's retry finds it.
 */
public final class ImageChecks implements AutoCloseable {
  private final Verifier verifier;
  private final RegistryClient registry;
  private final ServeOptions options;
  private final Metrics metrics;
  private final ThreadPoolExecutor resolvePool;
  private final ThreadPoolExecutor inspectPool;
  private final BoundedCache<String, Digest> digests;
  private final BoundedCache<FactsKey, Inspected> facts;
  private final BoundedCache<String, Judged> decisions;
  private final EvidenceProvider signatures;
  private final Map<String, CompletableFuture<Digest>> resolving = new ConcurrentHashMap<>();
  private final Map<Reading, CompletableFuture<Inspected>> inspecting = new ConcurrentHashMap<>();
  /** Decisions being judged again ahead of their expiry. */
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

  /** The facts of one digest under one set of scan limits, with or without its packages. */
  private record FactsKey(Digest digest, ScanLimits limits, boolean packages) {}

  /** One read under way: facts, and whether the evidence is looked for too. */
  private record Reading(FactsKey facts, boolean evidence) {}

  /**
   * What reading an image (or each image of an index) taught.
   *
   * @param images facts per runnable image, with the platform each was listed for
   * @param evidence signatures and attestations per image, in the same order; empty when no
   *     selected policy asked for them yet
   * @param problems integrity problems of the index itself
   * @param evidenceNanos when the evidence was collected ({@link System#nanoTime})
   */
  private record Inspected(List<ImageFacts> images, Optional<List<Evidence>> evidence, List<Issue> problems, long evidenceNanos) {}

  /** Signals a registry or deadline problem: the failure mode decides. */
  private static final class UnverifiableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnverifiableException(String message) {
      super(message, null, false, false);
    }
  }

  /** Signals content that fails closed whatever the failure mode. */
  private static final class RejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RejectedException(String message) {
      super(message, null, false, false);
    }
  }

  public ImageChecks(Verifier verifier, RegistryClient registry, ServeOptions options, Metrics metrics) {
    this.verifier = verifier;
    this.registry = registry;
    this.options = options;
    this.metrics = metrics;
    this.resolvePool = pool("jscan-resolve", options.verifyWorkers(), options.verifyQueue());
    this.inspectPool = pool("jscan-inspect", options.verifyWorkers(), options.verifyQueue());
    this.digests = new BoundedCache<>(options.cacheEntries() * 4, options.digestTtl().toNanos());
    this.facts = new BoundedCache<>(options.cacheEntries(), Long.MAX_VALUE);
    this.decisions = new BoundedCache<>(options.cacheEntries() * 4, options.decisionTtl().toNanos());
    // a pod spec's bare name (nginx:1.25) means its registry, where the signatures are too. A
    // signature is required only where a policy says so (signature-required): --key only says whom
    // the rules without keys of their own trust, so it does not require one of every image
    this.signatures = new SignatureEvidence(SignatureStores.registryOnly(registry), options.trust(), false);
  }

  private static ThreadPoolExecutor pool(String name, int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    p.allowCoreThreadTimeOut(true);
    return p;
  }

  /**
   * Verifies {@code name} (written {@code asWritten} in the pod spec) under {@code selection}. The
   * future never fails: every problem is an {@link ImageOutcome}.
   */
  public CompletableFuture<ImageOutcome> check(String asWritten, ImageName name, Selection selection, ScanLimits limits) {
    CompletableFuture<Digest> digest = digestOf(name);
    return digest.thenCompose(d -> decide(asWritten, name, d, selection, limits))
        .exceptionally(ImageChecks::outcomeOf);
  }

  private static ImageOutcome outcomeOf(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof UnverifiableException u) {
      return new Unverifiable(u.getMessage(), false);
    }
    if (cause instanceof RejectedException r) {
      return new Rejected(r.getMessage());
    }
    // a bug, not a verdict: treat it as unverifiable so the failure mode (deny by default) decides
    return new Unverifiable("internal error: " + cause, false);
  }

  // ---------------------------------------------------------------- tag -> digest

  private CompletableFuture<Digest> digestOf(ImageName name) {
    if (name.digest().isPresent()) {
      return CompletableFuture.completedFuture(name.digest().get());
    }
    String key = name.toString();
    Optional<BoundedCache.Aged<Digest>> cached = digests.getAged(key);
    if (cached.isPresent()) {
      metrics.cacheHits.inc("digest");
      if (refreshDue(cached.get(), options.digestTtl())) {
        resolve(name, key); // ahead of expiry, in the background: busy images never wait for the registry
      }
      return CompletableFuture.completedFuture(cached.get().value());
    }
    metrics.cacheMisses.inc("digest");
    return resolve(name, key);
  }

  /**
   * Whether a cached entry is old enough (past 3/4 of its time to live) to be refreshed now,
   * while it is still served: an image in steady use is then never answered late because its
   * entry just expired. One that is not asked for expires as usual.
   */
  private static boolean refreshDue(BoundedCache.Aged<?> entry, Duration ttl) {
    return entry.ageNanos() > ttl.toNanos() / 4 * 3;
  }

  private CompletableFuture<Digest> resolve(ImageName name, String key) {
    return shared(resolving, key, resolvePool, () -> {
      try {
        Descriptor d = registry.resolve(name);
        digests.put(key, d.digest());
        return d.digest();
      } catch (OciException e) {
        metrics.registryErrors.inc("resolve");
        throw failure(e, "resolving " + name.familiar());
      }
    });
  }

  // ---------------------------------------------------------------- digest -> verdict

  private CompletableFuture<ImageOutcome> decide(String asWritten, ImageName name, Digest digest, Selection selection, ScanLimits limits) {
    String key = asWritten + "\u0000" + digest + "\u0000" + limits + "\u0000" + selection.key();
    Optional<BoundedCache.Aged<Judged>> cached = decisions.getAged(key);
    if (cached.isPresent()) {
      metrics.cacheHits.inc("decision");
      if (refreshDue(cached.get(), options.decisionTtl()) && refreshing.add(key)) {
        // judged again in the background (signatures looked for again); this request keeps the current verdict
        try {
          inspectPool.execute(() -> judged(asWritten, name, digest, selection, limits, key).whenComplete((j, e) -> refreshing.remove(key)));
        } catch (RejectedExecutionException e) {
          refreshing.remove(key); // the pool is full: a later request tries again
        }
      }
      return CompletableFuture.completedFuture(cached.get().value());
    }
    metrics.cacheMisses.inc("decision");
    return judged(asWritten, name, digest, selection, limits, key).thenApply(j -> (ImageOutcome) j);
  }

  private CompletableFuture<Judged> judged(String asWritten, ImageName name, Digest digest, Selection selection, ScanLimits limits, String key) {
    return inspected(name, digest, limits, selection).thenApply(i -> {
      Judged j = judge(asWritten, name, digest, i, selection);
      decisions.put(key, j);
      return j;
    });
  }

  private CompletableFuture<Inspected> inspected(ImageName name, Digest digest, ScanLimits limits, Selection selection) {
    FactsKey key = new FactsKey(digest, limits, selection.needsPackages());
    boolean wantEvidence = selection.needsEvidence();
    Optional<Inspected> known = facts.get(key);
    // signatures are looked for again when a decision is refreshed (at 3/4 of its time to live)
    long evidenceTtl = options.decisionTtl().toNanos() / 4 * 3;
    if (known.isPresent()
        && (!wantEvidence || known.get().evidence().isPresent() && System.nanoTime() - known.get().evidenceNanos() < evidenceTtl)) {
      metrics.cacheHits.inc("facts");
      return CompletableFuture.completedFuture(known.get());
    }
    if (known.isPresent()) {
      metrics.cacheHits.inc("facts"); // the facts are there; only the signatures are looked for (again)
    } else {
      metrics.cacheMisses.inc("facts");
    }
    return shared(inspecting, new Reading(key, wantEvidence), inspectPool, () -> {
      long start = System.nanoTime();
      try {
        Inspected i = read(name, digest, key, wantEvidence, known);
        metrics.verifications.inc("ok");
        Optional<Inspected> now = facts.get(key);
        if (!wantEvidence && now.isPresent() && now.get().evidence().isPresent()) {
          return now.get(); // a read with evidence finished first: keep its evidence
        }
        facts.put(key, i);
        return i;
      } catch (UnverifiableException e) {
        metrics.verifications.inc("unverifiable");
        if (known.isPresent() && known.get().evidence().isPresent()) {
          // the signatures could not be looked for again: keep those found before rather than
          // refuse every pod of an image whose bytes are known while its registry is down. Never
          // without any: "no signature found" would then stand for "could not look" (the failure
          // mode decides that)
          Inspected stale = new Inspected(known.get().images(), known.get().evidence(), known.get().problems(), System.nanoTime());
          facts.put(key, stale);
          return stale;
        }
        throw e;
      } finally {
        metrics.verificationTime.observe((System.nanoTime() - start) / 1e9);
      }
    });
  }

  /** Reads the image by digest: facts unless {@code known} has them, signatures when {@code wantEvidence}. */
  private Inspected read(ImageName name, Digest digest, FactsKey key, boolean wantEvidence, Optional<Inspected> known) {
    ImageName pinned = name.withDigest(digest);
    String reference = pinned.toString();
    Deadline deadline = Deadline.in(options.verifyTimeout());
    FetchedManifest top;
    try {
      top = registry.fetchManifest(pinned, digest.toString());
    } catch (OciException e) {
      metrics.registryErrors.inc("read");
      throw failure(e, "reading " + pinned.familiar());
    }
    TrackingBlobSource source = new TrackingBlobSource(registry.blobs(pinned), top);
    List<Issue> problems = new ArrayList<>();
    List<Image> images = new ArrayList<>();
    Artifact artifact;
    try {
      artifact = Images.artifact(source, top.descriptor());
      runnable(artifact, images, problems, new HashSet<>(), 0);
    } catch (OciException e) {
      throw source.failure().isPresent() ? new UnverifiableException("reading " + pinned.familiar() + ": " + source.failure().get())
          : new RejectedException(pinned.familiar() + ": " + e.getMessage());
    }
    if (images.isEmpty() && problems.isEmpty()) {
      problems.add(new Issue("integrity", Optional.empty(), "the index lists no runnable image to verify"));
    }
    List<ImageFacts> imageFacts = new ArrayList<>();
    List<Evidence> evidence = new ArrayList<>();
    // unsigned SBOM and provenance statements attached as OCI referrers (sbom-required's acceptUnsigned)
    EvidenceProvider attached = new AttachedStatements(registry.referrers(pinned));
    for (Image image : images) {
      if (known.isEmpty()) {
        try {
          Optional<Digest> expected = image == artifact ? Optional.of(digest) : Optional.empty();
          imageFacts.add(verifier.inspect(image, reference, Optional.of(pinned), expected, key.limits(), deadline, key.packages()));
        } catch (VerifierException e) {
          if (source.failure().isPresent() || e.kind() != FailureKind.BAD_INPUT) {
            metrics.registryErrors.inc("read");
            throw new UnverifiableException("reading " + pinned.familiar() + ": " + source.failure().orElse(e.getMessage()));
          }
          throw new RejectedException(pinned.familiar() + ": " + e.getMessage());
        }
      }
      if (wantEvidence) {
        evidence.add(evidence(artifact, image, reference, attached));
      }
    }
    if (source.failure().isPresent()) {
      // the walk may have turned the registry's failure into an integrity finding: not a verdict
      metrics.registryErrors.inc("read");
      throw new UnverifiableException("reading " + pinned.familiar() + ": " + source.failure().get());
    }
    return new Inspected(known.map(Inspected::images).orElse(imageFacts), wantEvidence ? Optional.of(evidence) : Optional.empty(), problems,
        System.nanoTime());
  }

  /**
   * The signatures and attestations of one image (and of the index it was named by), and what is
   * attached to it unsigned. Not being able to look is not "unsigned": the failure mode decides,
   * as for an image that cannot be read. Attached content whose bytes do not match its digest is
   * an integrity failure, denied whatever the failure mode.
   */
  private Evidence evidence(Artifact subject, Image image, String reference, EvidenceProvider attached) {
    try {
      return signatures.and(attached).collect(subject, image, reference);
    } catch (VerifierException e) {
      if (e.kind() == FailureKind.INTEGRITY) {
        throw new RejectedException(e.getMessage());
      }
      metrics.registryErrors.inc("evidence");
      throw new UnverifiableException(e.getMessage());
    }
  }

  /**
   * The images a node could run from {@code artifact}: the image itself, or every image of an
   * index (nested indexes followed), leaving out attestation manifests and entries for platform
   * {@code unknown} (BuildKit's provenance and SBOM attachments). A node picks one by its own
   * platform, which the webhook cannot know, so every one is verified.
   */
  private static void runnable(Artifact artifact, List<Image> out, List<Issue> problems, Set<Digest> seen, int depth) throws OciException {
    if (artifact instanceof Image image) {
      out.add(image);
      return;
    }
    ImageIndex index = (ImageIndex) artifact;
    if (depth > 8 || !seen.add(index.descriptor().digest())) {
      problems.add(new Issue("integrity", Optional.empty(), "index nesting is cyclic or deeper than 8 levels"));
      return;
    }
    for (Descriptor child : index.index().manifests()) {
      if ("attestation-manifest".equals(child.annotations().get("vnd.docker.reference.type"))
          || child.platform().map(p -> p.os().equals("unknown")).orElse(false)
          || !MediaTypes.isManifestOrIndex(child.mediaType())) {
        continue;
      }
      runnable(index.child(child), out, problems, seen, depth + 1);
    }
  }

  /** The selected policies' verdict on inspected facts (cheap: no I/O). */
  private Judged judge(String asWritten, ImageName name, Digest digest, Inspected inspected, Selection selection) {
    Instant now = verifier.options().clock().instant();
    List<Issue> violations = new ArrayList<>(inspected.problems());
    List<Issue> warnings = new ArrayList<>();
    boolean several = inspected.images().size() > 1;
    for (int i = 0; i < inspected.images().size(); i++) {
      ImageFacts f = inspected.images().get(i);
      // facts are cached by digest; the reference and name are the request's (exceptions match on them)
      ImageFacts asRequested = new ImageFacts(asWritten, Optional.of(name), f.walk(), f.base(), f.facts(), f.packages());
      // evidence only where the policies asked for it, so an image's verdict never depends on
      // whether another namespace's policy happened to look for its signatures first
      Evidence evidence = selection.needsEvidence() ? inspected.evidence().orElseThrow().get(i) : Evidence.none();
      ImageReport report = verifier.evaluate(asRequested, evidence, selection.policies(), Optional.empty(), List.of(), now);
      String prefix = several ? report.platform().map(p -> p + ": ").orElse("") : "";
      for (Finding finding : report.findings()) {
        Issue issue = new Issue(finding.rule(), finding.policy(), prefix + finding.message());
        if (finding.blocking()) {
          violations.add(issue);
        } else if (finding.mode() == Mode.WARN && finding.suppression().isEmpty() && finding.policy().isPresent()) {
          warnings.add(issue); // a rule in warn mode; the walk's own observations stay out of kubectl's output
        }
      }
    }
    return new Judged(digest, violations, warnings);
  }

  // ---------------------------------------------------------------- plumbing

  private static RuntimeException failure(OciException e, String what) {
    if (e.kind() == FailureKind.INTEGRITY) {
      return new RejectedException(what + ": " + e.getMessage());
    }
    return new UnverifiableException(what + ": " + e.getMessage());
  }

  /** Runs {@code work} once for concurrent callers with the same key; the pool's queue bounds the backlog. */
  private static <K, V> CompletableFuture<V> shared(Map<K, CompletableFuture<V>> inflight, K key, ThreadPoolExecutor pool, Supplier<V> work) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> existing = inflight.putIfAbsent(key, mine);
    if (existing != null) {
      return existing;
    }
    try {
      pool.execute(() -> {
        try {
          mine.complete(work.get());
        } catch (RuntimeException e) {
          mine.completeExceptionally(e);
        } finally {
          inflight.remove(key, mine);
        }
      });
    } catch (RejectedExecutionException e) {
      inflight.remove(key, mine);
      mine.completeExceptionally(new UnverifiableException(
          "the server is busy: " + pool.getQueue().size() + " images are waiting to be verified"));
    }
    return mine;
  }

  /** How many entries each cache holds (for the metrics). */
  public int cachedFacts() {
    return facts.size();
  }

  public int cachedDecisions() {
    return decisions.size();
  }

  /** Images waiting for or being verified. */
  public int pending() {
    return inspectPool.getQueue().size() + inspectPool.getActiveCount();
  }

  /** Stops the pools; verifications under way are interrupted. */
  @Override
  public void close() {
    resolvePool.shutdownNow();
    inspectPool.shutdownNow();
    try {
      inspectPool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** For messages: a duration as people write it. */
  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
