package io.jscan.verifier.attest;

import io.jscan.core.oci.Digest;
import io.jscan.verifier.BaseImage;
import io.jscan.verifier.Evidence;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What SLSA provenance says about how an image was built, read from a statement's predicate:
 * SLSA Provenance v1 ({@code buildDefinition}/{@code runDetails}, as jscan and BuildKit write it)
 * or v0.2 ({@code builder}/{@code materials}/{@code invocation}, BuildKit's default).
 *
 * <p>Base images are the dependencies that are container images: a {@code pkg:docker/…} URI
 * (BuildKit's and jscan's convention) or, for jscan's {@code oci:}/{@code docker-archive:} bases,
 * the {@code imageDigest} annotation. Each becomes a {@link BaseImage} with source
 * {@code provenance} that keeps the reference <em>as the Dockerfile wrote it</em> apart from the
 * digest the build resolved it to (the dependency's {@code digest}): jscan's {@code name} (the
 * reference as written, fully qualified), else the package URL, whose version is the tag and whose
 * {@code digest} qualifier (or a digest as version) is a digest written in the reference (BuildKit's
 * {@code RefToPURL}). Only a written digest pins; see {@link BaseImage}.
 *
 * @param source {@code attestation} (a signed attestation that verified) or {@code artifact} (an
 *     unsigned OCI referrer: informational only)
 * @param verified whether a trusted signature covered it
 * @param finalBase the base the final image was built on: marked by jscan ({@code finalBase}), or
 *     the only image dependency
 * @param parameters {@code externalParameters} (v1) or {@code invocation.parameters} (v0.2)
 * @param dependencies {@code resolvedDependencies} (v1) or {@code materials} (v0.2), as they are
 */
public record ProvenanceFacts(
    String source, boolean verified, String predicateType, Optional<String> buildType, Optional<String> builderId,
    Map<String, String> builderVersion, Optional<String> invocationId, Optional<String> startedOn, Optional<String> finishedOn,
    Map<String, Object> parameters, List<BaseImage> baseImages, Optional<BaseImage> finalBase, List<Object> dependencies) {
  public static final String SLSA_V1 = "https://slsa.dev/provenance/v1";
  public static final String SLSA_V02 = "https://slsa.dev/provenance/v0.2";
  public static final String ATTESTATION = "attestation";
  public static final String ARTIFACT = "artifact";

  public ProvenanceFacts {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(predicateType, "predicateType");
    builderVersion = Map.copyOf(builderVersion);
    parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    baseImages = List.copyOf(baseImages);
    Objects.requireNonNull(finalBase, "finalBase");
    dependencies = java.util.Collections.unmodifiableList(new ArrayList<>(dependencies));
  }

  public static boolean isProvenance(String predicateType) {
    return predicateType.equals(SLSA_V1) || predicateType.equals(SLSA_V02);
  }

  /** The provenance that may decide rules: from an attestation whose signature verified. */
  public static Optional<ProvenanceFacts> trusted(Evidence evidence) {
    for (Evidence.Attestation a : evidence.attestations()) {
      if (a.verified() && isProvenance(a.predicateType())) {
        Optional<ProvenanceFacts> p = parse(a.predicateType(), a.predicate(), ATTESTATION, true);
        if (p.isPresent()) {
          return p;
        }
      }
    }
    return Optional.empty();
  }

  /** The provenance to show: the trusted one, else an unsigned attachment (marked {@code verified: false}). */
  public static Optional<ProvenanceFacts> shown(Evidence evidence) {
    Optional<ProvenanceFacts> trusted = trusted(evidence);
    if (trusted.isPresent()) {
      return trusted;
    }
    for (Evidence.Attachment a : evidence.attachments()) {
      if (isProvenance(a.predicateType())) {
        Optional<ProvenanceFacts> p = parse(a.predicateType(), a.predicate(), ARTIFACT, false);
        if (p.isPresent()) {
          return p;
        }
      }
    }
    return Optional.empty();
  }

  /** Whether an unsigned provenance was found (for messages saying why it was not used). */
  public static boolean unsignedOnly(Evidence evidence) {
    return trusted(evidence).isEmpty() && evidence.attachments().stream().anyMatch(a -> isProvenance(a.predicateType()));
  }

  /** Reads a predicate; empty when it does not have the shape of its predicate type. */
  public static Optional<ProvenanceFacts> parse(String predicateType, Map<String, Object> predicate, String source, boolean verified) {
    if (predicateType.equals(SLSA_V1)) {
      Map<String, Object> definition = map(predicate.get("buildDefinition"));
      Map<String, Object> run = map(predicate.get("runDetails"));
      if (definition.isEmpty() || run.isEmpty()) {
        return Optional.empty();
      }
      Map<String, Object> builder = map(run.get("builder"));
      Map<String, Object> metadata = map(run.get("metadata"));
      List<Object> deps = list(definition.get("resolvedDependencies"));
      Images images = images(deps, "uri");
      return Optional.of(new ProvenanceFacts(source, verified, predicateType, text(definition.get("buildType")), text(builder.get("id")),
          strings(builder.get("version")), text(metadata.get("invocationId")), text(metadata.get("startedOn")),
          text(metadata.get("finishedOn")), map(definition.get("externalParameters")), images.all, images.finalBase, deps));
    }
    if (predicateType.equals(SLSA_V02)) {
      Map<String, Object> builder = map(predicate.get("builder"));
      if (builder.isEmpty() && !predicate.containsKey("buildType")) {
        return Optional.empty();
      }
      Map<String, Object> metadata = map(predicate.get("metadata"));
      Map<String, Object> invocation = map(predicate.get("invocation"));
      List<Object> materials = list(predicate.get("materials"));
      Images images = images(materials, "uri");
      return Optional.of(new ProvenanceFacts(source, verified, predicateType, text(predicate.get("buildType")), text(builder.get("id")),
          Map.of(), text(metadata.get("buildInvocationID")), text(metadata.get("buildStartedOn")), text(metadata.get("buildFinishedOn")),
          map(invocation.get("parameters")), images.all, images.finalBase, materials));
    }
    return Optional.empty();
  }

  private record Images(List<BaseImage> all, Optional<BaseImage> finalBase) {}

  private static Images images(List<Object> dependencies, String uriKey) {
    List<BaseImage> all = new ArrayList<>();
    Optional<BaseImage> marked = Optional.empty();
    for (Object o : dependencies) {
      Map<String, Object> d = map(o);
      Map<String, Object> annotations = map(d.get("annotations"));
      Optional<Digest> resolved = digest(map(d.get("digest")));
      Optional<String> uri = text(d.get(uriKey));
      Optional<String> name = text(d.get("name"));
      Optional<BaseImage> image = Optional.empty();
      if (uri.isPresent() && uri.get().startsWith("pkg:docker/")) {
        image = fromPurl(uri.get(), resolved);
        // jscan's name is the reference as written; it is used when it names the purl's repository
        // (another builder's name field may mean something else)
        Optional<BaseImage> written = name.flatMap(n -> parse(n, resolved));
        if (written.isPresent() && image.isPresent() && written.get().repository().equals(image.get().repository())) {
          image = written;
        }
      } else if (annotations.containsKey("imageDigest") && name.isPresent()) {
        // jscan's oci: and docker-archive: bases: named as written (a digest only when the reference has one)
        image = parse(name.get(), resolved);
      }
      if (image.isPresent()) {
        all.add(image.get());
        if (Boolean.TRUE.equals(annotations.get("finalBase"))) {
          marked = image;
        }
      }
    }
    return new Images(all, marked.or(() -> all.size() == 1 ? Optional.of(all.get(0)) : Optional.empty()));
  }

  private static Optional<BaseImage> parse(String reference, Optional<Digest> resolved) {
    try {
      return Optional.of(BaseImage.parse(reference, resolved, BaseImage.PROVENANCE, OptionalInt.empty()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code pkg:docker/NAME[@VERSION][?qualifiers]}, as BuildKit's {@code RefToPURL} writes an
   * image reference: VERSION is the tag (none for a reference written with a digest only; a
   * percent-encoded digest as VERSION is read too, as BuildKit's {@code PURLToRef} does), and the
   * {@code digest} qualifier is a digest written in the reference. {@code resolved} is the
   * dependency's own digest: what the build resolved the reference to.
   */
  static Optional<BaseImage> fromPurl(String purl, Optional<Digest> resolved) {
    String rest = purl.substring("pkg:docker/".length());
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    Optional<String> writtenDigest = Optional.empty();
    int q = rest.indexOf('?');
    if (q >= 0) {
      for (String qualifier : rest.substring(q + 1).split("&")) {
        int eq = qualifier.indexOf('=');
        if (eq > 0 && qualifier.substring(0, eq).equalsIgnoreCase("digest")) {
          writtenDigest = Optional.of(decode(qualifier.substring(eq + 1)));
        }
      }
      rest = rest.substring(0, q);
    }
    int at = rest.lastIndexOf('@');
    String name = decode(at < 0 ? rest : rest.substring(0, at));
    Optional<String> version = at < 0 ? Optional.empty() : Optional.of(decode(rest.substring(at + 1)));
    String reference = name;
    if (version.isPresent() && Digest.isValid(version.get())) {
      writtenDigest = writtenDigest.or(() -> version);
    } else if (version.isPresent()) {
      reference = name + ":" + version.get();
    }
    if (writtenDigest.isPresent()) {
      if (!Digest.isValid(writtenDigest.get())) {
        return Optional.empty();
      }
      reference = reference + "@" + writtenDigest.get();
    }
    return parse(reference, resolved);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Optional<Digest> digest(Map<String, Object> set) {
    for (String algorithm : List.of("sha256", "sha512", "sha384")) {
      if (set.get(algorithm) instanceof String hex && Digest.isValid(algorithm + ":" + hex)) {
        return Optional.of(Digest.parse(algorithm + ":" + hex));
      }
    }
    return Optional.empty();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  static Optional<String> text(Object o) {
    return o instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
  }

  private static Map<String, String> strings(Object o) {
    Map<String, String> out = new LinkedHashMap<>();
    map(o).forEach((k, v) -> {
      if (v instanceof String s) {
        out.put(k, s);
      }
    });
    return out;
  }
}
