package io.jscan.core.transport.registry;

import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.ArtifactBlobs;
import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.io.ContentMismatchException;
import io.jscan.core.io.DaemonThreads;
import io.jscan.core.io.VerifyingInputStream;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One push (distribution-spec "Pushing blobs", "Pushing manifests"): blobs first, several at a
 * time, then manifests children first, the named one last.
 *
 * <p>Retries never corrupt the remote: a blob is only committed by the final {@code PUT ?digest=},
 * which the registry refuses when the uploaded bytes do not hash to the digest; an interrupted
 * chunked upload resumes at the offset the registry reports ({@code GET} on the upload, its
 * {@code Range} header), or starts a new upload when the registry forgot the old one; manifests
 * are put whole and are idempotent.
 *
 * <p>Layers of images are checked as they are sent (compressed as their media type says,
 * decompressing to the config's diff_id: {@link ArtifactBlobs.Blob#open}); a failing layer's
 * upload is cut short before its last bytes, so the registry commits nothing, and no manifest is
 * put. A layer the registry has already, or mounts, is checked too: by {@link DiffIdRecords}, or
 * else by reading the source once.
 */
final class Pusher {
  private static final Pattern RANGE = Pattern.compile("(?:bytes=)?(\\d+)-(\\d+)");

  private final RegistryHttp http;
  private final RegistryClient client;
  private final RegistryOptions options;
  private final ImageName destination;
  private final String pushScope;
  private final DiffIdRecords diffIds;
  /** The {@code OCI-Subject} header of the answer to the last manifest PUT (distribution-spec 1.1). */
  private volatile Optional<String> subjectHeader = Optional.empty();

  Pusher(RegistryHttp http, RegistryClient client, ImageName destination, DiffIdRecords diffIds) {
    this.diffIds = diffIds;
    this.http = http;
    this.client = client;
    this.options = http.options();
    this.destination = destination;
    this.pushScope = RegistryHttp.scope(destination.path(), "pull,push");
  }

  Descriptor push(Artifact artifact) throws OciException {
    Descriptor top = artifact.descriptor();
    if (destination.digest().isPresent() && !destination.digest().get().equals(top.digest())) {
      throw RegistryException.badInput(
          "pushing to " + destination, "the image's digest is " + top.digest() + ", not the one named");
    }
    List<ArtifactBlobs.Blob> blobs = ArtifactBlobs.of(artifact);
    List<ArtifactBlobs.Blob> leaves = new ArrayList<>();
    List<ArtifactBlobs.Blob> documents = new ArrayList<>();
    for (ArtifactBlobs.Blob b : blobs) {
      if (MediaTypes.isManifestOrIndex(b.descriptor().mediaType())) {
        if (b.descriptor().size() > RegistryClient.MAX_MANIFEST_BYTES) {
          // refuse before uploading anything: the registry would refuse the manifest at the end
          throw RegistryException.badInput(
              "pushing manifest " + b.descriptor().digest(),
              "it is " + b.descriptor().size() + " bytes, more than registries accept (" + RegistryClient.MAX_MANIFEST_BYTES + ")");
        }
        documents.add(b);
      } else {
        leaves.add(b);
      }
    }
    uploadAll(leaves);
    for (ArtifactBlobs.Blob doc : documents) {
      boolean isTop = doc.descriptor().digest().equals(top.digest());
      String reference = isTop && destination.tag().isPresent() && destination.digest().isEmpty()
          ? destination.tag().get()
          : doc.descriptor().digest().toString();
      putManifest(doc, reference, isTop);
    }
    return top;
  }

  /**
   * Whether the registry said it processed the pushed manifest's {@code subject}: the {@code
   * OCI-Subject} header a registry with the referrers API sends (distribution-spec 1.1, "Pushing
   * Manifests with Subject"). Empty when it did not, and the referrers tag schema must be kept.
   */
  Optional<String> subjectHeader() {
    return subjectHeader;
  }

  /** Whether {@link #subjectHeader()} names {@code subject}: the registry indexed it for the referrers API. */
  boolean subjectIndexed(Digest subject) {
    return subjectHeader.map(String::trim).map(subject.toString()::equals).orElse(false);
  }

  /** Puts one document (an index the push made up, such as a referrers tag's) under {@code reference}. */
  void putDocument(Descriptor descriptor, byte[] bytes, String reference) throws OciException {
    putManifest(new ArtifactBlobs.Blob(descriptor, () -> new java.io.ByteArrayInputStream(bytes)), reference, true);
  }

  // ---------------------------------------------------------------- blobs

  private void uploadAll(List<ArtifactBlobs.Blob> leaves) throws OciException {
    if (leaves.isEmpty()) {
      return;
    }
    int threads = Math.min(options.parallelism(), leaves.size());
    if (threads == 1) {
      for (ArtifactBlobs.Blob b : leaves) {
        upload(b);
      }
      return;
    }
    ExecutorService pool = DaemonThreads.fixedPool("jscan-push", threads);
    try {
      ExecutorCompletionService<Void> done = new ExecutorCompletionService<>(pool);
      List<Future<Void>> futures = new ArrayList<>();
      for (ArtifactBlobs.Blob b : leaves) {
        futures.add(done.submit(() -> {
          upload(b);
          return null;
        }));
      }
      for (int i = 0; i < futures.size(); i++) {
        try {
          done.take().get();
        } catch (ExecutionException e) {
          for (Future<Void> f : futures) {
            f.cancel(true);
          }
          throw unwrap(e.getCause());
        }
      }
    } catch (InterruptedException e) {
      throw RegistryHttp.interrupted("pushing to " + destination, e);
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static OciException unwrap(Throwable t) {
    if (t instanceof OciException o) {
      return o;
    }
    if (t instanceof CancellationException) {
      return RegistryException.unexpected("push", "cancelled", t);
    }
    return RegistryException.unexpected("push", String.valueOf(t), t);
  }

  private String blobsPath() {
    return "/v2/" + destination.path() + "/blobs/";
  }

  private boolean exists(Descriptor d, String what) throws RegistryException {
    RegistryHttp.Call call = new RegistryHttp.Call(
        "HEAD", destination.domain(), blobsPath() + d.digest(), Map.of(), Optional.empty(), List.of(pushScope), true, what);
    HttpResponse<InputStream> r = http.send(call);
    int status = r.statusCode();
    RegistryHttp.discard(r);
    if (status == 200) {
      return true;
    }
    if (status == 404) {
      return false;
    }
    throw RegistryException.status(
        status >= 500 ? FailureKind.UNEXPECTED : FailureKind.BAD_INPUT,
        what,
        "HEAD " + blobsPath() + d.digest() + ": " + RegistryHttp.statusText(status),
        status,
        Optional.empty());
  }

  /** Where an upload stands: its location (with the registry's state) and how many bytes it holds. */
  private static final class Upload {
    String location;
    long offset;

    Upload(String location, long offset) {
      this.location = location;
      this.offset = offset;
    }
  }

  /** An upload step failed in a way that another try may fix. */
  private static final class RetryableUploadFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final RegistryException error;

    RetryableUploadFailure(RegistryException error) {
      super(error.getMessage(), error);
      this.error = error;
    }
  }

  private void upload(ArtifactBlobs.Blob blob) throws OciException {
    Descriptor d = blob.descriptor();
    String what = "pushing blob " + d.digest() + " to " + destination.repository();
    if (exists(d, what)) {
      blob.checkPresent(diffIds, blob.opener());
      client.remember(d.digest(), destination);
      options.listener().finished(d, TransferListener.Outcome.EXISTS);
      return;
    }
    Upload upload = null;
    Optional<ImageName> from = client.knownLocation(d.digest(), destination.domain(), destination.path());
    if (from.isPresent()) {
      Optional<Upload> started = mount(d, from.get(), what);
      if (started.isEmpty()) {
        blob.checkPresent(diffIds, blob.opener());
        client.remember(d.digest(), destination);
        options.listener().finished(d, TransferListener.Outcome.MOUNTED);
        return;
      }
      upload = started.get();
    }
    options.listener().started(d, true, 0);
    ChunkSource source = new ChunkSource(blob, d, diffIds, options.listener());
    int failures = 0;
    try {
      while (true) {
        try {
          if (upload == null) {
            upload = start(what);
          }
          if (d.size() <= options.chunkSize() && upload.offset == 0) {
            complete(upload, d, source, true, what);
          } else {
            while (upload.offset < d.size()) {
              patch(upload, d, source, what);
            }
            complete(upload, d, source, false, what);
          }
          break;
        } catch (RetryableUploadFailure f) {
          failures++;
          if (failures >= options.retry().maxAttempts()) {
            throw RegistryException.unexpected(
                what, detail(f.error, what) + " (after " + failures + " attempts)", f.error);
          }
          Duration delay = RegistryHttp.jitter(options.retry().backoff(failures));
          options.listener().retrying(what, failures, delay, detail(f.error, what));
          RegistryHttp.sleep(delay, what);
          if (existsQuietly(d, what)) {
            // the commit went through although its answer was lost
            break;
          }
          upload = upload == null ? null : status(upload, what);
          if (upload != null) {
            options.listener().started(d, true, upload.offset);
          }
        }
      }
    } finally {
      source.close();
    }
    client.remember(d.digest(), destination);
    options.listener().finished(d, TransferListener.Outcome.UPLOADED);
  }

  /** The detail of an error about {@code what}, without repeating {@code what}. */
  private static String detail(RegistryException e, String what) {
    String m = e.getMessage();
    return m.startsWith(what + ": ") ? m.substring(what.length() + 2) : m;
  }

  private boolean existsQuietly(Descriptor d, String what) {
    try {
      return exists(d, what);
    } catch (RegistryException e) {
      return false;
    }
  }

  /**
   * {@code POST ?mount=DIGEST&from=REPO}: 201 means mounted (empty result); 202 means the registry
   * would not mount and started an ordinary upload instead (distribution-spec "Mounting a blob
   * from another repository").
   */
  private Optional<Upload> mount(Descriptor d, ImageName from, String what) throws RegistryException {
    String path = blobsPath() + "uploads/?mount=" + d.digest() + "&from=" + URLEncoder.encode(from.path(), StandardCharsets.UTF_8);
    RegistryHttp.Call call = new RegistryHttp.Call(
        "POST", destination.domain(), path, Map.of(), Optional.empty(),
        List.of(pushScope, RegistryHttp.scope(from.path(), "pull")), true, what);
    HttpResponse<InputStream> r;
    try {
      r = http.send(call);
    } catch (RegistryException e) {
      if (e.kind() == FailureKind.BAD_INPUT) {
        // no pull access to the other repository: upload instead
        return Optional.of(start(what));
      }
      throw e;
    }
    int status = r.statusCode();
    Optional<String> location = r.headers().firstValue("Location");
    RegistryHttp.discard(r);
    if (status == 201) {
      return Optional.empty();
    }
    if (status == 202 && location.isPresent()) {
      return Optional.of(new Upload(location.get(), 0));
    }
    return Optional.of(start(what));
  }

  /** {@code POST /v2/NAME/blobs/uploads/}: a new upload session. */
  private Upload start(String what) throws RegistryException {
    RegistryHttp.Call call = new RegistryHttp.Call(
        "POST", destination.domain(), blobsPath() + "uploads/", Map.of(), Optional.empty(), List.of(pushScope), true, what);
    HttpResponse<InputStream> r = http.send(call);
    if (r.statusCode() != 202) {
      throw RegistryHttp.failure(call, r);
    }
    Optional<String> location = r.headers().firstValue("Location");
    RegistryHttp.discard(r);
    if (location.isEmpty()) {
      throw RegistryException.badInput(what, "the registry started an upload without a Location");
    }
    return new Upload(location.get(), 0);
  }

  /** {@code PATCH} the next chunk; the registry's {@code Range} says where the upload stands. */
  private void patch(Upload upload, Descriptor d, ChunkSource source, String what)
      throws OciException, RetryableUploadFailure {
    long length = Math.min(options.chunkSize(), d.size() - upload.offset);
    boolean last = upload.offset + length == d.size();
    long start = upload.offset;
    RegistryHttp.Body body = new RegistryHttp.Body() {
      @Override
      public long length() {
        return length;
      }

      @Override
      public InputStream open() throws IOException {
        // the last chunk reads the source to its end, so the source's own check runs
        return source.at(start, last ? -1 : length);
      }
    };
    RegistryHttp.Call call = new RegistryHttp.Call(
        "PATCH", destination.domain(), upload.location,
        Map.of("Content-Type", "application/octet-stream", "Content-Range", start + "-" + (start + length - 1)),
        Optional.of(body), List.of(pushScope), false, what);
    HttpResponse<InputStream> r = sendUpload(call);
    int status = r.statusCode();
    if (status != 202) {
      RegistryException e = RegistryHttp.failure(call, r);
      if (status == 404 || status == 416 || status >= 500) {
        throw new RetryableUploadFailure(e);
      }
      throw e;
    }
    upload.location = r.headers().firstValue("Location").orElse(upload.location);
    upload.offset = r.headers().firstValue("Range").map(Pusher::endOfRange).orElse(start + length);
    RegistryHttp.discard(r);
  }

  /**
   * The final {@code PUT ?digest=}: with the whole blob as body (monolithic upload) or empty after
   * chunks. The registry commits only content that hashes to the digest.
   */
  private void complete(Upload upload, Descriptor d, ChunkSource source, boolean withBody, String what)
      throws OciException, RetryableUploadFailure {
    String location = upload.location + (upload.location.contains("?") ? "&" : "?") + "digest="
        + URLEncoder.encode(d.digest().toString(), StandardCharsets.UTF_8);
    Optional<RegistryHttp.Body> body = Optional.empty();
    if (withBody) {
      body = Optional.of(new RegistryHttp.Body() {
        @Override
        public long length() {
          return d.size();
        }

        @Override
        public InputStream open() throws IOException {
          return source.at(0, -1);
        }
      });
    } else if (d.size() == 0) {
      source.verifyEmpty();
    }
    RegistryHttp.Call call = new RegistryHttp.Call(
        "PUT", destination.domain(), location, Map.of("Content-Type", "application/octet-stream"),
        body.isPresent() ? body : Optional.of(RegistryHttp.EMPTY_BODY), List.of(pushScope), false, what);
    HttpResponse<InputStream> r = sendUpload(call);
    int status = r.statusCode();
    if (status != 201) {
      RegistryException e = RegistryHttp.failure(call, r);
      if (status == 404 || status >= 500) {
        throw new RetryableUploadFailure(e);
      }
      throw e;
    }
    Optional<String> said = r.headers().firstValue("Docker-Content-Digest");
    RegistryHttp.discard(r);
    if (said.isPresent() && Digest.isValid(said.get().trim()) && !Digest.parse(said.get().trim()).equals(d.digest())) {
      throw RegistryException.integrity(what, "the registry stored the blob as " + said.get().trim());
    }
  }

  /** Sends an upload request; connection failures and retryable statuses become retryable failures. */
  private HttpResponse<InputStream> sendUpload(RegistryHttp.Call call) throws OciException, RetryableUploadFailure {
    try {
      HttpResponse<InputStream> r = http.send(call);
      if (RegistryHttp.isRetryableStatus(r.statusCode())) {
        throw new RetryableUploadFailure(RegistryHttp.failure(call, r));
      }
      return r;
    } catch (RegistryException e) {
      Optional<OciException> source = ChunkSource.sourceFailure(e);
      if (source.isPresent()) {
        throw source.get();
      }
      if (e.kind() == FailureKind.INTEGRITY) {
        throw e;
      }
      if (e.kind() == FailureKind.UNEXPECTED) {
        throw new RetryableUploadFailure(e);
      }
      throw e;
    }
  }

  /**
   * {@code GET} on the upload (distribution-spec "Getting upload status"): where to go on, or
   * empty when the registry forgot the upload (a new one is then started).
   */
  private Upload status(Upload upload, String what) {
    RegistryHttp.Call call = new RegistryHttp.Call(
        "GET", destination.domain(), upload.location, Map.of(), Optional.empty(), List.of(pushScope), true, what);
    try {
      HttpResponse<InputStream> r = http.send(call);
      int status = r.statusCode();
      Optional<String> range = r.headers().firstValue("Range");
      Optional<String> location = r.headers().firstValue("Location");
      RegistryHttp.discard(r);
      if (status != 204) {
        return null;
      }
      long offset = range.map(Pusher::endOfRange).orElse(0L);
      return new Upload(location.orElse(upload.location), offset);
    } catch (RegistryException e) {
      return null;
    }
  }

  /**
   * The next offset from a {@code Range: 0-N} header (N inclusive). distribution answers
   * {@code 0-0} for an empty upload too, so {@code 0-0} is read as nothing uploaded: at worst
   * the first byte is sent again and refused with 416, which starts a new upload.
   */
  static long endOfRange(String range) {
    Matcher m = RANGE.matcher(range.trim());
    if (!m.matches()) {
      return 0;
    }
    long end = Long.parseLong(m.group(2));
    return end == 0 ? 0 : end + 1;
  }

  // ---------------------------------------------------------------- manifests

  private void putManifest(ArtifactBlobs.Blob doc, String reference, boolean isTop) throws OciException {
    Descriptor d = doc.descriptor();
    String what = "pushing manifest " + d.digest() + " to " + destination.repository();
    byte[] bytes;
    try (InputStream in = doc.open(DiffIdRecords.NONE)) {
      bytes = in.readNBytes(RegistryClient.MAX_MANIFEST_BYTES + 1);
    } catch (IOException e) {
      throw OciException.reading(what, e);
    }
    if (bytes.length != d.size() || !Digest.sha256(bytes).equals(d.digest()) && d.digest().algorithm().equals(Digest.SHA256)) {
      throw RegistryException.integrity(what, "the manifest's bytes do not match its descriptor");
    }
    Optional<String> subject = putManifestBytes(d, bytes, reference, what);
    if (isTop) {
      subjectHeader = subject;
    }
    options.listener().finished(d, TransferListener.Outcome.UPLOADED);
  }

  /**
   * {@code PUT /v2/NAME/manifests/REFERENCE} of {@code bytes} (already checked against {@code d});
   * returns the answer's {@code OCI-Subject} header.
   */
  Optional<String> putManifestBytes(Descriptor d, byte[] bytes, String reference, String what) throws OciException {
    RegistryHttp.Body body = new RegistryHttp.Body() {
      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public InputStream open() {
        return new java.io.ByteArrayInputStream(bytes);
      }
    };
    RegistryHttp.Call call = new RegistryHttp.Call(
        "PUT", destination.domain(), "/v2/" + destination.path() + "/manifests/" + reference,
        Map.of("Content-Type", d.mediaType()), Optional.of(body), List.of(pushScope), true, what);
    HttpResponse<InputStream> r = http.send(call);
    if (r.statusCode() != 201) {
      throw RegistryHttp.failure(call, r);
    }
    Optional<String> said = r.headers().firstValue("Docker-Content-Digest");
    Optional<String> subject = r.headers().firstValue("OCI-Subject");
    RegistryHttp.discard(r);
    if (said.isPresent() && Digest.isValid(said.get().trim())) {
      Digest registryDigest = Digest.parse(said.get().trim());
      if (registryDigest.algorithm().equals(d.digest().algorithm()) && !registryDigest.equals(d.digest())) {
        throw RegistryException.integrity(what, "the registry stored the manifest as " + registryDigest);
      }
    }
    return subject;
  }

  // ---------------------------------------------------------------- the source side

  /**
   * The blob being uploaded, read once from start to end across chunks; reopened and skipped
   * forward only when a retry goes back. Reads are verified against the descriptor by the
   * source's own stream: the last chunk reads to the end, where the check runs, so jscan never
   * sends a blob whose content does not match.
   */
  static final class ChunkSource {
    private final ArtifactBlobs.Blob blob;
    private final Descriptor descriptor;
    private final DiffIdRecords diffIds;
    private final TransferListener listener;
    private InputStream in;
    private long position;
    private long reported;

    ChunkSource(ArtifactBlobs.Blob blob, Descriptor descriptor, DiffIdRecords diffIds, TransferListener listener) {
      this.diffIds = diffIds;
      this.blob = blob;
      this.descriptor = descriptor;
      this.listener = listener;
    }

    /** A stream of the blob from {@code offset}, of {@code length} bytes (-1: to the end). */
    synchronized InputStream at(long offset, long length) throws IOException {
      if (in == null || position != offset) {
        close();
        try {
          in = blob.open(diffIds);
        } catch (OciException e) {
          throw new SourceFailure(e);
        }
        position = 0;
        in.skipNBytes(offset);
        position = offset;
      }
      InputStream source = in;
      return new InputStream() {
        long left = length;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          int n = read(one, 0, 1);
          return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left == 0) {
            return -1;
          }
          int want = left < 0 ? len : (int) Math.min(len, left);
          int n = source.read(b, off, want);
          if (n > 0) {
            synchronized (ChunkSource.this) {
              position += n;
              if (left > 0) {
                left -= n;
              }
              if (position - reported >= 256 * 1024 || position == descriptor.size()) {
                reported = position;
                listener.progressed(descriptor, position);
              }
            }
          }
          return n;
        }
      };
    }

    /** An empty blob is never read by an upload: check it here. */
    void verifyEmpty() throws OciException {
      try (InputStream s = blob.open(diffIds)) {
        if (s.read() >= 0) {
          throw RegistryException.integrity("blob " + descriptor.digest(), "the blob is not empty although its descriptor says so");
        }
      } catch (IOException e) {
        throw OciException.reading("blob " + descriptor.digest(), e);
      }
    }

    synchronized void close() {
      if (in == null) {
        return;
      }
      try {
        if (in instanceof VerifyingInputStream v) {
          v.abandon();
        } else {
          in.close();
        }
      } catch (IOException ignored) {
        // done with it
      }
      in = null;
    }

    /** The source failed (not the network): no retry helps. */
    static final class SourceFailure extends IOException {
      private static final long serialVersionUID = 1L;
      final OciException error;

      SourceFailure(OciException error) {
        super(error.getMessage(), error);
        this.error = error;
      }
    }

    static Optional<OciException> sourceFailure(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof SourceFailure s) {
          return Optional.of(s.error);
        }
        if (t instanceof ContentMismatchException m) {
          return Optional.of(new OciException(FailureKind.INTEGRITY, m.what(), m.detail(), m));
        }
      }
      return Optional.empty();
    }
  }
}
