package io.jscan.verifier.integrity;

import io.jscan.core.Deadline;
import io.jscan.core.Deadline.DeadlineExceededException;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.io.Compressions;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.io.InputFileException;
import io.jscan.core.oci.OciException;
import io.jscan.verifier.Finding;
import io.jscan.verifier.LayerReport;
import io.jscan.verifier.Location;
import io.jscan.verifier.PartCheck;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.files.LayerContents;
import io.jscan.verifier.files.LayerScanner;
import io.jscan.verifier.files.MergedFilesystemCheck;
import io.jscan.verifier.files.ScanLimits;
import io.jscan.sbom.fs.LayerCapture;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The integrity walk of one image: manifest (digest, size, media type, against the reference's
 * digest when it has one), config (digest, size, media type), diff_id and history counts, then every
 * layer read once, in parallel on the given pool: compressed size and digest, decompression as the
 * media type says (an unknown or lying media type is a failure), uncompressed digest against
 * {@code rootfs.diff_ids[i]}, and the tar checks of {@link LayerScanner} on the same stream.
 *
 * <p>Nothing is buffered beyond fixed-size windows and the compact entry metadata, so memory does
 * not grow with layer size. Every defect is a finding; only a passed deadline, a cancellation or an
 * I/O error of the source (not of the content) stops the walk with an exception.
 */
public final class ImageWalker {
  private final ExecutorService pool;
  private final ScanLimits limits;
  /** How long past the deadline a layer's source may take to fail by itself (see {@link #collect}). */
  private static final long SOURCE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Deadline deadline;

  public ImageWalker(ExecutorService pool, ScanLimits limits, Deadline deadline) {
    this.pool = pool;
    this.limits = limits;
    this.deadline = deadline;
  }

  /** Walks {@code image}; {@code expectedDigest} is the digest the user's reference named, if any. */
  public WalkResult walk(Image image, Optional<Digest> expectedDigest) throws VerifierException {
    return walk(image, expectedDigest, Optional.empty());
  }

  /**
   * As {@link #walk(Image, Optional)}, handing each layer's entries to {@code capture} as they
   * stream by (layer {@code i} of the manifest to {@code capture.layer(i - 1)}), so the image's
   * packages are catalogued from this same single read.
   */
  public WalkResult walk(Image image, Optional<Digest> expectedDigest, Optional<LayerCapture.Session> capture)
      throws VerifierException {
    List<Finding> findings = new ArrayList<>();
    Descriptor top;
    try {
      top = image.descriptor();
    } catch (OciException e) {
      throw new VerifierException(e.kind(), "image", e.getMessage(), e);
    }
    Location.InImage manifestAt = Location.InImage.part("manifest", top.digest());
    if (expectedDigest.isPresent() && !expectedDigest.get().equals(top.digest())) {
      findings.add(Finding.integrity(
          "the reference names " + expectedDigest.get() + " but the source resolved " + top.digest(), manifestAt));
    }
    if (!MediaTypes.isImageManifest(top.mediaType())) {
      findings.add(Finding.integrity("media type " + top.mediaType() + " is not an image manifest", manifestAt));
      return new WalkResult(check(top, false), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), findings, Optional.empty());
    }
    Manifest manifest;
    try {
      manifest = image.manifest();
    } catch (OciException e) {
      sourceFailed(e);
      findings.add(Finding.integrity("manifest: " + e.getMessage(), manifestAt));
      return new WalkResult(check(top, false), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), findings, Optional.empty());
    }

    Descriptor configDescriptor = manifest.config();
    Location.InImage configAt = Location.InImage.part("config", configDescriptor.digest());
    ImageConfig config = null;
    if (!MediaTypes.OCI_CONFIG.equals(configDescriptor.mediaType()) && !MediaTypes.DOCKER_CONFIG.equals(configDescriptor.mediaType())) {
      // honestly labelled, just not a container image (a Helm chart, a signature): the user named
      // the wrong thing, which is bad input rather than content that lies
      throw VerifierException.badInput("image " + top.digest(),
          "config media type " + configDescriptor.mediaType() + ": this is an artifact, not a container image");
    } else {
      try {
        config = image.config();
      } catch (OciException e) {
        sourceFailed(e);
        findings.add(Finding.integrity("config: " + e.getMessage(), configAt));
      }
    }
    PartCheck configCheck = check(configDescriptor, config != null);

    List<Descriptor> layerDescriptors = manifest.layers();
    List<Digest> diffIds = config == null ? List.of() : config.rootfs().diffIds();
    if (config != null && diffIds.size() != layerDescriptors.size()) {
      findings.add(Finding.integrity(
          "the manifest lists " + layerDescriptors.size() + " layers but rootfs.diff_ids has " + diffIds.size()
              + " entries: unmatched layers cannot be verified once uncompressed",
          configAt));
    }
    List<Optional<String>> createdBy = createdBy(config, layerDescriptors.size(), findings, configAt);

    List<Future<LayerOutcome>> futures = new ArrayList<>();
    AtomicLong entries = new AtomicLong();
    for (int i = 0; i < layerDescriptors.size(); i++) {
      int position = i + 1;
      Descriptor d = layerDescriptors.get(i);
      Optional<Digest> diffId = i < diffIds.size() && config != null ? Optional.of(diffIds.get(i)) : Optional.empty();
      Optional<String> made = createdBy.get(i);
      Optional<LayerCapture> layerCapture = capture.map(c -> c.layer(position - 1));
      futures.add(pool.submit(() -> walkLayer(image, d, position, diffId, made, entries, layerCapture)));
    }
    List<LayerOutcome> outcomes = collect(futures);

    List<LayerReport> layerReports = new ArrayList<>();
    List<LayerContents> contents = new ArrayList<>();
    boolean allRead = true;
    for (LayerOutcome o : outcomes) {
      layerReports.add(o.report);
      findings.addAll(o.findings);
      if (o.contents.isPresent()) {
        contents.add(o.contents.get());
        findings.addAll(o.contents.get().findings());
      } else {
        allRead = false;
      }
    }
    Optional<MergedFilesystemCheck.Result> files = Optional.empty();
    if (allRead) {
      MergedFilesystemCheck.Result merged = MergedFilesystemCheck.check(contents);
      findings.addAll(merged.findings());
      files = Optional.of(merged);
    }
    // a layer whose tar was unsound is not verified even if its digests matched
    List<LayerReport> settled = new ArrayList<>();
    for (LayerReport r : layerReports) {
      boolean failed = findings.stream().anyMatch(f -> f.blocking() && layerOf(f) == r.position());
      settled.add(new LayerReport(r.position(), r.digest(), r.mediaType(), r.size(), r.diffId(), r.uncompressedSize(),
          r.entries(), r.createdBy(), r.verified() && !failed));
    }
    return new WalkResult(check(top, true), Optional.of(configCheck), Optional.of(manifest), Optional.ofNullable(config),
        settled, findings, files);
  }

  private static int layerOf(Finding f) {
    if (f.location().isPresent() && f.location().get() instanceof Location.InImage in && in.layer().isPresent()) {
      return in.layer().getAsInt();
    }
    return -1;
  }

  private static PartCheck check(Descriptor d, boolean verified) {
    return new PartCheck(d.digest(), d.size(), d.mediaType(), verified);
  }

  /**
   * The history entry that made each layer: the i-th entry without {@code empty_layer}. When the
   * counts differ the pairing is unknown (many published images have such history), which is
   * reported as a warning and leaves every layer without one.
   */
  private static List<Optional<String>> createdBy(ImageConfig config, int layers, List<Finding> findings, Location configAt) {
    List<Optional<String>> result = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      result.add(Optional.empty());
    }
    if (config == null || config.history().isEmpty()) {
      return result;
    }
    List<History> producing = config.history().stream().filter(h -> !h.emptyLayer()).toList();
    if (producing.size() != layers) {
      findings.add(Finding.integrityWarning(
          "history has " + producing.size() + " entries that made a layer but the manifest lists " + layers + " layers",
          configAt));
      return result;
    }
    for (int i = 0; i < layers; i++) {
      result.set(i, producing.get(i).createdBy());
    }
    return result;
  }

  private List<LayerOutcome> collect(List<Future<LayerOutcome>> futures) throws VerifierException {
    List<LayerOutcome> out = new ArrayList<>();
    try {
      for (Future<LayerOutcome> f : futures) {
        long left = deadline.remainingNanos();
        // a layer's source (a registry) honours the same deadline and then fails by itself, naming
        // what it waited for (which registry, which limit): give it a moment to, so that its
        // message is the one reported rather than this one, which can only say that time ran out
        out.add(left == Long.MAX_VALUE ? f.get() : f.get(left + SOURCE_GRACE_NANOS, TimeUnit.NANOSECONDS));
      }
      return out;
    } catch (TimeoutException e) {
      cancel(futures);
      throw new VerifierException(FailureKind.UNEXPECTED, "verification", deadline.label() + " passed before the layers were read");
    } catch (InterruptedException e) {
      cancel(futures);
      Thread.currentThread().interrupt();
      throw new VerifierException(FailureKind.UNEXPECTED, "verification", "interrupted");
    } catch (CancellationException e) {
      cancel(futures);
      throw new VerifierException(FailureKind.UNEXPECTED, "verification", "cancelled");
    } catch (ExecutionException e) {
      cancel(futures);
      Throwable cause = e.getCause();
      if (cause instanceof VerifierException ve) {
        throw ve;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new VerifierException(FailureKind.UNEXPECTED, "verification", String.valueOf(cause), cause);
    }
  }

  /**
   * A blob the source refused to open because of what the file is (a FIFO, a device, a link to
   * one, a file too large to be what it claims: core's BoundedFiles) says nothing about the image's
   * content: the user pointed jscan at something that is not an image layout, which is bad input
   * (exit 2), not an integrity failure.
   */
  private static void cancel(List<Future<LayerOutcome>> futures) {
    for (Future<LayerOutcome> f : futures) {
      f.cancel(true);
    }
  }

  private record LayerOutcome(LayerReport report, Optional<LayerContents> contents, List<Finding> findings) {}

  private LayerOutcome walkLayer(
      Image image, Descriptor d, int position, Optional<Digest> diffId, Optional<String> createdBy, AtomicLong entries,
      Optional<LayerCapture> capture) throws VerifierException {
    Location.InImage at = Location.InImage.layer(position, d.digest());
    List<Finding> findings = new ArrayList<>();
    Optional<Compression> compression = MediaTypes.layerCompression(d.mediaType());
    if (compression.isEmpty()) {
      findings.add(Finding.integrity("unknown layer media type " + d.mediaType() + ": cannot tell how to decompress it", at));
    }
    if (diffId.isPresent() && !diffId.get().isVerifiable()) {
      findings.add(Finding.integrity("diff_id " + diffId.get() + " uses an algorithm jscan cannot verify", at));
      diffId = Optional.empty();
    }
    InputStream raw;
    try {
      raw = image.openBlob(d);
    } catch (OciException e) {
      sourceFailed(e);
      findings.add(Finding.integrity("cannot read the blob: " + e.getMessage(), at));
      return new LayerOutcome(report(d, position, diffId, OptionalLong.empty(), 0, createdBy, false), Optional.empty(), findings);
    }
    LayerStreams.CompressedSide compressed = new LayerStreams.CompressedSide(raw, deadline);
    LayerContents contents = null;
    OptionalLong uncompressedSize = OptionalLong.empty();
    boolean ok = compression.isPresent();
    String what = "layer " + position + " " + d.digest();
    try (raw) {
      if (compression.isEmpty()) {
        compressed.drain();
      } else {
        MessageDigest hasher = diffId.map(Digest::newMessageDigest).orElseGet(Digest::sha256Digest);
        InputStream plain = Compressions.decompress(compressed, compression.get(), what);
        LayerStreams.UncompressedSide uncompressed = new LayerStreams.UncompressedSide(
            plain, hasher, compressed, limits.maxLayerUncompressedBytes(), limits.maxCompressionRatio(), limits.ratioFloorBytes());
        contents = new LayerScanner(limits, entries).scan(uncompressed, position, d.digest(), capture);
        uncompressed.drain();
        compressed.drain();
        uncompressedSize = OptionalLong.of(uncompressed.count);
        Digest actual = Digest.of(diffId.map(Digest::algorithm).orElse(Digest.SHA256), hasher);
        if (diffId.isPresent() && !actual.equals(diffId.get())) {
          ok = false;
          findings.add(Finding.integrity(
              "uncompressed digest " + actual + " does not match rootfs.diff_ids[" + (position - 1) + "] " + diffId.get(), at));
        }
        if (diffId.isEmpty()) {
          ok = false; // nothing to check the uncompressed content against (reported with the counts)
        }
      }
    } catch (DeadlineExceededException e) {
      throw new VerifierException(FailureKind.UNEXPECTED, "verification", e.getMessage(), e);
    } catch (IOException e) {
      if (e instanceof LayerStreams.UpstreamIOException && !(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
        // the source failed, not the content: an I/O error is no verdict on the image
        throw new VerifierException(FailureKind.UNEXPECTED, what, "I/O error: " + e.getMessage(), e);
      }
      ok = false;
      Finding cause = classify(e, at);
      // closing the blob (try-with-resources, before this block runs) reads it to the end and
      // checks its digest; a mismatch found then is the root cause of corrupt data, so it wins
      for (Throwable suppressed : e.getSuppressed()) {
        if (suppressed instanceof ContentMismatchException mismatch && !cause.message().startsWith(mismatch.detail())) {
          cause = Finding.integrity(mismatch.detail() + " (and so: " + cause.message() + ")", at);
          break;
        }
      }
      findings.add(cause);
      // contents stay when the tar was fully scanned before a digest mismatch showed at the end
    }
    long count = contents == null ? 0 : contents.entryCount();
    return new LayerOutcome(
        report(d, position, diffId, uncompressedSize, count, createdBy, ok), Optional.ofNullable(contents), findings);
  }

  /**
   * A part the source could not hand out because the source itself failed (a registry that is
   * unreachable, keeps failing or stalls past a deadline; an I/O error) says nothing about the
   * image: no finding, the verification stops (exit 1), as for an I/O error mid-layer. Content that
   * does not match its digest, or is missing from the source, stays a finding.
   */
  private static void sourceFailed(OciException e) throws VerifierException {
    if (e.getCause() instanceof InputFileException) {
      // a FIFO or device named as a blob: the user's input is wrong, not the image's bytes
      throw new VerifierException(FailureKind.BAD_INPUT, e.what(), e.detail(), e);
    }
    if (e.kind() == FailureKind.UNEXPECTED) {
      throw new VerifierException(FailureKind.UNEXPECTED, "reading the image", e.getMessage(), e);
    }
  }

  private static Finding classify(IOException e, Location at) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ContentMismatchException mismatch) {
        return Finding.integrity(mismatch.detail(), at);
      }
      if (t instanceof LayerStreams.BombException bomb) {
        return Finding.integrity(bomb.getMessage(), at);
      }
    }
    if (e instanceof LayerStreams.UpstreamIOException) {
      return Finding.integrity("cannot read the blob: " + e.getMessage(), at);
    }
    return Finding.integrity("corrupt compressed data: " + e.getMessage(), at);
  }

  private static LayerReport report(
      Descriptor d, int position, Optional<Digest> diffId, OptionalLong size, long entries, Optional<String> createdBy, boolean ok) {
    return new LayerReport(position, d.digest(), d.mediaType(), d.size(), diffId, size, entries, createdBy, ok);
  }
}
