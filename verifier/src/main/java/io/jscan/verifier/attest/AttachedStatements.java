package io.jscan.verifier.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.Referrers;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.OciException;
import io.jscan.verifier.Evidence;
import io.jscan.verifier.EvidenceProvider;
import io.jscan.verifier.VerifierException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the unsigned in-toto statements attached to an image as OCI 1.1 referrers (what
 * {@code jscan build --sbom --provenance} attaches without {@code --sign}, and BuildKit-style
 * attestation blobs): artifacts of type {@code application/vnd.in-toto+json} whose subject is the
 * image (or the index the user named), each blob a statement whose own subject is that digest.
 *
 * <p>They become {@link Evidence.Attachment}s: informational, never trusted (see there). A
 * statement about another digest, or one that does not parse, is ignored: it says nothing about
 * this image. Reading is bounded ({@link #MAX_STATEMENT_BYTES} per blob, {@link #MAX_ARTIFACTS}).
 */
public final class AttachedStatements implements EvidenceProvider {
  public static final String ARTIFACT_TYPE = "application/vnd.in-toto+json";
  static final long MAX_STATEMENT_BYTES = InputLimit.ATTACHED_STATEMENT.bytes();
  static final int MAX_ARTIFACTS = 32;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Referrers referrers;

  public AttachedStatements(Referrers referrers) {
    this.referrers = referrers;
  }

  @Override
  public Evidence collect(Artifact subject, Image image, String reference) throws VerifierException {
    try {
      Set<Digest> about = new LinkedHashSet<>(List.of(image.digest(), subject.descriptor().digest()));
      List<Evidence.Attachment> found = new ArrayList<>();
      int read = 0;
      for (Digest d : about) {
        for (Descriptor r : referrers.list(d, ARTIFACT_TYPE)) {
          if (read++ >= MAX_ARTIFACTS) {
            break;
          }
          Artifact a = referrers.read(r);
          if (a instanceof Image artifact) {
            statements(artifact, about, found);
          }
        }
      }
      return new Evidence(List.of(), List.of(), found);
    } catch (OciException e) {
      if (e.kind() == FailureKind.INTEGRITY) {
        // an attachment whose bytes do not match its digest: reported like any damaged content
        throw new VerifierException(FailureKind.INTEGRITY, "attachments of " + reference, e.getMessage(), e);
      }
      throw new VerifierException(e.kind(), "attachments of " + reference, e.getMessage(), e);
    }
  }

  private static void statements(Image artifact, Set<Digest> about, List<Evidence.Attachment> out) throws OciException {
    Manifest m = artifact.manifest();
    for (Descriptor layer : m.layers()) {
      if (!ARTIFACT_TYPE.equals(layer.mediaType()) || layer.size() > MAX_STATEMENT_BYTES) {
        continue;
      }
      byte[] bytes;
      try (InputStream in = artifact.openBlob(layer)) {
        // read to the end: the blob's digest and size are checked there, before anything is parsed
        bytes = in.readAllBytes();
      } catch (IOException e) {
        throw OciException.reading("attachment " + layer.digest(), e);
      }
      JsonNode statement;
      try {
        statement = JSON.readTree(bytes);
      } catch (IOException e) {
        continue; // not JSON: not a statement
      }
      if (statement == null || !statement.isObject() || !statement.path("predicateType").isTextual()
          || !statement.path("_type").asText().startsWith("https://in-toto.io/Statement/")) {
        continue;
      }
      if (!isAbout(statement.path("subject"), about)) {
        continue;
      }
      Object predicate = plain(statement.path("predicate"));
      @SuppressWarnings("unchecked")
      Map<String, Object> map = predicate instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
      out.add(new Evidence.Attachment(statement.get("predicateType").asText(), artifact.digest(), map));
    }
  }

  private static boolean isAbout(JsonNode subjects, Set<Digest> about) {
    for (JsonNode s : subjects) {
      JsonNode digests = s.path("digest");
      for (Digest d : about) {
        if (d.encoded().equals(digests.path(d.algorithm()).asText(null))) {
          return true;
        }
      }
    }
    return false;
  }

  /** A JSON tree as plain values (maps, lists, strings, longs, doubles, booleans); nulls are left out. */
  static Object plain(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          m.put(e.getKey(), plain(e.getValue()));
        }
      }
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      for (JsonNode e : n) {
        if (!e.isNull()) {
          l.add(plain(e));
        }
      }
      return l;
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      return n.asLong();
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    return n.asText();
  }
}
