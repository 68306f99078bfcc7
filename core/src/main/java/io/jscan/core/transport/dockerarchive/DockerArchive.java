package io.jscan.core.transport.dockerarchive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.BlobSource;
import io.jscan.core.image.Image;
import io.jscan.core.image.Images;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.Compressions;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.transport.ImageName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@code docker save} archive as a source.
 *
 * <p>Two layouts exist, and both carry {@code manifest.json} (a list of {Config, RepoTags, Layers}),
 * which is what {@code docker load} reads and what is authoritative here:
 * <ul>
 *   <li><b>Classic</b> (Docker before 25): {@code <id>/layer.tar}, {@code <id>.json} configs,
 *       {@code repositories}. There is no manifest, so one is synthesised: Docker schema 2, config
 *       bytes exactly as stored, layers as stored. An uncompressed layer's digest is its diff_id
 *       (verified when read); a compressed member (some tools write {@code .tar.gz}) is hashed.
 *   <li><b>Docker 25+</b>: also an OCI layout ({@code oci-layout}, {@code index.json},
 *       {@code blobs/sha256/}). The real manifest is preferred, so that the image keeps its
 *       registry digest: first one that index.json lists, else one found among the blobs, whose
 *       config and layers are those of the manifest.json entry.
 * </ul>
 *
 * <p>Layers may be tar links to other members. A {@code null} or missing {@code manifest.json}
 * (the legacy v1 format) is refused with a clear error. The archive must be uncompressed
 * ({@code docker save} output; gunzip a compressed one first).
 */
public final class DockerArchive {
  static final String MANIFEST_JSON = "manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Blobs larger than this are not considered when searching for a manifest among the blobs. */
  private static final long MAX_DOCUMENT = InputLimit.MANIFEST.bytes();

  /** One entry of manifest.json, paths normalised. */
  public record Entry(String config, List<String> repoTags, List<String> layers) {
    public Entry {
      repoTags = List.copyOf(repoTags);
      layers = List.copyOf(layers);
    }
  }

  private final Path file;
  private final String what;
  private final TarMembers members;
  private final List<Entry> entries;

  private DockerArchive(Path file, TarMembers members, List<Entry> entries) {
    this.file = file;
    this.what = "docker archive " + file;
    this.members = members;
    this.entries = entries;
  }

  /** Scans the archive and reads its manifest.json. */
  public static DockerArchive open(Path file) throws OciException {
    String what = "docker archive " + file;
    try {
      // a FIFO (or /dev/stdin from a pipe) is refused before it is opened: the archive is read more than once
      BoundedFiles.requireRegularFile(file, "the archive");
    } catch (InputFileException e) {
      throw e.problem() == InputFileException.Problem.MISSING
          ? OciException.badInput(what, "no such file")
          : new OciException(e.kind(), what, e.detail(), e);
    }
    refuseCompressed(file, what);
    TarMembers members = TarMembers.scan(file, what);
    if (!members.has(MANIFEST_JSON)) {
      throw OciException.badInput(
          what,
          "no manifest.json: not a docker save archive"
              + (members.has("repositories") ? " (the legacy format without manifest.json is not supported)" : ""));
    }
    byte[] json = members.readAll(members.member(MANIFEST_JSON, what).orElseThrow(), MAX_DOCUMENT, what);
    return new DockerArchive(file, members, parseManifestJson(json, what + ": manifest.json"));
  }

  private static void refuseCompressed(Path file, String what) throws OciException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(6);
      Compressions.Sniffed sniffed = Compressions.sniff(head, head.length);
      if (sniffed != Compressions.Sniffed.UNCOMPRESSED) {
        throw OciException.badInput(
            what, "the archive is " + sniffed.name().toLowerCase(java.util.Locale.ROOT) + "-compressed; decompress it first");
      }
    } catch (IOException e) {
      throw OciException.io(what, e);
    }
  }

  static List<Entry> parseManifestJson(byte[] bytes, String what) throws OciException {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw OciException.badInput(what, "invalid JSON: " + e.getMessage());
    }
    if (root == null || !root.isArray()) {
      throw OciException.badInput(
          what, "expected a list of images, got " + (root == null || root.isMissingNode() ? "nothing" : root.isNull() ? "null" : root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
    }
    if (root.isEmpty()) {
      throw OciException.badInput(what, "lists no image");
    }
    List<Entry> result = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      String p = "[" + i + "]";
      JsonNode e = root.get(i);
      if (!e.isObject()) {
        throw OciException.badInput(what, p + ": expected an object");
      }
      JsonNode config = e.get("Config");
      if (config == null || !config.isTextual() || config.textValue().isEmpty()) {
        throw OciException.badInput(what, p + ".Config: expected a path");
      }
      List<String> tags = new ArrayList<>();
      JsonNode repoTags = e.get("RepoTags");
      if (repoTags != null && !repoTags.isNull()) {
        if (!repoTags.isArray()) {
          throw OciException.badInput(what, p + ".RepoTags: expected a list");
        }
        for (JsonNode t : repoTags) {
          if (!t.isTextual()) {
            throw OciException.badInput(what, p + ".RepoTags: expected strings");
          }
          tags.add(t.textValue());
        }
      }
      JsonNode layers = e.get("Layers");
      if (layers == null || !layers.isArray()) {
        throw OciException.badInput(what, p + ".Layers: expected a list of paths");
      }
      List<String> layerPaths = new ArrayList<>();
      for (JsonNode l : layers) {
        if (!l.isTextual()) {
          throw OciException.badInput(what, p + ".Layers: expected strings");
        }
        layerPaths.add(TarMembers.normalise(l.textValue(), what));
      }
      result.add(new Entry(TarMembers.normalise(config.textValue(), what), tags, layerPaths));
    }
    return List.copyOf(result);
  }

  public Path file() {
    return file;
  }

  /** The images manifest.json lists, in its order. */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * The image named {@code name} (matched against the normalised RepoTags, so {@code test_image_1},
   * {@code test_image_1:latest} and {@code docker.io/library/test_image_1:latest} are the same), or
   * the only image when no name is given.
   */
  public Image image(Optional<ImageName> name) throws OciException {
    if (name.isEmpty()) {
      if (entries.size() != 1) {
        throw OciException.badInput(
            what, entries.size() + " images in the archive; name one with docker-archive:FILE:NAME:TAG (" + allTags() + ")");
      }
      return image(0);
    }
    ImageName wanted = name.get();
    for (int i = 0; i < entries.size(); i++) {
      for (String tag : entries.get(i).repoTags()) {
        if (parseTag(tag, i).equals(wanted)) {
          return image(i);
        }
      }
    }
    throw OciException.badInput(what, "no image named " + wanted.familiar() + "; available: " + allTags());
  }

  /** The normalised names an entry carries. */
  public List<ImageName> names(int index) throws OciException {
    List<ImageName> result = new ArrayList<>();
    for (String tag : entries.get(index).repoTags()) {
      result.add(parseTag(tag, index));
    }
    return result;
  }

  private ImageName parseTag(String tag, int index) throws OciException {
    try {
      return ImageName.parse(tag);
    } catch (IllegalArgumentException e) {
      throw OciException.badInput(what + ": manifest.json", "[" + index + "].RepoTags: " + e.getMessage());
    }
  }

  private String allTags() {
    List<String> tags = new ArrayList<>();
    for (Entry e : entries) {
      tags.addAll(e.repoTags().isEmpty() ? List.of("<untagged " + e.config() + ">") : e.repoTags());
    }
    return String.join(", ", tags);
  }

  /** The image of manifest.json entry {@code index}. */
  public Image image(int index) throws OciException {
    Entry entry = entries.get(index);
    Optional<Image> real = realManifest(entry);
    if (real.isPresent()) {
      return real.get();
    }
    return synthesise(entry);
  }

  // ---------------------------------------------------------------- Docker 25+: the real manifest

  /** {@code blobs/<alg>/<encoded>} members, by digest. */
  private BlobSource blobMembers(Map<Digest, String> extra, Map<Digest, byte[]> inMemory) {
    return descriptor -> {
      byte[] bytes = inMemory.get(descriptor.digest());
      if (bytes != null) {
        return new ByteArrayInputStream(bytes);
      }
      String name = extra.getOrDefault(
          descriptor.digest(), "blobs/" + descriptor.digest().algorithm() + "/" + descriptor.digest().encoded());
      TarMembers.Member m =
          members.member(name, what)
              .orElseThrow(() -> OciException.badInput(what, "blob " + descriptor.digest() + " is missing (" + name + ")"));
      try {
        return members.open(m);
      } catch (IOException e) {
        throw OciException.io(what + ": " + name, e);
      }
    };
  }

  private static Optional<Digest> digestOfBlobPath(String path) {
    String[] parts = path.split("/");
    if (parts.length == 3 && parts[0].equals("blobs") && Digest.isValid(parts[1] + ":" + parts[2])) {
      return Optional.of(Digest.parse(parts[1] + ":" + parts[2]));
    }
    return Optional.empty();
  }

  private Optional<Image> realManifest(Entry entry) throws OciException {
    Optional<Digest> config = digestOfBlobPath(entry.config());
    if (config.isEmpty()) {
      return Optional.empty();
    }
    List<Digest> layers = new ArrayList<>();
    for (String l : entry.layers()) {
      Optional<Digest> d = digestOfBlobPath(l);
      if (d.isEmpty()) {
        return Optional.empty();
      }
      layers.add(d.get());
    }
    BlobSource blobs = blobMembers(Map.of(), Map.of());
    for (Descriptor candidate : candidates()) {
      Image image = Images.image(blobs, candidate);
      Manifest m;
      try {
        m = image.manifest();
      } catch (OciException e) {
        if (e.kind() == FailureKind.INTEGRITY) {
          throw e;
        }
        continue; // not a manifest (a config or a layer that happens to be small): keep looking
      }
      if (m.config().digest().equals(config.get())
          && m.layers().stream().map(Descriptor::digest).toList().equals(layers)) {
        return Optional.of(image);
      }
    }
    return Optional.empty();
  }

  /**
   * Manifests that could be the entry's: those index.json reaches, then any other blob that is a
   * small JSON document. index.json is only a hint here (docker load ignores it), so an unreadable
   * one is skipped rather than fatal.
   */
  private List<Descriptor> candidates() throws OciException {
    List<Descriptor> result = new ArrayList<>();
    Set<Digest> listed = new HashSet<>();
    if (members.has("index.json")) {
      byte[] bytes = members.readAll(members.member("index.json", what).orElseThrow(), MAX_DOCUMENT, what);
      try {
        Deque<Descriptor> queue = new ArrayDeque<>(OciJson.parseIndex(bytes, what + ": index.json", Optional.empty()).manifests());
        while (!queue.isEmpty()) {
          Descriptor d = queue.removeFirst();
          if (!listed.add(d.digest())) {
            continue;
          }
          if (MediaTypes.isImageManifest(d.mediaType())) {
            result.add(d);
          } else if (MediaTypes.isIndex(d.mediaType()) && members.has(blobName(d.digest()))) {
            IndexManifest nested =
                OciJson.parseIndex(
                    members.readAll(members.member(blobName(d.digest()), what).orElseThrow(), MAX_DOCUMENT, what),
                    what + ": index " + d.digest(),
                    Optional.of(d.mediaType()));
            queue.addAll(nested.manifests());
          }
        }
      } catch (OciException e) {
        if (e.kind() == FailureKind.INTEGRITY) {
          throw e;
        }
        // a malformed index.json: fall back to the blobs (see above)
      }
    }
    for (String name : members.names()) {
      Optional<Digest> d = digestOfBlobPath(name);
      if (d.isEmpty() || listed.contains(d.get())) {
        continue;
      }
      TarMembers.Member m = members.member(name, what).orElseThrow();
      if (m.size() > MAX_DOCUMENT || m.size() < 2) {
        continue;
      }
      Optional<String> mediaType = sniffManifest(members.readAll(m, MAX_DOCUMENT, what));
      if (mediaType.isPresent()) {
        result.add(new Descriptor(mediaType.get(), d.get(), m.size()));
      }
    }
    return result;
  }

  private static String blobName(Digest d) {
    return "blobs/" + d.algorithm() + "/" + d.encoded();
  }

  /** The media type of a blob that looks like an image manifest (a JSON object with config and layers). */
  private static Optional<String> sniffManifest(byte[] bytes) {
    if (bytes[0] != '{') {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject() || !node.has("config") || !node.has("layers")) {
        return Optional.empty();
      }
      JsonNode mt = node.get("mediaType");
      if (mt != null && mt.isTextual()) {
        return MediaTypes.isImageManifest(mt.textValue()) ? Optional.of(mt.textValue()) : Optional.empty();
      }
      return Optional.of(MediaTypes.OCI_MANIFEST);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- classic: a synthesised manifest

  private Image synthesise(Entry entry) throws OciException {
    TarMembers.Member configMember =
        members.member(entry.config(), what)
            .orElseThrow(() -> OciException.badInput(what, "config " + entry.config() + " is missing"));
    byte[] configBytes = members.readAll(configMember, 64L << 20, what);
    Digest configDigest = Digest.sha256(configBytes);
    ImageConfig config = OciJson.parseConfig(configBytes, what + ": " + entry.config());
    List<Digest> diffIds = config.rootfs().diffIds();
    if (diffIds.size() != entry.layers().size()) {
      throw OciException.integrity(
          what, entry.config() + " has " + diffIds.size() + " diff_ids but manifest.json lists " + entry.layers().size() + " layers");
    }
    Map<Digest, String> paths = new HashMap<>();
    Map<Digest, byte[]> inMemory = new HashMap<>();
    inMemory.put(configDigest, configBytes);
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < entry.layers().size(); i++) {
      String path = entry.layers().get(i);
      TarMembers.Member m =
          members.member(path, what).orElseThrow(() -> OciException.badInput(what, "layer " + path + " is missing"));
      Compressions.Sniffed sniffed = sniffMember(m);
      Descriptor layer =
          switch (sniffed) {
            // the uncompressed tar is the layer: its digest is its diff_id, checked when it is read
            case UNCOMPRESSED -> new Descriptor(MediaTypes.DOCKER_LAYER, diffIds.get(i), m.size());
            case GZIP -> new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, hash(m), m.size());
            case ZSTD -> new Descriptor(MediaTypes.DOCKER_LAYER_ZSTD, hash(m), m.size());
            default -> throw OciException.badInput(
                what, "layer " + path + " is " + sniffed.name().toLowerCase(java.util.Locale.ROOT) + "-compressed, which is not supported");
          };
      paths.put(layer.digest(), path);
      layers.add(layer);
    }
    paths.put(configDigest, entry.config());
    Manifest manifest =
        new Manifest(MediaTypes.DOCKER_MANIFEST, new Descriptor(MediaTypes.DOCKER_CONFIG, configDigest, configBytes.length), layers);
    byte[] manifestBytes = OciJson.write(manifest);
    Descriptor descriptor = Descriptor.of(MediaTypes.DOCKER_MANIFEST, manifestBytes);
    inMemory.put(descriptor.digest(), manifestBytes);
    return Images.image(blobMembers(paths, inMemory), descriptor);
  }

  private Compressions.Sniffed sniffMember(TarMembers.Member m) throws OciException {
    try (InputStream in = members.open(m)) {
      byte[] head = in.readNBytes(6);
      return Compressions.sniff(head, head.length);
    } catch (IOException e) {
      throw OciException.io(what + ": " + m.name(), e);
    }
  }

  private Digest hash(TarMembers.Member m) throws OciException {
    MessageDigest sha256 = Digest.sha256Digest();
    try (InputStream in = members.open(m)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) >= 0; ) {
        sha256.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw OciException.io(what + ": " + m.name(), e);
    }
    return Digest.ofSha256(sha256.digest());
  }

  /** Convenience: the artifact a {@code docker-archive:} reference names. */
  public static Artifact read(Path file, Optional<ImageName> name) throws OciException {
    return open(file).image(name);
  }
}
