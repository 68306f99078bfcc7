package io.jscan.signing.bundle;

import io.jscan.signing.SigningException;
import io.jscan.signing.Verifier;
import io.jscan.signing.Verifiers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Offline checks of a Rekor entry carried in a bundle, against the trusted root's log keys: the
 * log is trusted and its key valid at the entry's time, the signed entry timestamp (SET) verifies,
 * the inclusion proof leads to the checkpoint's root, and the checkpoint is signed by the log.
 * What the entry <em>says</em> (its body) is checked against the bundle by the caller.
 */
final class RekorEntries {
  private RekorEntries() {}

  /** Verifies the entry's log evidence; returns its integrated time, if it has one. */
  static Optional<Instant> verify(TlogEntry entry, TrustedRoot root) throws SigningException {
    String what = "verifying transparency log entry " + entry.logIndex();
    TrustedRoot.TransparencyLog log =
        root.tlog(entry.logId())
            .orElseThrow(() -> SigningException.integrity(what, "the entry is from a log the trusted root does not list (log id "
                + Base64.getEncoder().encodeToString(entry.logId()) + ")"));
    Verifier logKey = Verifiers.of(log.publicKey());

    Optional<Instant> integrated = entry.integratedTime().map(Instant::ofEpochSecond);
    if (integrated.isPresent() && !log.validFor().contains(integrated.get())) {
      // the log's key was not trusted at the time the entry claims; its promises then prove nothing
      throw SigningException.integrity(what, "integrated time " + integrated.get() + " is outside the log key's validity " + log.validFor());
    }
    if (integrated.isPresent() && integrated.get().isAfter(Instant.now().plusSeconds(60))) {
      throw SigningException.integrity(what, "integrated time " + integrated.get() + " is in the future");
    }

    boolean evidence = false;
    if (entry.signedEntryTimestamp().isPresent()) {
      if (integrated.isEmpty()) {
        throw SigningException.integrity(what, "a signed entry timestamp without an integrated time");
      }
      try {
        logKey.verify(setPayload(entry), entry.signedEntryTimestamp().get());
      } catch (SigningException e) {
        throw SigningException.integrity(what, "the signed entry timestamp does not verify under the log's key", e);
      }
      evidence = true;
    }
    if (entry.inclusionProof().isPresent()) {
      verifyInclusion(entry, entry.inclusionProof().get(), log, logKey, what);
      evidence = true;
    }
    if (!evidence) {
      // neither a promise nor a proof: nothing shows the log ever saw this entry
      throw SigningException.integrity(what, "the entry has neither a signed entry timestamp nor an inclusion proof");
    }
    return integrated;
  }

  /**
   * What Rekor v1 signs as the SET: the RFC 8785 canonical JSON of {body, integratedTime, logID,
   * logIndex} (keys in that sorted order; body base64, logID hex). Values are base64, hex and
   * integers, which need no escaping, so writing them in order is canonical.
   */
  static byte[] setPayload(TlogEntry entry) {
    String json = "{\"body\":\"" + Base64.getEncoder().encodeToString(entry.canonicalizedBody())
        + "\",\"integratedTime\":" + entry.integratedTime().orElseThrow()
        + ",\"logID\":\"" + HexFormat.of().formatHex(entry.logId())
        + "\",\"logIndex\":" + entry.logIndex() + "}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static void verifyInclusion(TlogEntry entry, TlogEntry.InclusionProof proof, TrustedRoot.TransparencyLog log, Verifier logKey, String what)
      throws SigningException {
    byte[] leaf = Merkle.leafHash(entry.canonicalizedBody());
    if (!Merkle.verifyInclusion(proof.logIndex(), proof.treeSize(), leaf, proof.hashes(), proof.rootHash())) {
      throw SigningException.integrity(what, "the inclusion proof does not lead from the entry to the root hash");
    }
    // A proof is only as good as the root it ends in: the root must be one the log signed.
    String envelope = proof.checkpoint()
        .orElseThrow(() -> SigningException.integrity(what, "the inclusion proof has no signed checkpoint, so its root hash is unauthenticated"));
    Checkpoint cp = Checkpoint.parse(envelope);
    if (cp.size() != proof.treeSize() || !MessageDigest.isEqual(cp.rootHash(), proof.rootHash())) {
      throw SigningException.integrity(what, "the checkpoint is for another tree (size or root hash differs from the inclusion proof)");
    }
    String host = log.baseUrl().getHost();
    byte[] v1Hint = Arrays.copyOf(log.logId(), 4);
    for (Checkpoint.NoteSignature sig : cp.signatures()) {
      if (!sig.name().equals(host) && !cp.origin().startsWith(sig.name())) {
        continue;
      }
      if (!MessageDigest.isEqual(sig.keyHint(), v1Hint) && !MessageDigest.isEqual(sig.keyHint(), noteKeyHint(sig.name(), log))) {
        continue;
      }
      try {
        logKey.verify(cp.signedText(), sig.signature());
        return;
      } catch (SigningException e) {
        throw SigningException.integrity(what, "the checkpoint signature does not verify under the log's key", e);
      }
    }
    throw SigningException.integrity(what, "the checkpoint carries no signature by the log " + host);
  }

  /** signed-note key id: SHA-256(name || 0x0A || 0x01 || Ed25519 key)[0:4] (c2sp.org/signed-note). */
  private static byte[] noteKeyHint(String name, TrustedRoot.TransparencyLog log) {
    MessageDigest md = io.jscan.core.oci.Digest.sha256Digest();
    md.update(name.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0x0A);
    md.update((byte) 0x01);
    byte[] spki = log.publicKey().getEncoded();
    // the raw Ed25519 key is the last 32 bytes of its SubjectPublicKeyInfo
    md.update(spki, Math.max(0, spki.length - 32), Math.min(32, spki.length));
    return Arrays.copyOf(md.digest(), 4);
  }
}
