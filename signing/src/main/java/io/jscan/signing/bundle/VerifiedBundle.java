package io.jscan.signing.bundle;

import io.jscan.signing.payload.InTotoStatement;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a successful verification: who signed (a key hint or a certificate identity),
 * when (the log's integrated time or a timestamp), where it was logged, and for a DSSE bundle the
 * verified in-toto statement.
 */
public record VerifiedBundle(
    String signer, Optional<Instant> signedAt, Optional<Long> logIndex, Optional<InTotoStatement> statement) {
  public VerifiedBundle {
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(signedAt, "signedAt");
    Objects.requireNonNull(logIndex, "logIndex");
    Objects.requireNonNull(statement, "statement");
  }
}
