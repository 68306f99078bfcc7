package io.jscan.signing.oci;

import io.jscan.core.oci.Digest;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The signatures and attestations stored for one manifest digest, as found and not yet trusted:
 * raw bytes and annotations, so that verification (against any keys or identities, as often as
 * needed) parses them itself and reports a malformed one with a precise reason.
 *
 * @param subject the manifest digest they were found for
 * @param location where they were looked for ({@code docker://host/repo}, {@code oci:DIR}, ...)
 */
public record FoundEvidence(Digest subject, String location, List<Candidate> candidates) {
  public FoundEvidence {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(location, "location");
    candidates = List.copyOf(candidates);
  }

  /** Whether nothing at all was found. */
  public boolean isEmpty() {
    return candidates.isEmpty();
  }

  /** Signatures or attestations. */
  public enum Kind {
    SIGNATURE,
    ATTESTATION
  }

  /** One stored signature or attestation. {@code source} says exactly where, for reports. */
  public sealed interface Candidate {
    String source();

    Kind kind();
  }

  /** A layer of the {@code .sig} manifest: the simple-signing payload and the layer's annotations. */
  public record CosignSignature(String source, byte[] payload, Map<String, String> annotations) implements Candidate {
    public CosignSignature {
      Objects.requireNonNull(source, "source");
      payload = payload.clone();
      annotations = Map.copyOf(annotations);
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    @Override
    public Kind kind() {
      return Kind.SIGNATURE;
    }
  }

  /** A layer of the {@code .att} manifest: a DSSE envelope and the layer's annotations. */
  public record CosignAttestation(String source, byte[] envelope, Map<String, String> annotations) implements Candidate {
    public CosignAttestation {
      Objects.requireNonNull(source, "source");
      envelope = envelope.clone();
      annotations = Map.copyOf(annotations);
    }

    @Override
    public byte[] envelope() {
      return envelope.clone();
    }

    @Override
    public Kind kind() {
      return Kind.ATTESTATION;
    }
  }

  /**
   * A Sigstore bundle referrer. {@code kind} follows the referrer's (unsigned) predicate type
   * annotation: cosign's sign predicate (or a message signature) is a signature, anything else an
   * attestation; verification decides from the signed content again.
   */
  public record BundleReferrer(String source, byte[] bundle, Map<String, String> annotations, Kind kind) implements Candidate {
    public BundleReferrer {
      Objects.requireNonNull(source, "source");
      bundle = bundle.clone();
      annotations = Map.copyOf(annotations);
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public byte[] bundle() {
      return bundle.clone();
    }
  }

  /** Something stored as a signature or attestation that could not even be read (a blob that does not match its digest, a bad manifest). */
  public record Unreadable(String source, Kind kind, String reason) implements Candidate {
    public Unreadable {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
