package io.jscan.signing.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.oci.Digest;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * cosign's "simple signing" payload, the bytes a cosign image signature signs (cosign
 * specs/SIGNATURE_SPEC.md, "Payload"; the Red Hat simple signing format with cosign's type):
 *
 * <pre>{"critical":{"identity":{"docker-reference":"registry/repo"},
 *              "image":{"docker-manifest-digest":"sha256:…"},
 *              "type":"cosign container image signature"},
 *  "optional":{…annotations…} | null}</pre>
 *
 * <p>Only the critical section binds the signature to an image. A payload is valid for a manifest
 * only if {@code docker-manifest-digest} is exactly that manifest's digest ({@link
 * #requireManifestDigest}); this is what prevents replaying a signature on another image.
 */
public record SimpleSigningPayload(String dockerReference, Digest manifestDigest, Map<String, Object> optional) {
  public static final String TYPE = "cosign container image signature";
  private static final Set<String> CRITICAL_FIELDS = Set.of("identity", "image", "type");

  public SimpleSigningPayload {
    Objects.requireNonNull(dockerReference, "dockerReference");
    Objects.requireNonNull(manifestDigest, "manifestDigest");
    optional = optional == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(optional));
  }

  /** A payload for {@code dockerReference} (repository without tag or digest, as cosign writes it). */
  public static SimpleSigningPayload of(String dockerReference, Digest manifestDigest) {
    return new SimpleSigningPayload(dockerReference, manifestDigest, Map.of());
  }

  /**
   * The payload's bytes in cosign's layout: Go's {@code json.Marshal} of sigstore's
   * SimpleContainerImage, so {@code "optional":null} when there are no annotations.
   */
  public byte[] toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode critical = root.putObject("critical");
    critical.putObject("identity").put("docker-reference", dockerReference);
    critical.putObject("image").put("docker-manifest-digest", manifestDigest.toString());
    critical.put("type", TYPE);
    if (optional.isEmpty()) {
      root.putNull("optional");
    } else {
      root.set("optional", Json.MAPPER.valueToTree(optional));
    }
    try {
      return Json.MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize an in-memory JSON tree", e);
    }
  }

  /**
   * Parses a payload strictly: the critical section must have exactly identity, image and type,
   * the type must be cosign's, and the digest must be a valid digest. Unknown critical fields are
   * refused because a consumer that ignored them could accept a claim the signer restricted.
   */
  public static SimpleSigningPayload parse(byte[] json) throws SigningException {
    String what = "parsing simple signing payload";
    JsonNode root = Json.object(json, what);
    JsonNode critical = Json.object(root, "critical", what);
    for (Iterator<String> it = critical.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!CRITICAL_FIELDS.contains(f)) {
        throw SigningException.badInput(what, "unknown field \"critical." + f + "\"");
      }
    }
    String type = Json.string(critical, "type", what);
    if (!TYPE.equals(type)) {
      throw SigningException.badInput(what, "critical.type is \"" + type + "\", expected \"" + TYPE + "\"");
    }
    String reference = Json.string(Json.object(critical, "identity", what), "docker-reference", what);
    String digestText = Json.string(Json.object(critical, "image", what), "docker-manifest-digest", what);
    Digest digest;
    try {
      digest = Digest.parse(digestText);
    } catch (IllegalArgumentException e) {
      throw SigningException.badInput(what, e.getMessage());
    }
    Map<String, Object> optional = new LinkedHashMap<>();
    JsonNode opt = root.get("optional");
    if (opt != null && !opt.isNull()) {
      if (!opt.isObject()) {
        throw SigningException.badInput(what, "\"optional\" is not an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> values = Json.MAPPER.convertValue(opt, Map.class);
      optional.putAll(values);
    }
    return new SimpleSigningPayload(reference, digest, optional);
  }

  /** Parses and checks the payload is for {@code manifestDigest}; INTEGRITY if it is for another. */
  public static SimpleSigningPayload parseFor(byte[] json, Digest manifestDigest) throws SigningException {
    SimpleSigningPayload p = parse(json);
    p.requireManifestDigest(manifestDigest);
    return p;
  }

  /**
   * Exact string comparison of the claimed digest with the manifest's: no case folding, no
   * algorithm equivalence. A signature for another manifest must never count for this one.
   */
  public void requireManifestDigest(Digest expected) throws SigningException {
    if (!manifestDigest.toString().equals(expected.toString())) {
      throw SigningException.integrity(
          "checking signature payload", "it signs manifest " + manifestDigest + ", not " + expected);
    }
  }
}
