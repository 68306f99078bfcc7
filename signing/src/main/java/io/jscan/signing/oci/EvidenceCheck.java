package io.jscan.signing.oci;

import io.jscan.signing.payload.InTotoStatement;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict on one stored signature or attestation.
 *
 * @param kind signature or attestation (for a bundle: as its signed content says when it could be read)
 * @param format {@code cosign} (a {@code .sig}/{@code .att} tag layer) or {@code sigstore-bundle} (a referrer)
 * @param source exactly where it is stored
 * @param verified whether it verified: signature under a trusted key or identity, bound to the
 *     very digest verified, with the log evidence required
 * @param signer who signed, when it verified ({@code key cosign.pub (…)}, or a certificate's SAN and issuer)
 * @param detail what was checked, or precisely why it failed
 * @param statement an attestation's in-toto statement, when it verified
 * @param logIndex the index of the transparency log entry that was verified with it, when one was
 *     (always for keyless; for a key signature when the policy requires one or its bundle has one)
 */
public record EvidenceCheck(
    FoundEvidence.Kind kind, String format, String source, boolean verified, Optional<String> signer, String detail,
    Optional<InTotoStatement> statement, Optional<Long> logIndex) {
  public EvidenceCheck {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(statement, "statement");
    Objects.requireNonNull(logIndex, "logIndex");
    if (verified != signer.isPresent()) {
      throw new IllegalArgumentException("a verified check names its signer, a failed one does not");
    }
    if (!verified && logIndex.isPresent()) {
      throw new IllegalArgumentException("only a verified check has a verified log entry");
    }
  }

  /** The predicate type of a verified attestation. */
  public Optional<String> predicateType() {
    return statement.map(InTotoStatement::predicateType);
  }

  static EvidenceCheck failed(FoundEvidence.Kind kind, String format, String source, String reason) {
    return new EvidenceCheck(kind, format, source, false, Optional.empty(), reason, Optional.empty(), Optional.empty());
  }
}
