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
 * {@code provenance}, pinned when the dependency carries a digest.
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
      Optional<Digest> digest = digest(map(d.get("digest")));
      Optional<String> uri = text(d.get(uriKey));
      Optional<BaseImage> image = Optional.empty();
      if (uri.isPresent() && uri.get().startsWith("pkg:docker/")) {
        image = fromPurl(uri.get(), digest);
      } else if (annotations.containsKey("imageDigest") && text(d.get("name")).isPresent()) {
        // jscan's oci: and docker-archive: bases: named as written, pinned by digest, no registry
        String name = text(d.get("name")).get();
        image = Optional.of(new BaseImage(name, name, Optional.empty(), digest, "provenance", OptionalInt.empty()));
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

  /** {@code pkg:docker/NAME@VERSION?qualifiers}: VERSION a tag or a percent-encoded digest. */
  static Optional<BaseImage> fromPurl(String purl, Optional<Digest> digest) {
    String rest = purl.substring("pkg:docker/".length());
    int q = rest.indexOf('?');
    if (q >= 0) {
      rest = rest.substring(0, q);
    }
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    int at = rest.lastIndexOf('@');
    String name = decode(at < 0 ? rest : rest.substring(0, at));
    Optional<String> version = at < 0 ? Optional.empty() : Optional.of(decode(rest.substring(at + 1)));
    String reference = name;
    Optional<Digest> pinned = digest;
    if (version.isPresent()) {
      if (Digest.isValid(version.get())) {
        reference = name + "@" + version.get();
        pinned = pinned.or(() -> Optional.of(Digest.parse(version.get())));
      } else {
        reference = name + ":" + version.get();
      }
    }
    try {
      return Optional.of(BaseImage.parse(reference, pinned, "provenance", OptionalInt.empty()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
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
