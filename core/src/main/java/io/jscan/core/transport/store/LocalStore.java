package io.jscan.core.transport.store;

import io.jscan.core.image.Artifact;
import io.jscan.core.image.AttachedTags;
import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * jscan's local image store at {@code $JSCAN_HOME} (default {@code ~/.local/share/jscan}).
 *
 * <p>The store <em>is</em> an OCI image layout: every image is an entry of {@code index.json}
 * whose {@code org.opencontainers.image.ref.name} is its fully normalised name
 * ({@code docker.io/library/myapp:1.0}), so other tools read it directly
 * ({@code skopeo inspect oci:$JSCAN_HOME:docker.io/library/myapp:1.0}). jscan's private state is
 * under {@code .jscan/}: lock files, per-process temp directories, the {@link LayerCache}.
 *
 * <p><b>Concurrency.</b> Two processes may use one store at once:
 * <ul>
 *   <li>blob writes need no lock: each is a temp file renamed into place, and equal names hold
 *       equal content;
 *   <li>{@code .jscan/index.lock} (exclusive) serialises index.json read-modify-write cycles, so no
 *       update is lost;
 *   <li>{@code .jscan/gc.lock} is held shared by every writer from its first blob to its index
 *       update, and exclusively by garbage collection, so a collection never deletes the blobs of an
 *       image that is being written but not yet in index.json.
 * </ul>
 * Locks are always taken in that order (gc, then index). Readers take no lock: index.json is
 * replaced atomically, so they see one version or the next. (A read of an image that another
 * process removes meanwhile fails with a missing-blob error, as with docker.)
 *
 * <p><b>Crashes.</b> A process killed at any point leaves a readable store (see
 * {@link OciLayout}); its temp directory under {@code .jscan/tmp/} is removed by the next process
 * that opens the store, once nobody holds that directory's lock.
 */
public final class LocalStore implements AutoCloseable {
  /** System property that overrides {@code $JSCAN_HOME} (tests set it; environment variables cannot be set in-process). */
  public static final String HOME_PROPERTY = "jscan.home";
  public static final String HOME_ENV = "JSCAN_HOME";
  static final String PRIVATE_DIR = ".jscan";
  /** A temp directory still being created is left alone this long: its owner may not have locked it yet. */
  private static final Duration STALE_AFTER = Duration.ofMinutes(1);
  private static final String CREATING_SUFFIX = ".creating";
  /** Session directories owned by this JVM: cleanup must never open their lock files (see {@link FileLocks}). */
  private static final Set<Path> OWN_SESSIONS = ConcurrentHashMap.newKeySet();

  private final Path home;
  private final Path privateDir;
  private final Path session;
  private final FileChannel sessionChannel;
  private final FileLock sessionLock;
  private final OciLayout layout;
  private final LayerCache layerCache;
  private final StoreDiffIdRecords diffIds;

  private LocalStore(Path home, Path session, FileChannel sessionChannel, FileLock sessionLock) throws OciException {
    this.home = home;
    this.privateDir = home.resolve(PRIVATE_DIR);
    this.session = session;
    this.sessionChannel = sessionChannel;
    this.sessionLock = sessionLock;
    this.diffIds = new StoreDiffIdRecords(privateDir.resolve("diff-ids"), session);
    // created under the index lock: two first uses at once must not both write an empty index.json
    try (FileLocks.Held index = FileLocks.exclusive(privateDir.resolve("index.lock"))) {
      this.layout = OciLayout.create(home, session).withDiffIdRecords(diffIds);
    } catch (IOException e) {
      throw OciException.io("opening the image store " + home, e);
    }
    this.layerCache = new LayerCache(this, privateDir.resolve("layer-cache"));
  }

  /**
   * Where the store is: {@code -Djscan.home}, else {@code $JSCAN_HOME}, else
   * {@code $XDG_DATA_HOME/jscan}, else {@code ~/.local/share/jscan}.
   */
  public static Path defaultHome() {
    String property = System.getProperty(HOME_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Paths.get(property);
    }
    String env = System.getenv(HOME_ENV);
    if (env != null && !env.isBlank()) {
      return Paths.get(env);
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Paths.get(xdg, "jscan");
    }
    return Paths.get(System.getProperty("user.home"), ".local", "share", "jscan");
  }

  /** Opens the store at {@link #defaultHome()}. */
  public static LocalStore openDefault() throws OciException {
    return open(defaultHome());
  }

  /** Opens (creating it if needed) the store at {@code home}, and removes stale temp directories. */
  public static LocalStore open(Path home) throws OciException {
    Path root = home.toAbsolutePath().normalize();
    Path tmp = root.resolve(PRIVATE_DIR).resolve("tmp");
    String id = UUID.randomUUID().toString();
    Path creating = tmp.resolve("." + id + CREATING_SUFFIX);
    Path session = tmp.resolve(id);
    FileChannel channel = null;
    try {
      // the directory gets its name only once its lock is held, so a cleaner that finds it
      // unlocked knows its owner is gone; the lock stays on the file through the rename
      Files.createDirectories(creating);
      channel = FileChannel.open(creating.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.lock();
      OWN_SESSIONS.add(session);
      Files.move(creating, session, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      cleanStaleSessions(tmp);
      return new LocalStore(root, session, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      OWN_SESSIONS.remove(session);
      throw OciException.io("opening the image store " + home, e);
    } catch (OciException | RuntimeException e) {
      closeQuietly(channel);
      OWN_SESSIONS.remove(session);
      throw e;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }

  /**
   * Removes temp directories whose owner is gone: their lock file can be locked. A directory still
   * being created (dot name) is only removed once it is old: its creator may be between mkdir and lock.
   */
  private static void cleanStaleSessions(Path tmp) throws IOException {
    Instant cutoff = Instant.now().minus(STALE_AFTER);
    try (DirectoryStream<Path> sessions = Files.newDirectoryStream(tmp)) {
      for (Path dir : sessions) {
        if (OWN_SESSIONS.contains(dir) || !Files.isDirectory(dir)) {
          continue;
        }
        try {
          if (dir.getFileName().toString().startsWith(".")) {
            if (Files.getLastModifiedTime(dir).toInstant().isBefore(cutoff)) {
              AtomicFiles.deleteTree(dir);
            }
            continue;
          }
          if (!Files.exists(dir.resolve("lock"))) {
            AtomicFiles.deleteTree(dir); // half-deleted by a cleaner that was itself interrupted
            continue;
          }
          try (FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock != null) {
              try {
                AtomicFiles.deleteTree(dir);
              } finally {
                lock.release();
              }
            }
          }
        } catch (OverlappingFileLockException | IOException | java.io.UncheckedIOException inUseOrGone) {
          // held in this JVM, or being removed by another process: cleaning is best effort
        }
      }
    }
  }

  public Path home() {
    return home;
  }

  /** The store's OCI layout (read freely; write through this class, which takes the locks). */
  public OciLayout layout() {
    return layout;
  }

  public LayerCache layerCache() {
    return layerCache;
  }

  /**
   * What decompressing the store's layer blobs proved (their compression and diff_id), kept under
   * {@code .jscan/diff-ids/}: copies into the store check a layer it has against these instead of
   * reading it again, and {@code push} and {@code save} check the layers they send with them.
   */
  public DiffIdRecords diffIdRecords() {
    return diffIds;
  }

  /**
   * This process's private temp directory inside the store (same file system as the blobs, so a
   * file staged here can be renamed into place). It is removed when the store is closed, or by the
   * next process that opens the store if this one was killed; the builder keeps unfinished layers here.
   */
  public Path tempDir() {
    return session;
  }

  FileLocks.Held lockForWriting() throws IOException {
    return FileLocks.shared(privateDir.resolve("gc.lock"));
  }

  private FileLocks.Held lockForCollecting() throws IOException {
    return FileLocks.exclusive(privateDir.resolve("gc.lock"));
  }

  private FileLocks.Held lockIndex() throws IOException {
    return FileLocks.exclusive(privateDir.resolve("index.lock"));
  }

  // ---------------------------------------------------------------- reading

  /** Every entry of the store, in index.json order. */
  public List<StoreEntry> list() throws OciException {
    List<StoreEntry> result = new ArrayList<>();
    for (Descriptor d : layout.index().manifests()) {
      result.add(new StoreEntry(d.refName().flatMap(LocalStore::parseName), d));
    }
    return result;
  }

  private static Optional<ImageName> parseName(String refName) {
    try {
      return Optional.of(ImageName.parse(refName));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The entry a reference names: by name (a name with a digest matches any entry of that
   * repository with that manifest digest), or by manifest digest.
   */
  public Optional<Descriptor> resolve(StoreReference ref) throws OciException {
    List<StoreEntry> entries = list();
    if (ref.digest().isPresent()) {
      return entries.stream().map(StoreEntry::descriptor).filter(d -> d.digest().equals(ref.digest().get())).findFirst()
          .map(d -> d.withAnnotations(java.util.Map.of()))
          .or(() -> findNested(ref.digest().get()));
    }
    ImageName name = ref.name().orElseThrow();
    if (name.digest().isPresent()) {
      for (StoreEntry e : entries) {
        if (e.descriptor().digest().equals(name.digest().get())
            && e.name().isPresent()
            && e.name().get().repository().equals(name.repository())) {
          return Optional.of(e.descriptor());
        }
      }
      return Optional.empty();
    }
    for (StoreEntry e : entries) {
      if (e.name().isPresent() && e.name().get().equals(name)) {
        return Optional.of(e.descriptor());
      }
    }
    return Optional.empty();
  }

  private Optional<Descriptor> findNested(Digest digest) {
    try {
      return layout.find(digest);
    } catch (OciException e) {
      return Optional.empty();
    }
  }

  /** The artifact a reference names; bad input when the store has no such image. */
  public Artifact read(StoreReference ref) throws OciException {
    Descriptor d =
        resolve(ref).orElseThrow(() -> OciException.badInput("image " + ref, "not in the local store " + home));
    return layout.artifact(d);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code artifact}'s blobs (verified) and records it under each of {@code names} (which
   * move if they named another image), or as an unnamed entry when {@code names} is empty.
   */
  public Descriptor write(Artifact artifact, List<ImageName> names) throws OciException {
    return write(artifact, names, 1);
  }

  /**
   * As {@link #write(Artifact, List)}, copying up to {@code parallelism} blobs at once (a registry
   * pull). The names are written only once every blob is in; a failure leaves no name changed.
   */
  public Descriptor write(Artifact artifact, List<ImageName> names, int parallelism) throws OciException {
    for (ImageName n : names) {
      requireTagged(n);
    }
    Descriptor top = artifact.descriptor();
    try (FileLocks.Held gc = lockForWriting()) {
      layout.writeBlobs(artifact, parallelism);
      try (FileLocks.Held index = lockIndex()) {
        layout.updateIndex(entries -> withNames(entries, top, names));
      }
    } catch (IOException e) {
      throw OciException.io("image store " + home, e);
    }
    return top;
  }

  /**
   * The OCI 1.1 artifacts (SBOMs, provenance, Sigstore bundles) attached to the store's images:
   * unnamed entries of its index, written under the store's locks; {@code jscan images} does not
   * list them, and removing an image removes them.
   */
  public io.jscan.core.transport.ocilayout.LayoutReferrers referrers() {
    return new io.jscan.core.transport.ocilayout.LayoutReferrers(layout, (artifact, listed, replaced) -> {
      try (FileLocks.Held gc = lockForWriting()) {
        layout.writeBlobs(artifact);
        try (FileLocks.Held index = lockIndex()) {
          layout.updateIndex(entries -> OciLayout.withReferrer(entries, listed, replaced));
        }
      } catch (IOException e) {
        throw OciException.io("image store " + home, e);
      }
    });
  }

  /** Gives the image {@code source} names the additional name {@code target}. */
  public Descriptor tag(StoreReference source, ImageName target) throws OciException {
    requireTagged(target);
    try (FileLocks.Held gc = lockForWriting(); FileLocks.Held index = lockIndex()) {
      Descriptor d =
          resolve(source).orElseThrow(() -> OciException.badInput("image " + source, "not in the local store " + home));
      layout.updateIndex(entries -> withNames(entries, d, List.of(target)));
      return d;
    } catch (IOException e) {
      throw OciException.io("image store " + home, e);
    }
  }

  private static void requireTagged(ImageName n) throws OciException {
    if (n.digest().isPresent()) {
      throw OciException.badInput("image name " + n, "a store name has a tag, not a digest");
    }
  }

  /** Entries with {@code names} (re)pointed at {@code top}. */
  private static List<Descriptor> withNames(List<Descriptor> entries, Descriptor top, List<ImageName> names) {
    Set<String> refNames = new LinkedHashSet<>();
    for (ImageName n : names) {
      refNames.add(n.toString());
    }
    List<Descriptor> result = new ArrayList<>();
    boolean unnamedPresent = false;
    for (Descriptor d : entries) {
      if (d.refName().isPresent() && refNames.contains(d.refName().get())) {
        continue; // the name moves to the new image
      }
      if (d.refName().isEmpty() && d.digest().equals(top.digest())) {
        if (!refNames.isEmpty()) {
          continue; // a named entry now keeps the image
        }
        unnamedPresent = true;
      }
      result.add(d);
    }
    if (refNames.isEmpty()) {
      boolean namedPresent = result.stream().anyMatch(d -> d.digest().equals(top.digest()));
      if (!unnamedPresent && !namedPresent) {
        result.add(OciLayout.entryFor(top, Optional.empty()));
      }
    }
    for (String name : refNames) {
      result.add(OciLayout.entryFor(top, Optional.of(name)));
    }
    return result;
  }

  /**
   * What {@link #remove} did.
   *
   * @param untagged the names removed: those asked for, then the signature, attestation and SBOM
   *     tags that went with their image
   * @param deletedBlobs the blobs garbage collection then deleted
   */
  public record Removal(List<String> untagged, List<Digest> deletedBlobs) {}

  /**
   * Removes names (by name: that name; by digest: every entry of that manifest), then what is
   * attached to an image no name keeps any more (its {@code .sig}, {@code .att}, {@code .sbom} tags
   * and referrers, see {@link #dropOrphanedAttachments}), and collects the blobs nothing references
   * any more. All references must exist, or nothing is removed.
   */
  public Removal remove(List<StoreReference> refs) throws OciException {
    try (FileLocks.Held gc = lockForCollecting(); FileLocks.Held index = lockIndex()) {
      List<Descriptor> entries = new ArrayList<>(layout.index().manifests());
      List<String> untagged = new ArrayList<>();
      for (StoreReference ref : refs) {
        List<Descriptor> matching = new ArrayList<>();
        for (Descriptor d : entries) {
          if (matches(ref, d)) {
            matching.add(d);
          }
        }
        if (matching.isEmpty()) {
          throw OciException.badInput("image " + ref, "not in the local store " + home);
        }
        for (Descriptor d : matching) {
          entries.remove(d);
          untagged.add(d.refName().orElse(d.digest().toString()));
        }
      }
      untagged.addAll(dropOrphanedAttachments(entries));
      List<Descriptor> remaining = List.copyOf(entries);
      layout.updateIndex(ignored -> remaining);
      List<Digest> deleted = layout.gc(layerCache.roots());
      diffIds.forget(deleted);
      return new Removal(untagged, deleted);
    } catch (IOException e) {
      throw OciException.io("image store " + home, e);
    }
  }

  /**
   * Removes what is attached to images no longer in the store, and returns the names it removed:
   * the unnamed entries with an artifact type ({@link #referrers}: an image's SBOM and provenance go
   * with it) and the named entries whose tag attaches content to a digest ({@link AttachedTags}:
   * cosign's {@code sha256-<hex>.sig}, {@code .att}, {@code .sbom}, the referrers tag schema's
   * index). An image stays while any entry that is not an attachment keeps it (another name, an
   * unnamed image, an index listing it); content attached to an attachment (a signature on an SBOM
   * referrer) stays exactly as long as that attachment does.
   */
  private List<String> dropOrphanedAttachments(List<Descriptor> entries) throws OciException {
    Set<Digest> kept = new java.util.HashSet<>();
    List<Attachment> attachments = new ArrayList<>();
    for (Descriptor d : entries) {
      Optional<Attachment> attachment = attachmentOf(d);
      if (attachment.isPresent()) {
        attachments.add(attachment.get());
        continue;
      }
      kept.add(d.digest());
      if (MediaTypes.isIndex(d.mediaType()) && layout.hasBlob(d.digest())) {
        // an index keeps its platform images, which attachments may name as their subject
        ((io.jscan.core.image.ImageIndex) layout.artifact(d)).index().manifests().forEach(c -> kept.add(c.digest()));
      }
    }
    // attachments of attachments: keep whatever hangs, however indirectly, from a kept image
    Set<Attachment> keptAttachments = new java.util.HashSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Attachment a : attachments) {
        if (!keptAttachments.contains(a) && (a.subject().isEmpty() || kept.contains(a.subject().get()))) {
          keptAttachments.add(a);
          kept.add(a.entry().digest());
          grew = true;
        }
      }
    }
    List<String> removed = new ArrayList<>();
    for (Attachment a : attachments) {
      if (!keptAttachments.contains(a)) {
        entries.remove(a.entry());
        a.entry().refName().ifPresent(removed::add);
      }
    }
    return removed;
  }

  /**
   * An index entry that is attached to an image rather than an image.
   *
   * @param subject the image it is attached to; empty for an unnamed artifact whose manifest names
   *     none (kept: nothing says what it belongs to)
   */
  private record Attachment(Descriptor entry, Optional<Digest> subject) {}

  /** The entry as an attachment, or empty when it is an image (named or not). */
  private Optional<Attachment> attachmentOf(Descriptor d) throws OciException {
    if (d.refName().isPresent()) {
      return parseName(d.refName().get()).flatMap(ImageName::tag).flatMap(AttachedTags::subjectOf)
          .map(subject -> new Attachment(d, Optional.of(subject)));
    }
    if (d.artifactType().isEmpty()) {
      return Optional.empty();
    }
    Optional<Digest> subject = Optional.empty();
    if (MediaTypes.isImageManifest(d.mediaType()) && layout.hasBlob(d.digest())) {
      subject = ((io.jscan.core.image.Image) layout.artifact(d)).manifest().subject().map(Descriptor::digest);
    }
    return Optional.of(new Attachment(d, subject));
  }

  /**
   * Whether an index entry is attached to an image (a signature, attestation, SBOM or referrer, see
   * {@link #remove}) rather than an image: what {@code jscan images} leaves out.
   */
  public static boolean isAttachment(StoreEntry entry) {
    if (entry.name().isPresent()) {
      return entry.name().get().tag().flatMap(AttachedTags::subjectOf).isPresent();
    }
    return entry.descriptor().artifactType().isPresent();
  }

  private static boolean matches(StoreReference ref, Descriptor d) {
    if (ref.digest().isPresent()) {
      return d.digest().equals(ref.digest().get());
    }
    ImageName name = ref.name().orElseThrow();
    Optional<ImageName> entryName = d.refName().flatMap(LocalStore::parseName);
    if (name.digest().isPresent()) {
      return d.digest().equals(name.digest().get())
          && entryName.isPresent()
          && entryName.get().repository().equals(name.repository());
    }
    return entryName.isPresent() && entryName.get().equals(name);
  }

  /** Deletes every blob that no entry and no layer-cache entry reaches; returns their digests. */
  public List<Digest> gc() throws OciException {
    try (FileLocks.Held gc = lockForCollecting(); FileLocks.Held index = lockIndex()) {
      List<Digest> deleted = layout.gc(layerCache.roots());
      diffIds.forget(deleted);
      return deleted;
    } catch (IOException e) {
      throw OciException.io("image store " + home, e);
    }
  }

  /** Releases this process's temp directory. */
  @Override
  public void close() {
    try {
      sessionLock.release();
      sessionChannel.close();
      AtomicFiles.deleteTree(session);
    } catch (IOException ignored) {
      // a leftover temp directory is cleaned by the next process
    } finally {
      OWN_SESSIONS.remove(session);
    }
  }

  /** Names attached to {@code digest}, for messages. */
  public List<String> namesOf(Digest digest) throws OciException {
    List<String> names = new ArrayList<>();
    for (Descriptor d : layout.index().manifests()) {
      if (d.digest().equals(digest)) {
        d.refName().ifPresent(names::add);
      }
    }
    return names;
  }

}
