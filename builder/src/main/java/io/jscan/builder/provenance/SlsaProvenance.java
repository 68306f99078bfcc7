package io.jscan.builder.provenance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.builder.BuildRequest;
import io.jscan.builder.BuildResult;
import io.jscan.builder.BuildResult.Download;
import io.jscan.builder.BuildResult.ResolvedImage;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Platform;
import io.jscan.core.oci.json.Rfc3339;
import io.jscan.core.transport.ImageName;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * SLSA Provenance v1 (slsa.dev/spec/v1.0/provenance) for a {@code jscan build}, in an in-toto
 * Statement v1 whose subject is the image's manifest digest.
 *
 * <p>What goes where (the build type {@link #BUILD_TYPE} is documented in builder/PROVENANCE.md):
 * <ul>
 *   <li>{@code externalParameters}: everything the user chose that shapes the image: the Dockerfile
 *       (path as given, sha256), target, platform, build arguments, labels, compression,
 *       SOURCE_DATE_EPOCH and the context's digest;
 *   <li>{@code resolvedDependencies}: every image the build read (FROM, COPY --from) as
 *       {@code pkg:docker/NAME@TAG?platform=…} with the digest its reference resolved to (the one
 *       {@code jscan.lock} pins), the context (by digest), each ADD URL with its checksum;
 *   <li>{@code runDetails}: builder id and version, a fresh invocation id, start and finish times.
 * </ul>
 *
 * <p>Everything but {@code invocationId}, {@code startedOn} and {@code finishedOn} depends only on
 * the build's inputs, so two builds of the same inputs differ only there. The image itself never
 * contains the provenance (it is attached beside it), so real times cannot make it differ.
 */
public final class SlsaProvenance {
  private SlsaProvenance() {}

  public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";
  /** How to read this provenance's parameters: builder/PROVENANCE.md. */
  public static final String BUILD_TYPE = "https://jscan.io/buildtypes/dockerfile/v1";
  /** The default builder id: jscan run as a command (a CI platform can name itself instead). */
  public static final String DEFAULT_BUILDER_ID = "https://jscan.io/builders/cli/v1";

  /**
   * The details of one run.
   *
   * @param builderId {@code runDetails.builder.id}: who is trusted to have run the build faithfully
   * @param jscanVersion {@code runDetails.builder.version.jscan}
   * @param invocationId unique per run (a random UUID)
   * @param startedOn when the build started
   * @param finishedOn when it finished
   */
  public record Run(String builderId, String jscanVersion, String invocationId, Instant startedOn, Instant finishedOn) {
    public Run {
      Objects.requireNonNull(builderId, "builderId");
      Objects.requireNonNull(jscanVersion, "jscanVersion");
      Objects.requireNonNull(invocationId, "invocationId");
      Objects.requireNonNull(startedOn, "startedOn");
      Objects.requireNonNull(finishedOn, "finishedOn");
      if (!builderId.matches("[A-Za-z][A-Za-z0-9+.-]*:.+")) {
        // provenance.md: builder.id is a TypeURI
        throw new IllegalArgumentException("builder id \"" + builderId + "\" is not a URI");
      }
      if (finishedOn.isBefore(startedOn)) {
        throw new IllegalArgumentException("the build finished (" + finishedOn + ") before it started (" + startedOn + ")");
      }
    }
  }

  /**
   * The subjects of a build's statements: one per repository the image is named in ({@code -t},
   * sorted, each once) or, when it has no name, one named by its digest. Tags are left out of the
   * names because they move; the digest is what binds.
   */
  public static List<Statements.Subject> subjects(BuildRequest request, Digest manifestDigest) {
    TreeSet<String> repositories = new TreeSet<>();
    request.tags().forEach(t -> repositories.add(t.repository()));
    List<Statements.Subject> subjects = new ArrayList<>();
    for (String r : repositories) {
      subjects.add(new Statements.Subject(r, manifestDigest));
    }
    if (subjects.isEmpty()) {
      subjects.add(new Statements.Subject(manifestDigest.toString(), manifestDigest));
    }
    return subjects;
  }

  /** The statement's bytes. */
  public static byte[] statement(BuildRequest request, BuildResult result, Run run) {
    return Statements.statement(subjects(request, result.manifestDigest()), PREDICATE_TYPE, predicate(request, result, run));
  }

  /** The predicate: {@code {buildDefinition, runDetails}}. */
  public static ObjectNode predicate(BuildRequest request, BuildResult result, Run run) {
    ObjectNode predicate = Statements.JSON.createObjectNode();
    ObjectNode definition = predicate.putObject("buildDefinition");
    definition.put("buildType", BUILD_TYPE);
    definition.set("externalParameters", externalParameters(request, result));
    definition.set("resolvedDependencies", resolvedDependencies(result));

    ObjectNode details = predicate.putObject("runDetails");
    ObjectNode builder = details.putObject("builder");
    builder.put("id", run.builderId());
    builder.putObject("version").put("jscan", run.jscanVersion());
    ObjectNode metadata = details.putObject("metadata");
    metadata.put("invocationId", run.invocationId());
    metadata.put("startedOn", Rfc3339.format(run.startedOn()));
    metadata.put("finishedOn", Rfc3339.format(run.finishedOn()));
    ArrayNode byproducts = details.putArray("byproducts");
    ObjectNode config = byproducts.addObject();
    config.put("name", "config");
    digest(config, result.configDigest());
    return predicate;
  }

  private static ObjectNode externalParameters(BuildRequest request, BuildResult result) {
    ObjectNode p = Statements.JSON.createObjectNode();
    ObjectNode dockerfile = p.putObject("dockerfile");
    dockerfile.put("path", request.dockerfileName());
    digest(dockerfile, result.dockerfileDigest());
    p.put("target", result.target());
    p.put("platform", result.platform().toString());
    ObjectNode args = p.putObject("buildArgs");
    new TreeMap<>(result.buildArgs()).forEach(args::put);
    ObjectNode labels = p.putObject("labels");
    request.labels().forEach(labels::put);
    p.put("compression", request.compression().name().toLowerCase(Locale.ROOT));
    p.put("sourceDateEpoch", result.sourceDateEpoch().seconds());
    p.put("sourceDateEpochSource", result.sourceDateEpoch().source());
    result.sourceDateEpoch().gitCommit().ifPresent(c -> p.put("sourceDateEpochCommit", c));
    ObjectNode context = p.putObject("context");
    digest(context, result.contextDigest());
    return p;
  }

  private static ArrayNode resolvedDependencies(BuildResult result) {
    ArrayNode deps = Statements.JSON.createArrayNode();
    // each image once, with every (stage, use) that read it; the final image's base is marked
    Map<String, List<ResolvedImage>> byImage = new LinkedHashMap<>();
    for (ResolvedImage r : result.baseImages()) {
      byImage.computeIfAbsent(r.reference() + "\0" + r.digest() + "\0" + r.imageDigest(), k -> new ArrayList<>()).add(r);
    }
    Optional<ResolvedImage> base = result.base();
    for (List<ResolvedImage> uses : byImage.values()) {
      ResolvedImage first = uses.get(0);
      ObjectNode d = deps.addObject();
      imageUri(first.reference(), result.platform()).ifPresent(u -> d.put("uri", u));
      digest(d, first.digest());
      d.put("name", first.reference());
      ObjectNode annotations = d.putObject("annotations");
      annotations.put("imageDigest", first.imageDigest().toString());
      ArrayNode usedBy = annotations.putArray("usedBy");
      for (ResolvedImage u : uses) {
        usedBy.addObject().put("stage", u.stage()).put("use", u.use());
      }
      boolean isBase = base.isPresent() && base.get().reference().equals(first.reference())
          && base.get().digest().equals(first.digest());
      annotations.put("finalBase", isBase);
    }
    ObjectNode context = deps.addObject();
    context.put("name", "context");
    digest(context, result.contextDigest());
    for (Download download : result.downloads()) {
      ObjectNode d = deps.addObject();
      d.put("uri", download.url());
      digest(d, download.checksum());
      d.put("name", "ADD " + download.url());
      d.putObject("annotations").put("stage", download.stage());
    }
    return deps;
  }

  private static void digest(ObjectNode node, Digest digest) {
    node.putObject("digest").put(digest.algorithm(), digest.encoded());
  }

  /**
   * A base image as a package URL, as BuildKit's {@code RefToPURL} writes them
   * ({@code pkg:docker/NAME@TAG?digest=sha256:…&platform=OS%2FARCH}), with the fully qualified
   * name so the registry is never implied: VERSION is the tag as written (an untagged name's is
   * {@code latest}; a name written with a digest only has none), and the {@code digest} qualifier
   * is a digest written in the reference, so that a verifier can tell a pinned FROM from a tag the
   * build resolved (that resolution is the dependency's {@code digest}). Qualifiers are sorted by
   * key (purl-spec). {@code oci:} and {@code docker-archive:} bases have no URL (their path is the
   * builder's business): they are named as written.
   */
  static Optional<String> imageUri(String reference, Platform platform) {
    if (reference.startsWith("oci:") || reference.startsWith("docker-archive:")) {
      return Optional.empty();
    }
    ImageName name;
    try {
      name = ImageName.parse(reference);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    String version = name.tag().map(t -> "@" + purlEncode(t)).orElse("");
    // BuildKit (packageurl-go) leaves the digest's ':' as it is in a qualifier value
    String digest = name.digest().map(d -> "digest=" + d + "&").orElse("");
    return Optional.of("pkg:docker/" + name.repository() + version + "?" + digest + "platform=" + purlEncode(platform.toString()));
  }

  /** purl-spec percent-encoding: everything outside {@code A-Za-z0-9.-_~} (so ':' and '/' are encoded in a version). */
  static String purlEncode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
