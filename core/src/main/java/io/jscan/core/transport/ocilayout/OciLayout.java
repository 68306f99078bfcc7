package io.jscan.core.transport.ocilayout;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.ArtifactBlobs;
import io.jscan.core.image.BlobSource;
import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Images;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.io.EarlySyncingOutputStream;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.io.VerifyingInputStream;
import io.jscan.core.oci.Annotations;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.LayoutHeader;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * An OCI image layout directory (image-spec image-layout.md): {@code oci-layout},
 * {@code index.json} and content-addressed {@code blobs/<alg>/<encoded>}. Source and sink.
 *
 * <p><b>Reading</b> goes through {@link #blobs()}, whose every read is verified, so a blob whose
 * file name does not match its content fails as an integrity error when read.
 *
 * <p><b>Writing</b> is crash-safe: each blob is streamed into a temp file on the same file system,
 * verified against its descriptor while it streams, fsync'd and renamed to its final name, so a
 * blob file either does not exist or is complete. Blobs are written children first, and
 * {@code index.json} is replaced last, atomically (temp + rename). A writer killed at any moment
 * leaves a layout that reads as before or as after, plus at most unreferenced blobs (removed by
 * {@link #gc}) and stray temp files.
 *
 * <p>Layers of images are checked as they are written: compressed as their media type says, and
 * decompressing to the config's diff_id ({@link ArtifactBlobs}); a layer the layout has already is
 * checked against the layout's {@link DiffIdRecords} (the local store keeps them), or else read from
 * the layout once. A layer that fails is not written, and nothing names its image.
 *
 * <p>This class does no locking. A plain layout directory is meant for one writer at a time; the
 * local store wraps a layout with the locks it needs for concurrent processes.
 */
public final class OciLayout {
  public static final String LAYOUT_FILE = "oci-layout";
  public static final String INDEX_FILE = "index.json";
  public static final String BLOBS_DIR = "blobs";
  /** Temp files of a plain layout are named so; they are never mistaken for blobs. */
  public static final String TEMP_PREFIX = ".jscan-tmp-";

  private final Path root;
  private final Path tempDir;
  private final DiffIdRecords diffIds;

  private OciLayout(Path root, Path tempDir, DiffIdRecords diffIds) {
    this.root = root;
    this.tempDir = tempDir;
    this.diffIds = diffIds;
  }

  /**
   * This layout, checking layers with {@code records} (what decompressing layer blobs proved; see
   * {@link DiffIdRecords}): a layer they prove is not decompressed again, one they do not is
   * checked and then recorded there.
   */
  public OciLayout withDiffIdRecords(DiffIdRecords records) {
    return new OciLayout(root, tempDir, java.util.Objects.requireNonNull(records, "records"));
  }

  /** The records layers are checked with ({@link DiffIdRecords#NONE} unless given). */
  public DiffIdRecords diffIdRecords() {
    return diffIds;
  }

  /** Opens an existing layout; bad input when {@code dir} is not one. */
  public static OciLayout open(Path dir) throws OciException {
    return open(dir, dir);
  }

  /** Opens an existing layout whose writes stage temp files in {@code tempDir} (same file system). */
  public static OciLayout open(Path dir, Path tempDir) throws OciException {
    Path root = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw OciException.badInput("OCI layout " + dir, "no such directory");
    }
    Path header = root.resolve(LAYOUT_FILE);
    Optional<byte[]> headerBytes;
    try {
      headerBytes = BoundedFiles.readIfExists(header, InputLimit.OCI_LAYOUT_HEADER);
    } catch (InputFileException e) {
      // a FIFO or a device in a layout is refused, never opened: reading it would block or never end
      throw new OciException(e.kind(), "OCI layout " + dir, "oci-layout: " + e.detail(), e);
    }
    if (headerBytes.isEmpty()) {
      throw OciException.badInput("OCI layout " + dir, "not an OCI image layout (no oci-layout file)");
    }
    OciJson.parseLayoutHeader(headerBytes.get(), "OCI layout " + dir + ": oci-layout");
    return new OciLayout(root, tempDir.toAbsolutePath().normalize(), DiffIdRecords.NONE);
  }

  /** Opens the layout at {@code dir}, creating an empty one (and the directory) when there is none. */
  public static OciLayout create(Path dir) throws OciException {
    return create(dir, dir);
  }

  /** As {@link #create(Path)}, staging temp files in {@code tempDir}. */
  public static OciLayout create(Path dir, Path tempDir) throws OciException {
    Path root = dir.toAbsolutePath().normalize();
    try {
      if (Files.exists(root) && !Files.isDirectory(root)) {
        throw OciException.badInput("OCI layout " + dir, "exists and is not a directory");
      }
      Files.createDirectories(root);
      if (!Files.exists(root.resolve(LAYOUT_FILE))) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
          for (Path p : entries) {
            String name = p.getFileName().toString();
            if (!name.startsWith(".")) {
              throw OciException.badInput(
                  "OCI layout " + dir, "directory is not empty and is not an OCI layout (found " + name + ")");
            }
          }
        }
        Files.createDirectories(root.resolve(BLOBS_DIR).resolve(Digest.SHA256));
        Files.createDirectories(tempDir);
        // index.json first, oci-layout last: a directory with an oci-layout file is always complete
        if (!Files.exists(root.resolve(INDEX_FILE))) {
          AtomicFiles.write(root.resolve(INDEX_FILE), OciJson.write(new IndexManifest(List.of())), tempDir);
        }
        AtomicFiles.write(root.resolve(LAYOUT_FILE), OciJson.write(LayoutHeader.CURRENT), tempDir);
      }
    } catch (IOException e) {
      throw OciException.io("creating OCI layout " + dir, e);
    }
    return open(root, tempDir);
  }

  public Path root() {
    return root;
  }

  /** Where the blob with {@code digest} is, whether or not it exists. */
  public Path blobPath(Digest digest) {
    // Digest's grammar admits no '/' and no "..", so this stays inside blobs/
    return root.resolve(BLOBS_DIR).resolve(digest.algorithm()).resolve(digest.encoded());
  }

  public boolean hasBlob(Digest digest) {
    return Files.isRegularFile(blobPath(digest));
  }

  /**
   * The layout's blobs; every read is verified against the descriptor. A blob that is not a
   * regular file (a symbolic link is followed to one) is refused before it is opened: opening a
   * FIFO blocks until a writer comes, and a device such as {@code /dev/zero} never ends.
   */
  public BlobSource blobs() {
    return descriptor -> {
      Path file = blobPath(descriptor.digest());
      String blob = "blob " + descriptor.digest() + " (" + descriptor.mediaType() + ")";
      try {
        BoundedFiles.requireRegularFile(file, "the blob");
        return Files.newInputStream(file);
      } catch (InputFileException e) {
        if (e.problem() == InputFileException.Problem.MISSING) {
          throw OciException.badInput("OCI layout " + root, blob + " is missing");
        }
        throw new OciException(e.kind(), "OCI layout " + root, blob + ": " + e.detail(), e);
      } catch (NoSuchFileException e) {
        throw OciException.badInput("OCI layout " + root, blob + " is missing");
      } catch (IOException e) {
        throw OciException.io("OCI layout " + root + ": blob " + descriptor.digest(), e);
      }
    };
  }

  /** The parsed {@code index.json}: a regular file of at most {@link InputLimit#MANIFEST}. */
  public IndexManifest index() throws OciException {
    Path file = root.resolve(INDEX_FILE);
    byte[] bytes;
    try {
      bytes = BoundedFiles.read(file, InputLimit.MANIFEST, "index.json");
    } catch (InputFileException e) {
      if (e.problem() == InputFileException.Problem.MISSING) {
        throw OciException.badInput("OCI layout " + root, "index.json is missing");
      }
      throw new OciException(e.kind(), "OCI layout " + root, e.detail(), e);
    }
    return OciJson.parseIndex(bytes, "OCI layout " + root + ": index.json", Optional.empty());
  }

  /** The artifact an entry of {@link #index()} (or of a nested index) describes. */
  public Artifact artifact(Descriptor descriptor) throws OciException {
    return Images.artifact(blobs(), descriptor);
  }

  /**
   * Resolves what {@code oci:DIR[:REF|@DIGEST]} names: the entry whose ref name is {@code refName};
   * the manifest with {@code digest} (top-level entries first, then nested indexes); or, with
   * neither, the only entry of index.json.
   */
  public Artifact resolve(Optional<String> refName, Optional<Digest> digest) throws OciException {
    List<Descriptor> entries = index().manifests();
    if (digest.isPresent()) {
      return artifact(
          find(digest.get())
              .orElseThrow(() -> OciException.badInput("OCI layout " + root, "no manifest " + digest.get())));
    }
    if (refName.isPresent()) {
      List<Descriptor> named = entries.stream().filter(d -> d.refName().equals(refName)).toList();
      if (named.isEmpty()) {
        throw OciException.badInput(
            "OCI layout " + root, "no image named \"" + refName.get() + "\"; available: " + describe(entries));
      }
      if (named.size() > 1) {
        throw OciException.badInput(
            "OCI layout " + root, named.size() + " entries are named \"" + refName.get() + "\"; use oci:DIR@DIGEST");
      }
      return artifact(named.get(0));
    }
    if (entries.size() != 1) {
      throw OciException.badInput(
          "OCI layout " + root,
          entries.isEmpty()
              ? "index.json lists no image"
              : entries.size() + " images in index.json; name one with oci:DIR:REF or oci:DIR@DIGEST (" + describe(entries) + ")");
    }
    return artifact(entries.get(0));
  }

  /** The image with manifest {@code digest}; bad input when it is missing or is an index. */
  public Image image(Digest digest) throws OciException {
    Artifact a = resolve(Optional.empty(), Optional.of(digest));
    if (a instanceof Image image) {
      return image;
    }
    throw OciException.badInput("OCI layout " + root, digest + " is an image index, not an image");
  }

  /** The index with {@code digest}; bad input when it is missing or is an image. */
  public ImageIndex imageIndex(Digest digest) throws OciException {
    Artifact a = resolve(Optional.empty(), Optional.of(digest));
    if (a instanceof ImageIndex index) {
      return index;
    }
    throw OciException.badInput("OCI layout " + root, digest + " is an image, not an image index");
  }

  /** The descriptor of {@code digest} among index.json's entries, or in the indexes they reach. */
  public Optional<Descriptor> find(Digest digest) throws OciException {
    Deque<Descriptor> queue = new ArrayDeque<>(index().manifests());
    Set<Digest> visited = new HashSet<>();
    while (!queue.isEmpty()) {
      Descriptor d = queue.removeFirst();
      if (d.digest().equals(digest)) {
        return Optional.of(d);
      }
      if (visited.add(d.digest()) && MediaTypes.isIndex(d.mediaType()) && hasBlob(d.digest())) {
        queue.addAll(((ImageIndex) artifact(d)).index().manifests());
      }
    }
    return Optional.empty();
  }

  private static String describe(List<Descriptor> entries) {
    List<String> names = new ArrayList<>();
    for (Descriptor d : entries) {
      names.add(d.refName().orElse(d.digest().toString()));
    }
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  /** The OCI 1.1 artifacts attached to this layout's images (unnamed index.json entries, see {@link LayoutReferrers}). */
  public io.jscan.core.image.Referrers referrers() {
    return new LayoutReferrers(this, this::writeReferrer);
  }

  /**
   * Writes an artifact's blobs and records it as the unnamed index.json entry {@code listed} (its
   * descriptor with artifactType and annotations), dropping the unnamed entries of {@code replaced}
   * in the same update.
   */
  public void writeReferrer(Artifact artifact, Descriptor listed, Set<Digest> replaced) throws OciException {
    writeBlobs(artifact);
    updateIndex(entries -> withReferrer(entries, listed, replaced));
  }

  /** {@code entries} with {@code referrer} added once and the unnamed entries of {@code replaced} removed. */
  public static List<Descriptor> withReferrer(List<Descriptor> entries, Descriptor referrer, Set<Digest> replaced) {
    List<Descriptor> result = new ArrayList<>();
    boolean present = false;
    for (Descriptor d : entries) {
      if (d.refName().isEmpty() && replaced.contains(d.digest())) {
        continue;
      }
      present |= d.refName().isEmpty() && d.digest().equals(referrer.digest());
      result.add(d);
    }
    if (!present) {
      result.add(entryFor(referrer, Optional.empty()));
    }
    return result;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes every blob of {@code artifact} (children first) and records it in index.json, named
   * {@code refName} when given: an entry with the same name is replaced (the name moves), as a tag
   * does. Returns the descriptor recorded.
   */
  public Descriptor write(Artifact artifact, Optional<String> refName) throws OciException {
    writeBlobs(artifact);
    Descriptor entry = entryFor(artifact.descriptor(), refName);
    updateIndex(
        entries -> {
          List<Descriptor> result = new ArrayList<>();
          for (Descriptor d : entries) {
            boolean sameName = refName.isPresent() && d.refName().equals(refName);
            boolean sameUnnamed = refName.isEmpty() && d.refName().isEmpty() && d.digest().equals(entry.digest());
            if (!sameName && !sameUnnamed) {
              result.add(d);
            }
          }
          result.add(entry);
          return result;
        });
    return entry;
  }

  /**
   * The index.json entry for an artifact: its descriptor with naming annotations replaced by
   * {@code refName} (other annotations and the platform kept).
   */
  public static Descriptor entryFor(Descriptor descriptor, Optional<String> refName) {
    Map<String, String> annotations = new TreeMap<>(descriptor.annotations());
    annotations.remove(Annotations.REF_NAME);
    annotations.remove(CONTAINERD_IMAGE_NAME);
    refName.ifPresent(name -> annotations.put(Annotations.REF_NAME, name));
    return descriptor.withAnnotations(annotations);
  }

  /** The annotation containerd and Docker 25 put on index.json entries for the full image name. */
  public static final String CONTAINERD_IMAGE_NAME = "io.containerd.image.name";

  /** Writes every blob {@code artifact} references that the layout does not have yet. */
  public void writeBlobs(Artifact artifact) throws OciException {
    writeBlobs(artifact, 1);
  }

  /**
   * As {@link #writeBlobs(Artifact)}, copying up to {@code parallelism} layers and configs at once
   * (worth it when each is a network download). Manifests and indexes are written after all of
   * them, children first, so the layout never holds a manifest whose blobs are missing. A layer
   * the layout has already is checked all the same (by its record, or by reading the layout's
   * copy). On the first failure the other copies are cancelled and the failure is thrown; blobs
   * already written stay (they are complete and verified; {@link #gc} removes them if nothing
   * refers to them).
   */
  public void writeBlobs(Artifact artifact, int parallelism) throws OciException {
    List<ArtifactBlobs.Blob> blobs = ArtifactBlobs.of(artifact);
    List<BlobTask> leaves = new ArrayList<>();
    List<ArtifactBlobs.Blob> documents = new ArrayList<>();
    for (ArtifactBlobs.Blob b : blobs) {
      Descriptor d = b.descriptor();
      if (hasBlob(d.digest())) {
        if (b.layer().isPresent()) {
          // the same bytes as the source's; prove them with what is at hand, without a download
          leaves.add(() -> b.checkPresent(diffIds, () -> blobs().open(d, b.layer().get().what())));
        }
        continue;
      }
      if (MediaTypes.isManifestOrIndex(d.mediaType())) {
        documents.add(b);
      } else {
        leaves.add(() -> writeBlob(b));
      }
    }
    int threads = Math.min(parallelism, leaves.size());
    if (threads <= 1) {
      for (BlobTask task : leaves) {
        task.run();
      }
    } else {
      writeInParallel(leaves, threads);
    }
    for (ArtifactBlobs.Blob b : documents) {
      writeBlob(b);
    }
  }

  /** Writing or checking one blob. */
  @FunctionalInterface
  private interface BlobTask {
    void run() throws OciException;
  }

  private void writeInParallel(List<BlobTask> leaves, int threads) throws OciException {
    java.util.concurrent.ExecutorService pool = io.jscan.core.io.DaemonThreads.fixedPool("jscan-blob", threads);
    try {
      java.util.concurrent.ExecutorCompletionService<Void> done = new java.util.concurrent.ExecutorCompletionService<>(pool);
      List<java.util.concurrent.Future<Void>> futures = new ArrayList<>();
      for (BlobTask task : leaves) {
        futures.add(done.submit(() -> {
          task.run();
          return null;
        }));
      }
      for (int i = 0; i < futures.size(); i++) {
        try {
          done.take().get();
        } catch (java.util.concurrent.ExecutionException e) {
          for (java.util.concurrent.Future<Void> f : futures) {
            f.cancel(true);
          }
          if (e.getCause() instanceof OciException oci) {
            throw oci;
          }
          throw new OciException(FailureKind.UNEXPECTED, "OCI layout " + root, String.valueOf(e.getCause()), e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OciException(FailureKind.UNEXPECTED, "OCI layout " + root, "interrupted", e);
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Writes one blob of an artifact unless it is already there, as {@link #writeBlob(Descriptor,
   * ArtifactBlobs.Opener)} does; a layer of an image is checked against its compression and
   * diff_id in the same read ({@link ArtifactBlobs.Blob#open}).
   */
  public void writeBlob(ArtifactBlobs.Blob blob) throws OciException {
    if (hasBlob(blob.descriptor().digest())) {
      blob.checkPresent(diffIds, () -> blobs().open(blob.descriptor(), blob.layer().map(ArtifactBlobs.LayerContent::what).orElse("blob")));
      return;
    }
    writeBlob(blob.descriptor(), () -> blob.open(diffIds));
  }

  /**
   * Writes one blob unless it is already there: streamed to a temp file, verified against
   * {@code descriptor} while it streams, fsync'd, then renamed into place. Content that does not
   * match fails as an integrity error and leaves nothing behind.
   */
  public void writeBlob(Descriptor descriptor, ArtifactBlobs.Opener content) throws OciException {
    Path target = blobPath(descriptor.digest());
    if (Files.isRegularFile(target)) {
      // content-addressed: the same name is the same content (a damaged file fails when read)
      return;
    }
    String what = "blob " + descriptor.digest();
    Path tmp = AtomicFiles.tempName(tempDir, TEMP_PREFIX + "blob-");
    try {
      Files.createDirectories(target.getParent());
      Files.createDirectories(tempDir);
      try (InputStream raw = content.open();
          // a source stream that already verifies this very descriptor (every BlobSource's) is not hashed twice
          VerifyingInputStream in = raw instanceof VerifyingInputStream v && v.checks(descriptor.digest(), descriptor.size())
              ? v
              : VerifyingInputStream.of(raw, what, descriptor.digest(), descriptor.size());
          // synced as it is written, and completely when closed: before the rename below
          OutputStream out = EarlySyncingOutputStream.create(tmp)) {
        byte[] buffer = new byte[1 << 17];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
        }
        if (!in.verified()) {
          // fail closed: never publish content whose check did not run to the end
          throw new ContentMismatchException(what, "content was not verified", java.util.Optional.of(descriptor.digest()), java.util.Optional.empty());
        }
      }
      AtomicFiles.publish(tmp, target);
    } catch (ContentMismatchException e) {
      throw new OciException(FailureKind.INTEGRITY, e.what(), e.detail(), e);
    } catch (IOException e) {
      throw OciException.reading("OCI layout " + root + ": writing " + what, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a stray temp file is harmless and is removed by gc
      }
    }
  }

  /**
   * Replaces index.json with {@code change} applied to its entries, atomically. The caller
   * serialises concurrent updates (the local store holds its index lock around this).
   */
  public void updateIndex(UnaryOperator<List<Descriptor>> change) throws OciException {
    IndexManifest current = index();
    List<Descriptor> entries = change.apply(new ArrayList<>(current.manifests()));
    IndexManifest updated =
        new IndexManifest(MediaTypes.OCI_INDEX, current.artifactType(), entries, current.subject(), current.annotations());
    try {
      AtomicFiles.write(root.resolve(INDEX_FILE), OciJson.write(updated), tempDir);
    } catch (IOException e) {
      throw OciException.io("OCI layout " + root + ": writing index.json", e);
    }
  }

  // ---------------------------------------------------------------- garbage collection

  /**
   * Every blob reachable from index.json (manifests, their configs and layers, index children,
   * recursively) plus {@code extraRoots}. Fails when an entry's media type is neither a manifest nor
   * an index: what it references cannot be known, so nothing could safely be collected.
   */
  public Set<Digest> reachable(Collection<Digest> extraRoots) throws OciException {
    Set<Digest> reachable = new HashSet<>(extraRoots);
    Set<Digest> visited = new HashSet<>();
    Deque<Descriptor> queue = new ArrayDeque<>(index().manifests());
    while (!queue.isEmpty()) {
      Descriptor d = queue.removeFirst();
      if (!MediaTypes.isManifestOrIndex(d.mediaType())) {
        throw OciException.badInput(
            "garbage collection of " + root,
            "unknown media type " + d.mediaType() + " of " + d.digest() + ": cannot tell which blobs it references");
      }
      reachable.add(d.digest());
      if (!visited.add(d.digest()) || !hasBlob(d.digest())) {
        continue;
      }
      if (MediaTypes.isImageManifest(d.mediaType())) {
        Manifest m = ((Image) artifact(d)).manifest();
        reachable.add(m.config().digest());
        for (Descriptor layer : m.layers()) {
          reachable.add(layer.digest());
        }
      } else {
        queue.addAll(((ImageIndex) artifact(d)).index().manifests());
      }
    }
    return reachable;
  }

  /**
   * Deletes the blobs nothing reaches (see {@link #reachable}) and stray temp files of this layout;
   * returns the deleted blobs' digests, sorted. The caller excludes concurrent writers.
   */
  public List<Digest> gc(Collection<Digest> extraRoots) throws OciException {
    Set<Digest> keep = reachable(extraRoots);
    Map<Digest, Path> present = listBlobs();
    List<Digest> removed = new ArrayList<>();
    try {
      for (Map.Entry<Digest, Path> e : present.entrySet()) {
        if (!keep.contains(e.getKey())) {
          Files.deleteIfExists(e.getValue());
          removed.add(e.getKey());
        }
      }
      if (tempDir.equals(root)) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, TEMP_PREFIX + "*")) {
          for (Path p : entries) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException e) {
      throw OciException.io("garbage collection of " + root, e);
    }
    removed.sort(null);
    return removed;
  }

  /** Every blob file present, by digest (files whose names are not digests are ignored). */
  public Map<Digest, Path> listBlobs() throws OciException {
    Map<Digest, Path> result = new LinkedHashMap<>();
    Path blobs = root.resolve(BLOBS_DIR);
    if (!Files.isDirectory(blobs)) {
      return result;
    }
    try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(blobs)) {
      for (Path algDir : algorithms) {
        if (!Files.isDirectory(algDir)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(algDir)) {
          for (Path f : files) {
            String candidate = algDir.getFileName() + ":" + f.getFileName();
            if (Files.isRegularFile(f) && Digest.isValid(candidate)) {
              result.put(Digest.parse(candidate), f);
            }
          }
        }
      }
    } catch (IOException e) {
      throw OciException.io("listing blobs of " + root, e);
    }
    return result;
  }
}
