package io.jscan.core.transport.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.Deadline;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.ArtifactBlobs;
import io.jscan.core.image.BlobSource;
import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.image.Images;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of the OCI distribution API ({@code /v2/}): reads images from registries and writes
 * them there, for any {@link Artifact}, whichever transport it came from.
 *
 * <pre>{@code
 * RegistryClient registry = new RegistryClient(RegistryOptions.fromEnvironment(System.getenv()));
 * Artifact image = registry.read(ImageName.parse("registry.example.com/team/app:1.4")); // lazy
 * registry.push(image, ImageName.parse("localhost:5000/app:1.4"));
 * }</pre>
 *
 * <p><b>Reading</b> fetches the manifest at once (it must be at most {@link #MAX_MANIFEST_BYTES}
 * bytes, as distribution enforces, and of a media type jscan knows), checks its digest against
 * the one asked for and against the registry's {@code Docker-Content-Digest}, and yields a lazy
 * artifact whose blobs are streamed when opened, verified as they arrive, and never stored:
 * {@code jscan verify} reads registry images that way. {@link #pull} copies into the local store
 * instead, several blobs at once; nothing is stored that has not been verified, and the image is
 * named only once all its blobs are there.
 *
 * <p><b>Writing</b> ({@link #push}) uploads blobs the registry lacks (checked with {@code HEAD}),
 * mounts those it has in another repository it is known to hold them in, uploads small blobs in
 * one request and large ones in chunks that resume where the registry says the upload stands,
 * then puts manifests children first, so the tag moves only when everything it points at is
 * there. The registry checks every blob's digest before committing it, so no retry can leave a
 * corrupt blob behind.
 *
 * <p>Thread-safe; one client can serve many operations (it keeps tokens and connections).
 */
public final class RegistryClient {
  /** distribution's default limit for manifests (registry/handlers: maxManifestBodySize). */
  public static final int MAX_MANIFEST_BYTES = (int) InputLimit.REGISTRY_MANIFEST.bytes();

  /** Every manifest type jscan reads, OCI first (distribution-spec "Pulling manifests"). */
  static final String ACCEPT = String.join(
      ", ",
      MediaTypes.OCI_INDEX,
      MediaTypes.OCI_MANIFEST,
      MediaTypes.DOCKER_MANIFEST_LIST,
      MediaTypes.DOCKER_MANIFEST);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryHttp http;
  private final RegistryOptions options;
  /** Where blobs are known to be: digest to repositories (registry + path), for cross-repository mounts. */
  private final Map<Digest, Set<ImageName>> knownLocations;

  public RegistryClient(RegistryOptions options) {
    this(options, new RegistryHttp(options), new ConcurrentHashMap<>());
  }

  private RegistryClient(RegistryOptions options, RegistryHttp http, Map<Digest, Set<ImageName>> knownLocations) {
    this.options = options;
    this.http = http;
    this.knownLocations = knownLocations;
  }

  public RegistryOptions options() {
    return options;
  }

  /**
   * This client (its connections, tokens and what it knows about registries), for an operation
   * that must be done by {@code deadline}: every request, retry, resumed download and token fetch
   * made through the view, and every blob read from artifacts it returns, stops when the deadline
   * passes, with a failure naming the registry and the deadline ({@link FailureKind#UNEXPECTED}:
   * the registry failed, not the input). A command makes one view for its whole run; the webhook
   * one per verification.
   */
  public RegistryClient withDeadline(Deadline deadline) {
    return new RegistryClient(options, http.withDeadline(deadline), knownLocations);
  }

  /** The deadline of this view ({@link Deadline#none()} unless {@link #withDeadline} made it). */
  public Deadline deadline() {
    return http.deadline();
  }

  // ---------------------------------------------------------------- login

  /**
   * Proves that {@code credentials} are accepted by {@code registry} (a token for the registry's
   * challenge, or an authenticated {@code GET /v2/}); this client uses them from then on.
   */
  public void login(String registry, Credentials credentials) throws RegistryException {
    http.login(registry, credentials);
  }

  // ---------------------------------------------------------------- reading

  /** A manifest as fetched: its descriptor (media type, digest, size) and exact bytes. */
  public record FetchedManifest(Descriptor descriptor, byte[] bytes) {}

  /**
   * The descriptor {@code name} resolves to: a tag to the digest it points at now (what a lock
   * file pins). The manifest is fetched and hashed rather than trusting a {@code HEAD}'s
   * {@code Docker-Content-Digest}, so the digest is one jscan computed.
   */
  public Descriptor resolve(ImageName name) throws RegistryException {
    return fetchManifest(name, reference(name)).descriptor();
  }

  /** The artifact {@code name} names: its manifest fetched and checked now, its blobs streamed when read. */
  public Artifact read(ImageName name) throws OciException {
    FetchedManifest m = fetchManifest(name, reference(name));
    RegistryBlobSource source = new RegistryBlobSource(name);
    source.remember(m);
    return Images.artifact(source, m.descriptor());
  }

  /** The blobs of {@code repository} (its tag or digest is ignored), each read verified and streamed. */
  public BlobSource blobs(ImageName repository) {
    return new RegistryBlobSource(repository);
  }

  private static String reference(ImageName name) {
    return name.digest().map(Digest::toString).orElseGet(() -> name.tag().orElseThrow());
  }

  private static String manifestPath(ImageName name, String reference) {
    return "/v2/" + name.path() + "/manifests/" + reference;
  }

  private static String blobPath(ImageName name, Digest digest) {
    return "/v2/" + name.path() + "/blobs/" + digest;
  }

  private static String pull(ImageName name) {
    return RegistryHttp.scope(name.path(), "pull");
  }

  /**
   * {@code GET /v2/NAME/manifests/REFERENCE} with every manifest type in {@code Accept}; the
   * answer is bounded, typed and checked against its digest before anyone sees it.
   */
  public FetchedManifest fetchManifest(ImageName name, String reference) throws RegistryException {
    String what = "manifest " + name.repository() + (reference.contains(":") ? "@" : ":") + reference;
    RegistryHttp.Call call =
        RegistryHttp.Call.get(name.domain(), manifestPath(name, reference), List.of(pull(name)), what)
            .withHeader("Accept", ACCEPT);
    HttpResponse<InputStream> r = http.send(call);
    if (r.statusCode() != 200) {
      throw RegistryHttp.failure(call, r);
    }
    OptionalLongHolder declared = OptionalLongHolder.of(r.headers().firstValue("Content-Length"));
    if (declared.value > MAX_MANIFEST_BYTES) {
      RegistryHttp.discard(r);
      throw RegistryException.badInput(
          what, "the manifest is " + declared.value + " bytes, more than the limit of " + MAX_MANIFEST_BYTES + " bytes");
    }
    byte[] bytes;
    try (InputStream in = r.body()) {
      bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
    } catch (IOException e) {
      throw RegistryException.unexpected(what, "reading the manifest: " + RegistryHttp.describe(e), e);
    }
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw RegistryException.badInput(what, "the manifest is more than the limit of " + MAX_MANIFEST_BYTES + " bytes");
    }
    String mediaType = mediaTypeOf(what, r.headers().firstValue("Content-Type"), bytes);
    Optional<Digest> asked = Digest.isValid(reference) ? Optional.of(Digest.parse(reference)) : Optional.empty();
    String algorithm = asked.map(Digest::algorithm).orElse(Digest.SHA256);
    if (asked.isPresent() && !asked.get().isVerifiable()) {
      throw RegistryException.integrity(what, "cannot verify digest algorithm " + algorithm);
    }
    Digest actual = digest(algorithm, bytes);
    if (asked.isPresent() && !asked.get().equals(actual)) {
      throw RegistryException.integrity(what, "the registry answered content with digest " + actual + " instead");
    }
    Optional<String> header = r.headers().firstValue("Docker-Content-Digest");
    if (header.isPresent() && Digest.isValid(header.get().trim())) {
      Digest said = Digest.parse(header.get().trim());
      if (said.algorithm().equals(actual.algorithm()) && !said.equals(actual)) {
        // fail closed: the registry contradicts the bytes it sent
        throw RegistryException.integrity(what, "the registry says the digest is " + said + " but the content's digest is " + actual);
      }
    }
    FetchedManifest fetched = new FetchedManifest(new Descriptor(mediaType, actual, bytes.length), bytes);
    rememberLocations(name, fetched);
    return fetched;
  }

  /** The media type of a fetched manifest: the header, or the document's own field when the header is generic. */
  private static String mediaTypeOf(String what, Optional<String> contentType, byte[] bytes) throws RegistryException {
    String type = contentType.map(t -> t.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse("");
    if (type.isEmpty() || type.equals("application/json") || type.equals("text/plain") || type.equals("application/octet-stream")) {
      try {
        JsonNode node = JSON.readTree(bytes);
        JsonNode field = node == null ? null : node.get("mediaType");
        type = field != null && field.isTextual() ? field.asText() : "";
      } catch (IOException e) {
        throw RegistryException.badInput(what, "the registry answered something that is not JSON");
      }
    }
    if (MediaTypes.DOCKER_MANIFEST_V1.equals(type) || MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(type)) {
      throw RegistryException.badInput(what, "Docker schema 1 manifests are deprecated and not supported");
    }
    if (!MediaTypes.isManifestOrIndex(type)) {
      throw RegistryException.badInput(
          what, "unsupported media type " + (type.isEmpty() ? "(none)" : type) + " (not an image manifest or index)");
    }
    return type;
  }

  private static Digest digest(String algorithm, byte[] bytes) {
    String jca = switch (algorithm) {
      case "sha384" -> "SHA-384";
      case "sha512" -> "SHA-512";
      default -> "SHA-256";
    };
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(jca);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("JCA lacks " + jca, e);
    }
    md.update(bytes);
    return Digest.of(algorithm, md);
  }

  private void rememberLocations(ImageName name, FetchedManifest m) {
    if (!MediaTypes.isImageManifest(m.descriptor().mediaType())) {
      return;
    }
    try {
      Manifest manifest = OciJson.parseManifest(m.bytes(), "manifest", Optional.of(m.descriptor().mediaType()));
      remember(manifest.config().digest(), name);
      for (Descriptor layer : manifest.layers()) {
        remember(layer.digest(), name);
      }
    } catch (OciException e) {
      // reported when the image is used
    }
  }

  void remember(Digest digest, ImageName repository) {
    knownLocations.computeIfAbsent(digest, d -> ConcurrentHashMap.newKeySet()).add(repository.withoutDigest().withTag("latest"));
  }

  /** A repository of {@code registry} other than {@code except} known to hold {@code digest}. */
  Optional<ImageName> knownLocation(Digest digest, String registry, String exceptPath) {
    Set<ImageName> where = knownLocations.get(digest);
    if (where == null) {
      return Optional.empty();
    }
    return where.stream().filter(n -> n.domain().equals(registry) && !n.path().equals(exceptPath)).findFirst();
  }

  /** A Content-Length, or -1. */
  private record OptionalLongHolder(long value) {
    static OptionalLongHolder of(Optional<String> header) {
      try {
        return new OptionalLongHolder(header.map(h -> Long.parseLong(h.trim())).orElse(-1L));
      } catch (NumberFormatException e) {
        return new OptionalLongHolder(-1);
      }
    }
  }

  /** Blobs of one repository; manifests by digest come from the manifests endpoint. */
  private final class RegistryBlobSource implements BlobSource {
    private final ImageName repository;
    private final Map<Digest, byte[]> manifests = new ConcurrentHashMap<>();

    RegistryBlobSource(ImageName repository) {
      this.repository = repository;
    }

    void remember(FetchedManifest m) {
      manifests.put(m.descriptor().digest(), m.bytes());
    }

    @Override
    public InputStream openUnverified(Descriptor descriptor) throws OciException {
      if (MediaTypes.isManifestOrIndex(descriptor.mediaType())) {
        byte[] known = manifests.get(descriptor.digest());
        if (known == null) {
          FetchedManifest m = fetchManifest(repository, descriptor.digest().toString());
          known = m.bytes();
          manifests.put(descriptor.digest(), known);
        }
        return new ByteArrayInputStream(known);
      }
      return openBlob(repository, descriptor);
    }
  }

  /** {@code GET /v2/NAME/blobs/DIGEST}, following redirects to blob storage, resumed when cut. */
  InputStream openBlob(ImageName repository, Descriptor descriptor) throws RegistryException {
    String what = "blob " + descriptor.digest() + " of " + repository.repository();
    RegistryHttp.Call call = RegistryHttp.Call.get(
        repository.domain(), blobPath(repository, descriptor.digest()), List.of(pull(repository)), what);
    HttpResponse<InputStream> first = http.send(call);
    if (first.statusCode() != 200) {
      if (first.statusCode() == 404) {
        RegistryHttp.discard(first);
        throw RegistryException.status(
            FailureKind.BAD_INPUT, what, "GET " + blobPath(repository, descriptor.digest()) + ": 404 Not Found (blob unknown)", 404, Optional.of("BLOB_UNKNOWN"));
      }
      throw RegistryHttp.failure(call, first);
    }
    options.listener().started(descriptor, false, 0);
    return new ResumingBlobStream(
        descriptor,
        first.body(),
        http.limits("registry " + repository.domain()),
        offset -> {
          try {
            return http.send(call.withHeader("Range", "bytes=" + offset + "-"));
          } catch (RegistryException e) {
            throw new IOException(e.getMessage(), e);
          }
        },
        options,
        what);
  }

  // ---------------------------------------------------------------- pulling into the store

  /**
   * Copies what {@code name} names into {@code store} and names it {@code names} there: the image
   * for {@code platform} when given (an index is resolved to it), else the whole artifact (every
   * platform of an index). Blobs the store has are not fetched; the others are fetched
   * {@link RegistryOptions#parallelism()} at a time, each verified before it lands; the names
   * are written only once every blob is in.
   *
   * @return the artifact stored (the platform's image, or the whole artifact)
   */
  public Artifact pull(ImageName name, LocalStore store, Optional<Platform> platform, List<ImageName> names)
      throws OciException {
    return pull(read(name), store, platform, names);
  }

  /**
   * As {@link #pull(ImageName, LocalStore, Optional, List)}, for an artifact already {@link #read}
   * (a caller that looked at what a tag names first, to pin it, fetches its manifest once).
   */
  public Artifact pull(Artifact read, LocalStore store, Optional<Platform> platform, List<ImageName> names)
      throws OciException {
    Artifact artifact = read;
    if (platform.isPresent()) {
      artifact = Images.forPlatform(artifact, platform.get());
    }
    for (ArtifactBlobs.Blob blob : ArtifactBlobs.of(artifact)) {
      if (!MediaTypes.isManifestOrIndex(blob.descriptor().mediaType()) && store.layout().hasBlob(blob.descriptor().digest())) {
        options.listener().finished(blob.descriptor(), TransferListener.Outcome.EXISTS);
      }
    }
    store.write(artifact, names, options.parallelism());
    return artifact;
  }

  /**
   * What {@code name} (its tag, or digest) names in the registry now, by a {@code HEAD} of the
   * manifest (distribution-spec "Checking if content exists in the registry"): the media type and
   * the {@code Docker-Content-Digest}, without the manifest's bytes (Docker Hub does not count a
   * HEAD against its pull rate limit). A registry whose answer names no digest or no manifest
   * media type is asked with a {@code GET} instead, and the digest computed. Empty on 404.
   *
   * <p>The digest is the registry's word, not one jscan computed from the bytes: use it to compare
   * (is the registry's tag still what we have?), never to trust content.
   */
  public Optional<Descriptor> head(ImageName name) throws RegistryException {
    String reference = reference(name);
    String what = "manifest " + name.repository() + (reference.contains(":") ? "@" : ":") + reference;
    RegistryHttp.Call call =
        RegistryHttp.Call.get(name.domain(), manifestPath(name, reference), List.of(pull(name)), what)
            .withMethod("HEAD")
            .withHeader("Accept", ACCEPT);
    HttpResponse<InputStream> r = http.send(call);
    if (r.statusCode() != 200 && r.statusCode() != 404) {
      throw RegistryHttp.failure(call, r);
    }
    RegistryHttp.discard(r);
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    String type = r.headers().firstValue("Content-Type").map(t -> t.split(";", 2)[0].trim().toLowerCase(Locale.ROOT)).orElse("");
    Optional<String> said = r.headers().firstValue("Docker-Content-Digest").map(String::trim).filter(Digest::isValid);
    long size = OptionalLongHolder.of(r.headers().firstValue("Content-Length")).value;
    if (said.isPresent() && MediaTypes.isManifestOrIndex(type) && size >= 0) {
      return Optional.of(new Descriptor(type, Digest.parse(said.get()), size));
    }
    return fetchManifestIfPresent(name, reference).map(FetchedManifest::descriptor);
  }

  /**
   * The manifest under {@code reference}, or empty when the registry has none (404: unknown tag,
   * manifest or repository). Other failures are thrown.
   */
  public Optional<FetchedManifest> fetchManifestIfPresent(ImageName name, String reference) throws RegistryException {
    try {
      return Optional.of(fetchManifest(name, reference));
    } catch (RegistryException e) {
      if (e.httpStatus().orElse(0) == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Whether the registry has a manifest under {@code reference}, and its digest, asked with a
   * {@code HEAD} (distribution-spec "Checking if content exists in the registry"): for the tags
   * that usually do not exist ({@code sha256-<hex>.sig} on every push and pull), a {@code HEAD}
   * costs no body and Docker Hub does not count it as a pull. The digest is the registry's {@code
   * Docker-Content-Digest}, not one jscan computed: good for deciding whether to fetch or copy, not
   * for trusting content; without the header the manifest is fetched and hashed.
   *
   * @return empty when the registry answers 404
   */
  public Optional<Digest> manifestDigest(ImageName name, String reference) throws RegistryException {
    String what = "manifest " + name.repository() + (reference.contains(":") ? "@" : ":") + reference;
    RegistryHttp.Call call = RegistryHttp.Call.get(name.domain(), manifestPath(name, reference), List.of(pull(name)), what)
        .withHeader("Accept", ACCEPT).withMethod("HEAD");
    HttpResponse<InputStream> r = http.send(call);
    if (r.statusCode() != 200 && r.statusCode() != 404) {
      throw RegistryHttp.failure(call, r);
    }
    RegistryHttp.discard(r);
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    Optional<String> header = r.headers().firstValue("Docker-Content-Digest").map(String::trim).filter(Digest::isValid);
    if (header.isPresent()) {
      return Optional.of(Digest.parse(header.get()));
    }
    return fetchManifestIfPresent(name, reference).map(m -> m.descriptor().digest());
  }

  // ---------------------------------------------------------------- pushing

  /**
   * Writes {@code artifact} with every blob it references to {@code destination}: under its tag,
   * or, for a destination by digest, under that digest (which must be the artifact's).
   *
   * @return the descriptor of what was pushed
   */
  public Descriptor push(Artifact artifact, ImageName destination) throws OciException {
    return push(artifact, destination, DiffIdRecords.NONE);
  }

  /**
   * As {@link #push(Artifact, ImageName)}, checking layers with {@code diffIds} (the local store's,
   * when the command has it open): a layer they prove is not decompressed again while it is sent,
   * or read again when the registry has it already.
   */
  public Descriptor push(Artifact artifact, ImageName destination, DiffIdRecords diffIds) throws OciException {
    return new Pusher(http, this, destination, diffIds).push(artifact);
  }

  // ---------------------------------------------------------------- referrers

  /**
   * The OCI 1.1 artifacts attached to images of {@code repository} (its tag or digest is ignored):
   * the referrers API, or the referrers tag schema where the registry lacks it ({@link RegistryReferrers}).
   */
  public io.jscan.core.image.Referrers referrers(ImageName repository) {
    return new RegistryReferrers(this, repository);
  }

  RegistryHttp http() {
    return http;
  }
}
