package io.jscan.core.oci.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.FailureKind;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.HealthCheck;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.ImageConfig.RootFs;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.LayoutHeader;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Strict reading and deterministic writing of the OCI documents: manifests (OCI and Docker schema
 * 2), indexes (and Docker manifest lists), image configs, descriptors and the {@code oci-layout}
 * header.
 *
 * <p><b>Reading</b> refuses what the image-spec forbids: wrong JSON types, missing required fields,
 * {@code schemaVersion} other than 2, malformed digests and media types, {@code Env} entries without
 * {@code NAME=}, duplicate keys, and a document whose own {@code mediaType} is of another kind than
 * the descriptor that pointed at it. Unknown fields are ignored (the spec requires that for
 * forward compatibility). Errors read {@code "<what>: <json path>: <detail>"}, where {@code what}
 * names the document.
 *
 * <p><b>Writing</b> is only for documents jscan makes: fixed field order (the order of the
 * image-spec's Go types), sorted maps, compact, no host data, times in canonical RFC 3339. A
 * document read from elsewhere is never written back from its parsed form: its exact bytes are
 * kept (see {@link io.jscan.core.image.Artifact#manifestBytes()}), so digests survive round trips.
 */
public final class OciJson {
  private OciJson() {}

  // ---------------------------------------------------------------- reading

  /**
   * Parses an image manifest.
   *
   * @param declaredMediaType the media type of the descriptor that pointed at this document, when
   *     there was one; the document's own {@code mediaType} must be of the same kind (image
   *     manifest), and when the document has none, this one applies
   */
  public static Manifest parseManifest(byte[] bytes, String what, Optional<String> declaredMediaType)
      throws OciException {
    StrictReader r = new StrictReader(what);
    ObjectNode root = r.object(r.parse(bytes), "");
    requireSchemaVersion2(r, root);
    if (root.has("manifests")) {
      // image-spec manifest.md: a manifest has no "manifests"; one that has both shapes is ambiguous
      throw ambiguous(what, "an image manifest must not have a \"manifests\" field");
    }
    Optional<String> own = optionalMediaType(r, root, "", "mediaType");
    String mediaType = effectiveMediaType(what, own, declaredMediaType, true);
    Optional<String> artifactType = optionalMediaType(r, root, "", "artifactType");
    Descriptor config = descriptor(r, r.object(r.required(root, "", "config"), "config"), "config");
    List<JsonNode> layerNodes = r.array(r.required(root, "", "layers"), "layers");
    List<Descriptor> layers = new ArrayList<>(layerNodes.size());
    for (int i = 0; i < layerNodes.size(); i++) {
      String p = StrictReader.index("layers", i);
      layers.add(descriptor(r, r.object(layerNodes.get(i), p), p));
    }
    Optional<Descriptor> subject = optionalDescriptor(r, root, "subject");
    return new Manifest(mediaType, artifactType, config, layers, subject, r.optionalStringMap(root, "", "annotations"));
  }

  /** Parses an image index or Docker manifest list; see {@link #parseManifest} for {@code declaredMediaType}. */
  public static IndexManifest parseIndex(byte[] bytes, String what, Optional<String> declaredMediaType)
      throws OciException {
    StrictReader r = new StrictReader(what);
    ObjectNode root = r.object(r.parse(bytes), "");
    requireSchemaVersion2(r, root);
    if (root.has("config") || root.has("layers")) {
      // image-spec image-index.md: an index has no "config"/"layers"; both shapes at once is ambiguous
      throw ambiguous(what, "an image index must not have \"config\" or \"layers\" fields");
    }
    Optional<String> own = optionalMediaType(r, root, "", "mediaType");
    String mediaType = effectiveMediaType(what, own, declaredMediaType, false);
    Optional<String> artifactType = optionalMediaType(r, root, "", "artifactType");
    List<JsonNode> nodes = r.array(r.required(root, "", "manifests"), "manifests");
    List<Descriptor> manifests = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      String p = StrictReader.index("manifests", i);
      manifests.add(descriptor(r, r.object(nodes.get(i), p), p));
    }
    Optional<Descriptor> subject = optionalDescriptor(r, root, "subject");
    return new IndexManifest(mediaType, artifactType, manifests, subject, r.optionalStringMap(root, "", "annotations"));
  }

  /** Parses a content descriptor document ({@code application/vnd.oci.descriptor.v1+json}). */
  public static Descriptor parseDescriptor(byte[] bytes, String what) throws OciException {
    StrictReader r = new StrictReader(what);
    return descriptor(r, r.object(r.parse(bytes), ""), "");
  }

  /** Parses the {@code oci-layout} file. */
  public static LayoutHeader parseLayoutHeader(byte[] bytes, String what) throws OciException {
    StrictReader r = new StrictReader(what);
    ObjectNode root = r.object(r.parse(bytes), "");
    String version = r.requiredString(root, "", "imageLayoutVersion");
    try {
      return new LayoutHeader(version);
    } catch (IllegalArgumentException e) {
      throw r.fail("imageLayoutVersion", "unsupported version \"" + version + "\" (expected 1.0.0)");
    }
  }

  /**
   * Parses an image config (config.md, plus the Docker fields {@code Healthcheck}, {@code OnBuild},
   * {@code Shell}, {@code ArgsEscaped}).
   */
  public static ImageConfig parseConfig(byte[] bytes, String what) throws OciException {
    StrictReader r = new StrictReader(what);
    ObjectNode root = r.object(r.parse(bytes), "");
    Optional<Instant> created = optionalTime(r, root, "", "created");
    Optional<String> author = r.optionalString(root, "", "author");
    String architecture = r.requiredString(root, "", "architecture");
    String os = r.requiredString(root, "", "os");
    Optional<String> osVersion = r.optionalString(root, "", "os.version");
    List<String> osFeatures = r.optionalStringList(root, "", "os.features").orElse(List.of());
    Optional<String> variant = r.optionalString(root, "", "variant");
    Optional<JsonNode> configNode = r.optional(root, "", "config");
    ContainerConfig config =
        configNode.isPresent() ? containerConfig(r, r.object(configNode.get(), "config")) : ContainerConfig.empty();
    ObjectNode rootfsNode = r.object(r.required(root, "", "rootfs"), "rootfs");
    String type = r.requiredString(rootfsNode, "rootfs", "type");
    if (!"layers".equals(type)) {
      throw r.fail("rootfs.type", "must be \"layers\", got \"" + type + "\"");
    }
    List<JsonNode> diffIdNodes = r.array(r.required(rootfsNode, "rootfs", "diff_ids"), "rootfs.diff_ids");
    List<Digest> diffIds = new ArrayList<>(diffIdNodes.size());
    for (int i = 0; i < diffIdNodes.size(); i++) {
      String p = StrictReader.index("rootfs.diff_ids", i);
      diffIds.add(digest(r, r.string(diffIdNodes.get(i), p), p));
    }
    List<History> history = new ArrayList<>();
    Optional<JsonNode> historyNode = r.optional(root, "", "history");
    if (historyNode.isPresent()) {
      List<JsonNode> entries = r.array(historyNode.get(), "history");
      for (int i = 0; i < entries.size(); i++) {
        String p = StrictReader.index("history", i);
        ObjectNode h = r.object(entries.get(i), p);
        history.add(
            new History(
                optionalTime(r, h, p, "created"),
                r.optionalString(h, p, "created_by"),
                r.optionalString(h, p, "author"),
                r.optionalString(h, p, "comment"),
                r.optionalBoolean(h, p, "empty_layer").orElse(false)));
      }
    }
    try {
      return new ImageConfig(
          created, author, architecture, os, osVersion, osFeatures, variant, config, new RootFs(type, diffIds), history);
    } catch (IllegalArgumentException e) {
      throw r.fail("", e.getMessage());
    }
  }

  /**
   * Validates a document as the image-spec defines the media type: what {@link #parseManifest} and
   * friends check, plus the schema's rule that a manifest lists at least one layer. That rule is
   * only a SHOULD in manifest.md ("for portability"), and BuildKit writes layer-less manifests for
   * {@code FROM scratch} images, so the readers accept them; this method is for checking conformance.
   *
   * @param mediaType one of the OCI document types (descriptor, layout header, manifest, index, config)
   */
  public static void validate(String mediaType, byte[] bytes, String what) throws OciException {
    switch (mediaType) {
      case MediaTypes.OCI_DESCRIPTOR -> parseDescriptor(bytes, what);
      case MediaTypes.OCI_LAYOUT_HEADER -> parseLayoutHeader(bytes, what);
      case MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST -> {
        Manifest m = parseManifest(bytes, what, Optional.of(mediaType));
        if (m.layers().isEmpty()) {
          throw OciException.badInput(what, "layers: the image-spec schema requires at least one layer");
        }
      }
      case MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST -> parseIndex(bytes, what, Optional.of(mediaType));
      case MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG -> parseConfig(bytes, what);
      default -> throw OciException.badInput(what, "no validator for media type " + mediaType);
    }
  }

  private static void requireSchemaVersion2(StrictReader r, ObjectNode root) throws OciException {
    long version = r.integer(r.required(root, "", "schemaVersion"), "schemaVersion");
    if (version != 2) {
      throw r.fail("schemaVersion", "must be 2, got " + version);
    }
  }

  private static OciException ambiguous(String what, String detail) {
    return new OciException(FailureKind.INTEGRITY, what, detail);
  }

  /**
   * The media type a manifest or index is read as. The descriptor that pointed at the document and
   * the document's own {@code mediaType} must agree on the kind (manifest vs index): a mismatch is
   * the type confusion of CVE-2021-41190 and fails as an integrity error. Within one kind, the OCI
   * and Docker schema 2 names are the same format, byte for byte; go-containerregistry's layout
   * corpus has a Docker manifest behind an OCI-typed descriptor that must load, so that difference
   * is accepted and the document's own name wins.
   */
  private static String effectiveMediaType(
      String what, Optional<String> own, Optional<String> declared, boolean wantManifest) throws OciException {
    String kind = wantManifest ? "image manifest" : "image index";
    if (declared.isPresent() && !(wantManifest ? MediaTypes.isImageManifest(declared.get()) : MediaTypes.isIndex(declared.get()))) {
      throw new OciException(
          FailureKind.INTEGRITY, what, "descriptor media type " + declared.get() + " is not an " + kind + " type");
    }
    if (own.isPresent()) {
      boolean ownKindOk = wantManifest ? MediaTypes.isImageManifest(own.get()) : MediaTypes.isIndex(own.get());
      if (!ownKindOk) {
        if (declared.isPresent()) {
          throw new OciException(
              FailureKind.INTEGRITY,
              what,
              "media type mismatch: the descriptor says " + declared.get() + " but the document declares " + own.get());
        }
        throw OciException.badInput(what, "mediaType: " + own.get() + " is not an " + kind + " type");
      }
      return own.get();
    }
    return declared.orElse(wantManifest ? MediaTypes.OCI_MANIFEST : MediaTypes.OCI_INDEX);
  }

  private static Optional<String> optionalMediaType(StrictReader r, ObjectNode o, String path, String field)
      throws OciException {
    Optional<String> value = r.optionalString(o, path, field);
    if (value.isPresent() && !MediaTypes.isWellFormed(value.get())) {
      throw r.fail(StrictReader.child(path, field), "malformed media type \"" + value.get() + "\" (RFC 6838 type/subtype)");
    }
    return value;
  }

  private static Optional<Descriptor> optionalDescriptor(StrictReader r, ObjectNode o, String field)
      throws OciException {
    Optional<JsonNode> node = r.optional(o, "", field);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(descriptor(r, r.object(node.get(), field), field));
  }

  private static Descriptor descriptor(StrictReader r, ObjectNode o, String path) throws OciException {
    String mediaType = r.requiredString(o, path, "mediaType");
    if (!MediaTypes.isWellFormed(mediaType)) {
      throw r.fail(StrictReader.child(path, "mediaType"), "malformed media type \"" + mediaType + "\" (RFC 6838 type/subtype)");
    }
    String digestPath = StrictReader.child(path, "digest");
    Digest digest = digest(r, r.requiredString(o, path, "digest"), digestPath);
    String sizePath = StrictReader.child(path, "size");
    long size = r.integer(r.required(o, path, "size"), sizePath);
    if (size < 0) {
      throw r.fail(sizePath, "must not be negative, got " + size);
    }
    List<String> urls = r.optionalStringList(o, path, "urls").orElse(List.of());
    for (int i = 0; i < urls.size(); i++) {
      if (!isAbsoluteUri(urls.get(i))) {
        throw r.fail(StrictReader.index(StrictReader.child(path, "urls"), i), "not an RFC 3986 URI: \"" + urls.get(i) + "\"");
      }
    }
    Optional<String> data = r.optionalString(o, path, "data");
    Optional<String> artifactType = optionalMediaType(r, o, path, "artifactType");
    Optional<Platform> platform = Optional.empty();
    Optional<JsonNode> platformNode = r.optional(o, path, "platform");
    if (platformNode.isPresent()) {
      platform = Optional.of(platform(r, r.object(platformNode.get(), StrictReader.child(path, "platform")), StrictReader.child(path, "platform")));
    }
    try {
      return new Descriptor(
          mediaType, digest, size, urls, r.optionalStringMap(o, path, "annotations"), platform, artifactType, data);
    } catch (IllegalArgumentException e) {
      throw r.fail(path, e.getMessage());
    }
  }

  private static Platform platform(StrictReader r, ObjectNode o, String path) throws OciException {
    String architecture = r.requiredString(o, path, "architecture");
    String os = r.requiredString(o, path, "os");
    Optional<String> osVersion = r.optionalString(o, path, "os.version");
    List<String> osFeatures = r.optionalStringList(o, path, "os.features").orElse(List.of());
    Optional<String> variant = r.optionalString(o, path, "variant");
    try {
      return new Platform(os, architecture, variant, osVersion, osFeatures);
    } catch (IllegalArgumentException e) {
      throw r.fail(path, e.getMessage());
    }
  }

  private static boolean isAbsoluteUri(String value) {
    try {
      return new URI(value).isAbsolute();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static Digest digest(StrictReader r, String value, String path) throws OciException {
    try {
      return Digest.parse(value);
    } catch (IllegalArgumentException e) {
      throw r.fail(path, e.getMessage());
    }
  }

  private static Optional<Instant> optionalTime(StrictReader r, ObjectNode o, String path, String field)
      throws OciException {
    Optional<String> text = r.optionalString(o, path, field);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Rfc3339.parse(text.get()));
    } catch (IllegalArgumentException e) {
      throw r.fail(StrictReader.child(path, field), e.getMessage());
    }
  }

  private static ContainerConfig containerConfig(StrictReader r, ObjectNode c) throws OciException {
    String p = "config";
    List<String> env = r.optionalStringList(c, p, "Env").orElse(List.of());
    for (int i = 0; i < env.size(); i++) {
      // config.md: entries are VARNAME=VARVALUE (image-spec's validator: ^[^=]+=.*$). Values may
      // hold newlines (Docker allows them), so only the NAME= prefix is checked.
      if (env.get(i).indexOf('=') <= 0) {
        throw r.fail(StrictReader.index("config.Env", i), "expected NAME=value, got \"" + env.get(i) + "\"");
      }
    }
    Optional<HealthCheck> healthcheck = Optional.empty();
    Optional<JsonNode> hc = r.optional(c, p, "Healthcheck");
    if (hc.isPresent()) {
      String hp = "config.Healthcheck";
      ObjectNode h = r.object(hc.get(), hp);
      Optional<Long> retries = r.optionalInteger(h, hp, "Retries");
      if (retries.isPresent() && (retries.get() < 0 || retries.get() > Integer.MAX_VALUE)) {
        throw r.fail(hp + ".Retries", "out of range: " + retries.get());
      }
      healthcheck =
          Optional.of(
              new HealthCheck(
                  r.optionalStringList(h, hp, "Test").orElse(List.of()),
                  r.optionalInteger(h, hp, "Interval"),
                  r.optionalInteger(h, hp, "Timeout"),
                  r.optionalInteger(h, hp, "StartPeriod"),
                  r.optionalInteger(h, hp, "StartInterval"),
                  retries.map(Long::intValue)));
    }
    return new ContainerConfig(
        r.optionalString(c, p, "User"),
        r.objectKeySet(c, p, "ExposedPorts"),
        env,
        r.optionalStringList(c, p, "Entrypoint"),
        r.optionalStringList(c, p, "Cmd"),
        r.objectKeySet(c, p, "Volumes"),
        r.optionalString(c, p, "WorkingDir"),
        new java.util.TreeMap<>(r.optionalStringMap(c, p, "Labels")),
        r.optionalString(c, p, "StopSignal"),
        r.optionalBoolean(c, p, "ArgsEscaped"),
        healthcheck,
        r.optionalStringList(c, p, "OnBuild").orElse(List.of()),
        r.optionalStringList(c, p, "Shell"));
  }

  // ---------------------------------------------------------------- writing

  /** The canonical bytes of a manifest jscan made. */
  public static byte[] write(Manifest manifest) {
    return CanonicalWriter.manifest(manifest);
  }

  /** The canonical bytes of an index jscan made. */
  public static byte[] write(IndexManifest index) {
    return CanonicalWriter.index(index);
  }

  /** The canonical bytes of a config jscan made. */
  public static byte[] write(ImageConfig config) {
    return CanonicalWriter.config(config);
  }

  /** The canonical bytes of a descriptor document. */
  public static byte[] write(Descriptor descriptor) {
    return CanonicalWriter.descriptor(descriptor);
  }

  /** The canonical bytes of an {@code oci-layout} file. */
  public static byte[] write(LayoutHeader header) {
    return CanonicalWriter.layoutHeader(header);
  }
}
