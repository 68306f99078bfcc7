package io.jscan.server;

import io.jscan.core.Deadline;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Images;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.text.Durations;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryClient.FetchedManifest;
import io.jscan.server.ImageOutcome.Issue;
import io.jscan.server.ImageOutcome.Judged;
import io.jscan.server.ImageOutcome.Rejected;
import io.jscan.server.ImageOutcome.Unverifiable;
import io.jscan.server.LoadedPolicies.Selection;
import io.jscan.server.LoadedPolicies.SelectionKey;
import io.jscan.signing.oci.SignatureStores;
import io.jscan.signing.oci.TrustPolicy;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Verifies the images of admission requests, with four caches so that a pod of images seen
 * before is answered from memory. Each is keyed by a record whose fields are everything its entries
 * were computed from, and nothing else (issue 15: a key that leaves an input out hands one
 * request's answer to another whose input differs):
 *
 * <ul>
 *   <li><b>digest</b> ({@link TagKey}: registry, repository, tag): what the tag points to, for
 *       {@link ServeOptions#digestTtl} (30 s): tags move, so a resolution is trusted only briefly;
 *   <li><b>facts</b> ({@link FactsKey}: manifest digest, scan limits, whether packages were
 *       catalogued): what {@link Verifier#inspect} learned from an image's bytes, kept until evicted
 *       (least recently used, {@link ServeOptions#cacheEntries}). Shared between registries and
 *       repositories: a digest names the same bytes wherever they are read from (every read is
 *       checked against its digest), so facts read from one copy are the facts of every copy. Only
 *       facts of a clean integrity walk are kept, though: a walk that failed may have failed because
 *       that registry served bytes which do not match their digest, which says nothing about the
 *       digest or another registry's copy;
 *   <li><b>evidence</b> ({@link EvidenceKey}: registry, repository, digest): the signatures,
 *       attestations and attached statements found for the digest where cosign and Sigstore clients
 *       store them, in that repository; another repository holding the same digest has its own
 *       (or none). Found, not judged: which keys are trusted is applied per verdict. Looked for again
 *       past 3/4 of {@link ServeOptions#decisionTtl}, since they can be added to (or removed from) a
 *       digest at any time;
 *   <li><b>decision</b> ({@link DecisionKey}: the image as written, its registry and repository, the
 *       digest, the scan limits, and the selection's {@link SelectionKey}: the policies' content,
 *       the files they read, and the {@code --key} files' content when evidence is judged): the
 *       verdict, for {@link ServeOptions#decisionTtl}: rules that depend on the time (image age,
 *       exception expiry) and on signatures are judged again after it.
 * </ul>
 *
 * <p><b>Platforms.</b> The webhook cannot know the node's platform, so a digest naming an index
 * is judged on every runnable image it lists; the platform of each is read from that image's own
 * config. Everything about an index is cached under the index's digest, never its children's: the
 * index's signatures count for each of its images when the index is named, and not when one of
 * its images is named by its own digest.
 *
 * <p><b>Evidence.</b> Signatures, attestations and unsigned attached statements are looked for
 * only for images whose verdicts depend on them ({@link Selection#needsEvidence}: the selected
 * policies judge them, or, with {@code --key}, judge the base images or packages that signed
 * provenance or SBOMs supply): in the image's own repository (cosign's {@code .sig}/{@code .att}
 * tags, Sigstore bundle referrers, OCI referrers), as {@code jscan verify docker://IMAGE} would.
 * The policies' {@code signature-required}, {@code attestation-required} and {@code sbom-required}
 * rules judge them with their own {@code keys} and {@code identities} alone, or, naming none,
 * with the {@code --key} files ({@link Selection#serverTrust}), which also decide which provenance
 * and SBOMs are trusted as facts. Unlike {@code jscan verify --key}, the {@code --key} files are
 * not required of the image: what does not verify under them is judged by the rules only.
 *
 * <p>Registry work runs on two {@link FairPool}s (resolving tags; reading images), never on the
 * request threads, in each request's turn ({@link Request}): one request, or one registry, holds
 * only its share of the workers, so a review naming hundreds of images on a registry that stalls
 * leaves the rest to other requests (issue 16). It is shared: concurrent requests for the same read
 * (the same repository, digest, limits and needs) wait for one. Never across repositories (issue
 * 16): a read stalled on one registry must not hold a request for the same digest in a healthy one.
 * A request waits only until its deadline; a verification it started goes on, under a deadline of
 * its own ({@link ServeOptions#verifyTimeout}, which its registry requests, retries and layer reads
 * honour), and fills the cache, so the API server's retry finds it; one it had not started is not
 * started unless another request still waits for it.
 */
public final class ImageChecks implements AutoCloseable {
  private final Verifier verifier;
  private final RegistryClient registry;
  private final ServeOptions options;
  private final Metrics metrics;
  private final FairPool resolvePool;
  private final FairPool inspectPool;
  private final BoundedCache<TagKey, Digest> digests;
  private final BoundedCache<FactsKey, Facts> facts;
  private final BoundedCache<EvidenceKey, Found> evidence;
  private final BoundedCache<DecisionKey, Judged> decisions;
  private final Map<TagKey, FairPool.Task<Digest>> resolving = new ConcurrentHashMap<>();
  private final Map<ReadKey, FairPool.Task<Inspected>> inspecting = new ConcurrentHashMap<>();
  /** Decisions being judged again ahead of their expiry. */
  private final Set<DecisionKey> refreshing = ConcurrentHashMap.newKeySet();

  /**
   * A repository in a registry, where an image is named and read from.
   *
   * @param registry the registry host (and port): another registry is another place, even for the
   *     same repository path (a mirror, a proxy) and the same digest
   * @param path the repository in it: cosign's {@code sha256-<hex>.sig}/{@code .att} tags and the
   *     OCI referrers of a digest are per repository
   */
  record Repository(String registry, String path) {
    Repository {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(path, "path");
    }

    static Repository of(ImageName name) {
      return new Repository(name.domain(), name.path());
    }
  }

  /**
   * What a tag resolution depends on.
   *
   * @param repository where the tag is: each repository has its own tags
   * @param tag the tag
   */
  private record TagKey(Repository repository, String tag) {}

  /**
   * What facts read from an image's bytes depend on. No registry or repository: the digest names the
   * bytes (see the class comment for why only facts of a clean walk are kept under it).
   *
   * @param digest the manifest or index digest: the bytes, and for an index which images are runnable
   *     and their platforms
   * @param limits the scan limits the walk ran under (what it lists and where it stops)
   * @param packages whether the packages were catalogued
   */
  private record FactsKey(Digest digest, ScanLimits limits, boolean packages) {}

  /**
   * What the evidence found for an image depends on.
   *
   * @param repository where it was looked for: signatures and attestations are stored per repository
   * @param digest what it was looked for: the digest named (for an index also each runnable image's)
   */
  private record EvidenceKey(Repository repository, Digest digest) {}

  /**
   * One read under way, shared by the requests that would make exactly this read.
   *
   * @param from where it reads: a read stalled on one registry or repository holds no request that
   *     names the digest in another (issue 16)
   * @param facts the facts it fills in
   * @param evidence whether it looks for the evidence in {@code from} too
   */
  private record ReadKey(Repository from, FactsKey facts, boolean evidence) {}

  /**
   * What a verdict depends on. The time is not in it: that is what the verdict's time to live is for.
   *
   * @param asWritten the reference as the pod spec wrote it: exceptions and messages match on it
   * @param repository where the image was named, so where its evidence was looked for (implied by
   *     {@code asWritten}; named because it is the input issue 15 was about)
   * @param digest what the reference resolved to: the bytes and, for an index, its platforms
   * @param limits the scan limits the facts were read under
   * @param selection the selected policies' content and the trust material they judge with
   */
  private record DecisionKey(String asWritten, Repository repository, Digest digest, ScanLimits limits, SelectionKey selection) {}

  /**
   * What an image's bytes taught.
   *
   * @param images facts per runnable image (one, or each of an index's), in the index's order
   * @param problems integrity problems of the index itself
   */
  private record Facts(List<ImageFacts> images, List<Issue> problems) {
    Facts {
      images = List.copyOf(images);
      problems = List.copyOf(problems);
    }
  }

  /**
   * The evidence found in one repository for one digest, not yet judged: signatures and
   * attestations as stored ({@link Evidence#found}) and the statements attached unsigned.
   *
   * @param images each runnable image's digest, in the order of {@link Facts#images}
   * @param perImage the evidence of each of them (with the index's own, when an index was named)
   * @param collectedNanos when it was looked for ({@link System#nanoTime})
   */
  private record Found(List<Digest> images, List<Evidence> perImage, long collectedNanos) {
    Found {
      images = List.copyOf(images);
      perImage = List.copyOf(perImage);
      if (images.size() != perImage.size()) {
        throw new IllegalArgumentException("one evidence per image");
      }
    }
  }

  /** What a verdict is reached on: the facts, and the evidence when the selection asked for it. */
  private record Inspected(Facts facts, Optional<Found> evidence) {}

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
    this.resolvePool = new FairPool(
        "jscan-resolve", options.verifyWorkers(), options.workersPerRequest(), options.workersPerRegistry(), options.verifyQueue());
    this.inspectPool = new FairPool(
        "jscan-inspect", options.verifyWorkers(), options.workersPerRequest(), options.workersPerRegistry(), options.verifyQueue());
    this.digests = new BoundedCache<>(options.cacheEntries() * 4, options.digestTtl().toNanos());
    this.facts = new BoundedCache<>(options.cacheEntries(), Long.MAX_VALUE);
    // one entry per repository an image is named in, hence more than images
    this.evidence = new BoundedCache<>(options.cacheEntries() * 2, Long.MAX_VALUE);
    this.decisions = new BoundedCache<>(options.cacheEntries() * 4, options.decisionTtl().toNanos());
  }

  /**
   * One admission request's share of the workers ({@link FairPool}): its images are verified in its
   * turn, at most {@link ServeOptions#workersPerRequest} at once, and what has not started by
   * {@code deadlineNanos} ({@link System#nanoTime}), or when it is closed (answered), is not started
   * at all unless another request waits for it too.
   */
  public final class Request implements AutoCloseable {
    private final FairPool.Requester resolving;
    private final FairPool.Requester reading;

    private Request(FairPool.Requester resolving, FairPool.Requester reading) {
      this.resolving = resolving;
      this.reading = reading;
    }

    @Override
    public void close() {
      resolving.close();
      reading.close();
    }
  }

  /** A request answered by {@code deadlineNanos}; close it once it is answered. */
  public Request request(long deadlineNanos) {
    return new Request(resolvePool.requester(deadlineNanos), inspectPool.requester(deadlineNanos));
  }

  /** Work no request waits for (refreshing an entry ahead of its expiry): it takes its turn like a request. */
  private Request background() {
    return new Request(resolvePool.background(), inspectPool.background());
  }

  /**
   * Verifies {@code name} (written {@code asWritten} in the pod spec) under {@code selection}, in
   * {@code request}'s turn. The future never fails: every problem is an {@link ImageOutcome}.
   */
  public CompletableFuture<ImageOutcome> check(String asWritten, ImageName name, Selection selection, ScanLimits limits, Request request) {
    CompletableFuture<Digest> digest = digestOf(name, request);
    return digest.thenCompose(d -> decide(asWritten, name, d, selection, limits, request))
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
    if (cause instanceof RejectedExecutionException busy) {
      return new Unverifiable(busy.getMessage(), false); // refused or not started by the pool: the failure mode decides
    }
    // a bug, not a verdict: treat it as unverifiable so the failure mode (deny by default) decides
    return new Unverifiable("internal error: " + cause, false);
  }

  // ---------------------------------------------------------------- tag -> digest

  private CompletableFuture<Digest> digestOf(ImageName name, Request request) {
    if (name.digest().isPresent()) {
      return CompletableFuture.completedFuture(name.digest().get());
    }
    TagKey key = new TagKey(Repository.of(name), name.tag().orElseThrow()); // a name without a digest has a tag (latest by default)
    Optional<BoundedCache.Aged<Digest>> cached = digests.getAged(key);
    if (cached.isPresent()) {
      metrics.cacheHits.inc("digest");
      if (refreshDue(cached.get(), options.digestTtl())) {
        resolve(name, key, background()); // ahead of expiry, in the background: busy images never wait for the registry
      }
      return CompletableFuture.completedFuture(cached.get().value());
    }
    metrics.cacheMisses.inc("digest");
    return resolve(name, key, request);
  }

  /**
   * Whether a cached entry is old enough (past 3/4 of its time to live) to be refreshed now,
   * while it is still served: an image in steady use is then never answered late because its
   * entry just expired. One that is not asked for expires as usual.
   */
  private static boolean refreshDue(BoundedCache.Aged<?> entry, Duration ttl) {
    return entry.ageNanos() > ttl.toNanos() / 4 * 3;
  }

  private CompletableFuture<Digest> resolve(ImageName name, TagKey key, Request request) {
    return shared(resolving, key, resolvePool, request.resolving, name.domain(), () -> {
      try {
        Descriptor d = registry.withDeadline(verificationDeadline()).resolve(name);
        digests.put(key, d.digest());
        return d.digest();
      } catch (OciException e) {
        metrics.registryErrors.inc("resolve");
        throw failure(e, "resolving " + name.familiar());
      }
    });
  }

  // ---------------------------------------------------------------- digest -> verdict

  private CompletableFuture<ImageOutcome> decide(
      String asWritten, ImageName name, Digest digest, Selection selection, ScanLimits limits, Request request) {
    DecisionKey key = new DecisionKey(asWritten, Repository.of(name), digest, limits, selection.key());
    Optional<BoundedCache.Aged<Judged>> cached = decisions.getAged(key);
    if (cached.isPresent()) {
      metrics.cacheHits.inc("decision");
      if (refreshDue(cached.get(), options.decisionTtl()) && refreshing.add(key)) {
        // judged again in the background (signatures looked for again); this request keeps the current
        // verdict. A refresh the pool refuses or drops is tried again by a later request
        judged(asWritten, name, digest, selection, limits, key, background()).whenComplete((j, e) -> refreshing.remove(key));
      }
      return CompletableFuture.completedFuture(cached.get().value());
    }
    metrics.cacheMisses.inc("decision");
    return judged(asWritten, name, digest, selection, limits, key, request).thenApply(j -> (ImageOutcome) j);
  }

  private CompletableFuture<Judged> judged(
      String asWritten, ImageName name, Digest digest, Selection selection, ScanLimits limits, DecisionKey key, Request request) {
    return inspected(name, digest, limits, selection, request).thenApply(i -> {
      Judged j = judge(asWritten, name, digest, i, selection);
      decisions.put(key, j);
      return j;
    });
  }

  private CompletableFuture<Inspected> inspected(ImageName name, Digest digest, ScanLimits limits, Selection selection, Request request) {
    Repository from = Repository.of(name);
    FactsKey factsKey = new FactsKey(digest, limits, selection.needsPackages());
    EvidenceKey evidenceKey = new EvidenceKey(from, digest);
    boolean wantEvidence = selection.needsEvidence();
    Optional<Facts> knownFacts = facts.get(factsKey);
    (knownFacts.isPresent() ? metrics.cacheHits : metrics.cacheMisses).inc("facts");
    Optional<Found> knownEvidence = Optional.empty();
    boolean evidenceFresh = false;
    if (wantEvidence) {
      knownEvidence = evidence.get(evidenceKey);
      // evidence is looked for again when a decision is refreshed (at 3/4 of its time to live)
      evidenceFresh = knownEvidence.isPresent() && System.nanoTime() - knownEvidence.get().collectedNanos() < options.decisionTtl().toNanos() / 4 * 3;
      (evidenceFresh ? metrics.cacheHits : metrics.cacheMisses).inc("evidence");
    }
    if (knownFacts.isPresent() && (!wantEvidence || evidenceFresh)) {
      return CompletableFuture.completedFuture(new Inspected(knownFacts.get(), wantEvidence ? knownEvidence : Optional.empty()));
    }
    Optional<Found> before = knownEvidence;
    return shared(inspecting, new ReadKey(from, factsKey, wantEvidence), inspectPool, request.reading, from.registry(), () -> {
      long start = System.nanoTime();
      try {
        Inspected i = read(name, digest, factsKey, wantEvidence, knownFacts);
        metrics.verifications.inc("ok");
        if (i.facts().images().stream().noneMatch(f -> f.walk().failed())) {
          facts.put(factsKey, i.facts()); // a failed walk may be this registry's doing: not the digest's fact (class comment)
        }
        i.evidence().ifPresent(found -> evidence.put(evidenceKey, found));
        return i;
      } catch (UnverifiableException e) {
        metrics.verifications.inc("unverifiable");
        if (knownFacts.isPresent() && before.isPresent()) {
          // the signatures could not be looked for again: keep those found before in this same
          // repository rather than refuse every pod of an image whose bytes are known while its
          // registry is down. Never without any: "no signature found" would then stand for "could
          // not look" (the failure mode decides that)
          Found stale = new Found(before.get().images(), before.get().perImage(), System.nanoTime());
          evidence.put(evidenceKey, stale);
          return new Inspected(knownFacts.get(), Optional.of(stale));
        }
        throw e;
      } finally {
        metrics.verificationTime.observe((System.nanoTime() - start) / 1e9);
      }
    });
  }

  /**
   * Reads the image by digest from its repository: facts unless {@code known} has them, and the
   * evidence stored there when {@code wantEvidence}.
   */
  private Inspected read(ImageName name, Digest digest, FactsKey key, boolean wantEvidence, Optional<Facts> known) {
    ImageName pinned = name.withDigest(digest);
    String reference = pinned.toString();
    Deadline deadline = verificationDeadline();
    // every registry request of this read (manifests, layers, signatures, referrers) ends by it
    RegistryClient registry = this.registry.withDeadline(deadline);
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
    List<Digest> imageDigests = new ArrayList<>();
    List<Evidence> found = new ArrayList<>();
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
      try {
        imageDigests.add(image.descriptor().digest());
      } catch (OciException e) {
        throw failure(e, "reading " + pinned.familiar());
      }
      if (wantEvidence) {
        found.add(evidence(registry, artifact, image, reference, attached));
      }
    }
    if (source.failure().isPresent()) {
      // the walk may have turned the registry's failure into an integrity finding: not a verdict
      metrics.registryErrors.inc("read");
      throw new UnverifiableException("reading " + pinned.familiar() + ": " + source.failure().get());
    }
    Facts read = known.orElse(new Facts(imageFacts, problems));
    return new Inspected(read, wantEvidence ? Optional.of(new Found(imageDigests, found, System.nanoTime())) : Optional.empty());
  }

  /**
   * The signatures and attestations of one image (and of the index it was named by), as stored,
   * and what is attached to it unsigned. Not being able to look is not "unsigned": the failure mode decides,
   * as for an image that cannot be read. Attached content whose bytes do not match its digest is
   * an integrity failure, denied whatever the failure mode.
   */
  private Evidence evidence(RegistryClient registry, Artifact subject, Image image, String reference, EvidenceProvider attached) {
    // a pod spec's bare name (nginx:1.25) means its registry, where the signatures are too. Nothing
    // is trusted here: what is found is judged per verdict, with the keys of its policies or the
    // --key files of its generation. A signature is required only where a policy says so
    // (signature-required): --key only says whom the rules without keys of their own trust
    EvidenceProvider signatures = new SignatureEvidence(SignatureStores.registryOnly(registry), TrustPolicy.none(), false);
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
    List<ImageFacts> images = inspected.facts().images();
    List<Issue> violations = new ArrayList<>(inspected.facts().problems());
    List<Issue> warnings = new ArrayList<>();
    boolean several = images.size() > 1;
    for (int i = 0; i < images.size(); i++) {
      ImageFacts f = images.get(i);
      // facts are cached by digest; the reference and name are the request's (exceptions match on them)
      ImageFacts asRequested = new ImageFacts(asWritten, Optional.of(name), f.walk(), f.base(), f.facts(), f.packages());
      // evidence only where the policies asked for it, so an image's verdict never depends on
      // whether another namespace's policy happened to look for its signatures first; judged now,
      // with the trust of this selection's generation. --key is not required of the image (unlike
      // jscan verify --key): it says whom the rules without keys of their own trust, so a signature
      // that a rule trusts with its own keys is not vetoed by it (issue 15)
      Evidence evidence = selection.needsEvidence()
          ? SignatureEvidence.judged(evidenceOf(inspected.evidence().orElseThrow(), i, f), selection.serverTrust(), false)
          : Evidence.none();
      ImageReport report = verifier.evaluate(asRequested, evidence, selection.policies(), Optional.empty(), List.of(), now);
      String prefix = several ? report.platform().map(p -> p + ": ").orElse("") : "";
      for (Finding finding : report.findings()) {
        // an integrity finding says which part failed (layer 2 sha256:…, config …): the one line
        // kubectl shows must name the corrupt layer, as jscan verify's report does
        String where = finding.category() == io.jscan.verifier.Category.INTEGRITY
            ? finding.location().map(l -> l.describe() + ": ").orElse("") : "";
        Issue issue = new Issue(finding.rule(), finding.policy(), prefix + where + finding.message());
        if (finding.blocking()) {
          violations.add(issue);
        } else if (finding.mode() == Mode.WARN && finding.suppression().isEmpty() && finding.policy().isPresent()) {
          warnings.add(issue); // a rule in warn mode; the walk's own observations stay out of kubectl's output
        }
      }
    }
    return new Judged(digest, violations, warnings);
  }

  /**
   * The evidence of the {@code i}th image. The facts and the evidence may come from different reads
   * (the facts from another repository's copy of the digest), so that they are about the same image
   * is checked rather than assumed; both list an index's images in its order, so they always are.
   */
  private static Evidence evidenceOf(Found found, int i, ImageFacts facts) {
    Digest image = facts.walk().manifestCheck().digest();
    if (found.images().size() <= i || !found.images().get(i).equals(image)) {
      throw new IllegalStateException("the evidence found does not list the images of the facts in the same order (" + found.images() + ")");
    }
    return found.perImage().get(i);
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * How long one verification (or tag resolution) may take, its registry requests, retries and
   * layer reads included: it goes on after the request that started it was answered, to fill the
   * caches for the API server's retry, but not for ever.
   */
  private Deadline verificationDeadline() {
    return Deadline.in(options.verifyTimeout(), "the verification timeout of " + Durations.format(options.verifyTimeout()));
  }

  private static RuntimeException failure(OciException e, String what) {
    if (e.kind() == FailureKind.INTEGRITY) {
      return new RejectedException(what + ": " + e.getMessage());
    }
    return new UnverifiableException(what + ": " + e.getMessage());
  }

  /**
   * Runs {@code work} once for concurrent callers with the same key, in the turn of the first
   * request that needs it ({@link FairPool}: a request that joins a task not yet started queues it in
   * its own turn too); {@code registry} is where the work goes, for the per-registry limit.
   */
  private static <K, V> CompletableFuture<V> shared(
      Map<K, FairPool.Task<V>> inflight, K key, FairPool pool, FairPool.Requester requester, String registry, Supplier<V> work) {
    boolean[] created = {false};
    FairPool.Task<V> task = inflight.computeIfAbsent(key, k -> {
      created[0] = true;
      return pool.submit(requester, registry, work);
    });
    if (created[0]) {
      // outside computeIfAbsent: a task refused at once completes now, and its callback removes it
      task.future().whenComplete((v, e) -> inflight.remove(key, task));
    } else {
      pool.join(task, requester);
    }
    return task.future();
  }

  /** How many entries each cache holds (for the metrics). */
  public int cachedFacts() {
    return facts.size();
  }

  public int cachedEvidence() {
    return evidence.size();
  }

  public int cachedDecisions() {
    return decisions.size();
  }

  /** Images waiting for or being verified. */
  public int pending() {
    return inspectPool.queued() + inspectPool.running();
  }

  /** Stops the pools; verifications under way are interrupted. */
  @Override
  public void close() {
    resolvePool.shutdown(0);
    inspectPool.shutdown(5000);
  }
}
