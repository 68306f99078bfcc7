package io.jscan.signing.oci;

import io.jscan.core.oci.Digest;
import java.util.List;
import java.util.Objects;

/** Every stored signature and attestation of one digest, each judged ({@link EvidenceCheck}). */
public record VerifiedEvidence(Digest subject, String location, List<EvidenceCheck> checks) {
  public VerifiedEvidence {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(location, "location");
    checks = List.copyOf(checks);
  }

  public List<EvidenceCheck> signatures() {
    return checks.stream().filter(c -> c.kind() == FoundEvidence.Kind.SIGNATURE).toList();
  }

  public List<EvidenceCheck> attestations() {
    return checks.stream().filter(c -> c.kind() == FoundEvidence.Kind.ATTESTATION).toList();
  }

  /** The distinct signers of verified signatures (several signatures by one signer count once). */
  public List<String> signers() {
    return signatures().stream().filter(EvidenceCheck::verified).map(c -> c.signer().orElseThrow()).distinct().toList();
  }
}
