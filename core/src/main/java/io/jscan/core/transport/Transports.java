package io.jscan.core.transport;

import io.jscan.core.image.Artifact;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageReference.DockerArchiveReference;
import io.jscan.core.transport.ImageReference.OciLayoutReference;
import io.jscan.core.transport.ImageReference.RegistryReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.dockerarchive.DockerArchive;
import io.jscan.core.transport.dockerarchive.DockerArchiveWriter;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.registry.RegistryException;
import io.jscan.core.transport.registry.RegistryOptions;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.json.OciJson;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads and writes artifacts by {@link ImageReference}, whatever the transport: the one place
 * that maps a reference to its source or sink. Sources yield an {@link Artifact}; sinks accept
 * any artifact, from any source.
 *
 * <pre>{@code
 * try (LocalStore store = LocalStore.openDefault()) {
 *   Transports transports = new Transports(store);
 *   Artifact a = transports.read(ImageReference.parse("docker-archive:app.tar"));
 *   transports.write(a, ImageReference.parse("oci:out:1.0"));
 * }
 * }</pre>
 */
public final class Transports {
  private static final Duration COMPARE_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final long COMPARE_WAIT_SECONDS = 20;

  private final LocalStore store;
  private RegistryClient registry;

  /**
   * @param store the local store bare names refer to; registries are reached with
   *     {@link RegistryOptions#fromEnvironment} (Docker's credentials, {@code JSCAN_INSECURE_REGISTRIES})
   */
  public Transports(LocalStore store) {
    this.store = store;
  }

  /**
   * @param store the local store bare names refer to
   * @param registry the client for registry references and names the store does not have
   */
  public Transports(LocalStore store, RegistryClient registry) {
    this.store = store;
    this.registry = java.util.Objects.requireNonNull(registry, "registry");
  }

  /**
   * Transports for a command that opens no local store (verifying an {@code oci:} layout, a
   * docker-archive or {@code docker://NAME} writes nothing to {@code $JSCAN_HOME}): store
   * references are refused.
   */
  public static Transports withoutStore(RegistryClient registry) {
    return new Transports(null, registry);
  }

  /** What the local store proved about layer blobs; none without a store. */
  private io.jscan.core.image.DiffIdRecords diffIdRecords() {
    return store == null ? io.jscan.core.image.DiffIdRecords.NONE : store.diffIdRecords();
  }

  /** The local store; bad input when these transports have none ({@link #withoutStore}). */
  private LocalStore store(ImageReference ref) throws OciException {
    if (store == null) {
      throw OciException.badInput("image " + ref, "the local store is not open here");
    }
    return store;
  }

  /** The local store (null for {@link #withoutStore}). */
  public LocalStore store() {
    return store;
  }

  /** The registry client (created on first use when none was given). */
  public synchronized RegistryClient registry() {
    if (registry == null) {
      registry = new RegistryClient(RegistryOptions.fromEnvironment(System.getenv()));
    }
    return registry;
  }

  /** What a reference resolved to: the artifact (lazy) and which copy of it that is. */
  public record Resolved(ImageReference reference, Artifact artifact, ImageCopy copy) {
    public Resolved {
      java.util.Objects.requireNonNull(reference, "reference");
      java.util.Objects.requireNonNull(artifact, "artifact");
      java.util.Objects.requireNonNull(copy, "copy");
    }
  }

  /**
   * The artifact {@code ref} names (lazy: blobs are read when used, and verified then); see
   * {@link #resolve}.
   */
  public Artifact read(ImageReference ref) throws OciException {
    return resolve(ref).artifact();
  }

  /**
   * Whether a store reference is read from the local store (a bare digest always; a name when the
   * store has it) rather than from the registry the name points at. The one place that decides,
   * so that {@link #resolve}, {@link #referrers} and the signature lookup agree.
   */
  public boolean readsStore(StoreReference ref) throws OciException {
    return ref.name().isEmpty() || store(ref).resolve(ref).isPresent();
  }

  /**
   * What {@code ref} names and which copy that is.
   *
   * <p>A store reference by name that the store does not have is read from the registry the
   * name points at ({@code myapp:1.0} from Docker Hub, {@code localhost:5000/app:1} from
   * there); registry artifacts stream their blobs and store nothing. A bare digest only means
   * the store. The copy is not compared with any registry here; {@link #compare} does that.
   */
  public Resolved resolve(ImageReference ref) throws OciException {
    // Java 17 has no pattern switch; a new transport must be added here (the interface is sealed)
    if (ref instanceof OciLayoutReference oci) {
      Artifact a = OciLayout.open(oci.directory()).resolve(oci.refName(), oci.digest());
      // the layout's entry as written (DIR:REF or DIR@DIGEST): a ref name need not be an image name
      String entry = ref.toString().substring(ImageReference.OCI_PREFIX.length());
      return new Resolved(ref, a, ImageCopy.uncompared(
          ImageCopy.Origin.OCI_LAYOUT, entry, Optional.empty(), a.descriptor(), "an OCI layout is read as it is"));
    }
    if (ref instanceof DockerArchiveReference archive) {
      Artifact a = DockerArchive.read(archive.file(), archive.name());
      return new Resolved(ref, a, ImageCopy.uncompared(
          ImageCopy.Origin.DOCKER_ARCHIVE, ref.toString().substring(ImageReference.DOCKER_ARCHIVE_PREFIX.length()), archive.name(),
          a.descriptor(), "a docker-archive is read as it is"));
    }
    if (ref instanceof StoreReference stored) {
      if (readsStore(stored)) {
        Artifact a = store(ref).read(stored);
        return new Resolved(ref, a, ImageCopy.uncompared(
            ImageCopy.Origin.STORE, store.home().toString(), stored.name(), a.descriptor(), whyNotCompared(stored)));
      }
      ImageName name = stored.name().get();
      Artifact a;
      try {
        a = registry().read(name);
      } catch (RegistryException e) {
        // the registry's own kind: an image that is nowhere to be had (unknown, credentials
        // refused) is bad input; a registry that cannot be reached, keeps failing or stalls past
        // a deadline is exit 1, as for pull (a registry failure is not the user's input); content
        // that does not match its digest stays an integrity failure
        throw new OciException(
            e.kind(),
            "image " + name,
            "not in the local store " + store.home() + ", and from the registry: " + e.getMessage(),
            e);
      }
      return new Resolved(ref, a, ImageCopy.uncompared(
          ImageCopy.Origin.REGISTRY, name.repository(), Optional.of(name), a.descriptor(), "read from the registry: the local store does not have it"));
    }
    if (ref instanceof RegistryReference remote) {
      Artifact a = registry().read(remote.name());
      return new Resolved(ref, a, ImageCopy.uncompared(
          ImageCopy.Origin.REGISTRY, remote.name().repository(), Optional.of(remote.name()), a.descriptor(), "read from the registry (docker://)"));
    }
    throw new IllegalStateException("unhandled transport " + ref.transport());
  }

  /** Why a store copy is not compared with a registry, when that can be told from the reference alone. */
  private static String whyNotCompared(StoreReference stored) {
    if (stored.name().isEmpty()) {
      return "a bare digest means the local store only";
    }
    ImageName name = stored.name().get();
    if (name.digest().isPresent()) {
      return "the name pins a digest, and every copy of " + name.digest().get() + " is the same image";
    }
    if (!stored.hostWritten()) {
      return "a short name (no registry host) means the local image, as with docker and podman; write "
          + name + " to compare";
    }
    return "not asked";
  }

  /**
   * {@code resolved}'s copy compared with its registry's, when it is a local store copy of a name
   * written with its registry host and a tag ({@code registry.example/app:1}): one {@code HEAD}
   * of the manifest (a {@code GET} when the registry's tag names an index, to see whether it lists
   * the store's image), no blobs. The registry is asked with few retries and a short connection
   * timeout, and a registry that cannot be asked gives {@link ImageCopy.RegistryComparison.Unavailable}:
   * the comparison informs, it never fails a command, and it must not hold up an offline CI job.
   *
   * <p>Short names ({@code app:1}, {@code team/app:1}) are not compared: docker and podman take
   * them for local images first, and asking Docker Hub about every local image would send
   * requests (and rate-limit counts) nobody meant. Digests are not compared: they name one image.
   */
  public ImageCopy compare(Resolved resolved) {
    ImageCopy copy = resolved.copy();
    Optional<ImageName> comparable = comparableName(resolved);
    if (comparable.isEmpty()) {
      return copy;
    }
    ImageName name = comparable.get();
    RegistryClient quick = quickClient();
    Digest ours = copy.descriptor().digest();
    try {
      Optional<Descriptor> theirs = quick.head(name);
      if (theirs.isEmpty()) {
        return copy.withRegistry(new ImageCopy.RegistryComparison.Absent(name));
      }
      Descriptor t = theirs.get();
      if (t.digest().equals(ours)) {
        return copy.withRegistry(new ImageCopy.RegistryComparison.Same(name, t.digest()));
      }
      if (MediaTypes.isIndex(t.mediaType()) && !MediaTypes.isIndex(copy.descriptor().mediaType())) {
        // a pull of one platform stores that platform's image under the index's tag
        RegistryClient.FetchedManifest index = quick.fetchManifest(name, t.digest().toString());
        IndexManifest parsed = OciJson.parseIndex(index.bytes(), "index " + t.digest(), Optional.of(index.descriptor().mediaType()));
        for (Descriptor child : parsed.manifests()) {
          if (child.digest().equals(ours)) {
            return copy.withRegistry(new ImageCopy.RegistryComparison.InIndex(name, t.digest(), child.platform()));
          }
        }
      }
      return copy.withRegistry(new ImageCopy.RegistryComparison.Differs(name, t.digest()));
    } catch (OciException e) {
      return copy.withRegistry(new ImageCopy.RegistryComparison.Unavailable(name, e.getMessage()));
    }
  }

  /** The name {@link #compare} asks the registry about: a store copy's tagged name, written with its registry host. */
  private static Optional<ImageName> comparableName(Resolved resolved) {
    if (resolved.copy().origin() != ImageCopy.Origin.STORE || !(resolved.reference() instanceof StoreReference stored)) {
      return Optional.empty();
    }
    return stored.name().filter(n -> n.digest().isEmpty() && stored.hostWritten());
  }

  /**
   * {@link #compare} on a daemon thread, so the registry's answer arrives while the command works.
   * A registry that accepts the connection and then says nothing gives
   * {@link ImageCopy.RegistryComparison.Unavailable} after {@value #COMPARE_WAIT_SECONDS} s.
   */
  public CompletableFuture<ImageCopy> compareInBackground(Resolved resolved) {
    CompletableFuture<ImageCopy> result = new CompletableFuture<>();
    Optional<ImageName> comparable = comparableName(resolved);
    if (comparable.isEmpty()) {
      result.complete(resolved.copy());
      return result;
    }
    Thread t = new Thread(() -> {
      try {
        result.complete(compare(resolved));
      } catch (RuntimeException e) {
        // a comparison never fails the command that asked for it
        result.complete(resolved.copy().withRegistry(new ImageCopy.RegistryComparison.Unavailable(comparable.get(), String.valueOf(e))));
      }
    }, "jscan-compare");
    t.setDaemon(true);
    t.start();
    // never longer than the command's deadline allows: the comparison is advice
    long waitNanos = Math.min(TimeUnit.SECONDS.toNanos(COMPARE_WAIT_SECONDS), registry().deadline().remainingNanos());
    ImageCopy silent = resolved.copy().withRegistry(
        new ImageCopy.RegistryComparison.Unavailable(comparable.get(), "no answer within " + io.jscan.core.text.Durations.format(
            java.time.Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(waitNanos)))));
    return result.completeOnTimeout(silent, waitNanos, TimeUnit.NANOSECONDS);
  }

  /** A client that gives up soon: 2 tries, 5 s to connect (the comparison is advice, see {@link #compare}). */
  private RegistryClient quickClient() {
    RegistryOptions o = registry().options();
    Duration connect = o.connectTimeout().compareTo(COMPARE_CONNECT_TIMEOUT) < 0 ? o.connectTimeout() : COMPARE_CONNECT_TIMEOUT;
    return new RegistryClient(
        o.withRetry(o.retry().withMaxAttempts(Math.min(2, o.retry().maxAttempts()))).withConnectTimeout(connect))
        .withDeadline(registry().deadline());
  }

  /**
   * Where the artifacts attached to what {@code ref} names are kept (OCI 1.1 referrers), beside
   * the copy {@link #resolve} reads: the OCI layout, the local store (or, for a name the store
   * does not have, its registry repository), the registry repository. A docker-archive holds none
   * (empty).
   */
  public Optional<io.jscan.core.image.Referrers> referrers(ImageReference ref) throws OciException {
    if (ref instanceof OciLayoutReference oci) {
      return Optional.of(OciLayout.open(oci.directory()).referrers());
    }
    if (ref instanceof StoreReference stored) {
      return Optional.of(readsStore(stored) ? store(ref).referrers() : registry().referrers(stored.name().get()));
    }
    if (ref instanceof RegistryReference remote) {
      return Optional.of(registry().referrers(remote.name()));
    }
    return Optional.empty();
  }

  /**
   * Writes {@code artifact} with every blob it references to {@code ref}: into an OCI layout
   * (created if needed) under the ref name, as a docker-archive file (replaced atomically), into
   * the store under the name, or to a registry (pushed).
   */
  public void write(Artifact artifact, ImageReference ref) throws OciException {
    if (ref instanceof OciLayoutReference oci) {
      if (oci.digest().isPresent()) {
        throw OciException.badInput("destination " + ref, "cannot write to a digest; name the image (oci:DIR:REF)");
      }
      OciLayout.create(oci.directory()).withDiffIdRecords(diffIdRecords()).write(artifact, oci.refName());
    } else if (ref instanceof DockerArchiveReference archive) {
      DockerArchiveWriter.write(
          archive.file(),
          List.of(new DockerArchiveWriter.Item(artifact, archive.name().map(List::of).orElse(List.of()))),
          Platform.host(),
          diffIdRecords());
    } else if (ref instanceof StoreReference stored) {
      if (stored.name().isEmpty()) {
        throw OciException.badInput("destination " + ref, "cannot write to a digest; give a name");
      }
      store(ref).write(artifact, List.of(stored.name().get()));
    } else if (ref instanceof RegistryReference remote) {
      registry().push(artifact, remote.name(), diffIdRecords());
    } else {
      throw new IllegalStateException("unhandled transport " + ref.transport());
    }
  }
}
