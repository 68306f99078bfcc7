package io.jscan.signing.bundle;

import io.jscan.signing.Crypto;
import io.jscan.signing.SigningException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * RFC 3161 timestamps in a bundle ({@code timestampVerificationData.rfc3161Timestamps}, each a
 * DER TimeStampResp): the token must be signed by a timestamp authority of the trusted root whose
 * chain and validity cover the time it states, and its message imprint must be the SHA-256 of the
 * signature it timestamps.
 */
final class Rfc3161 {
  private Rfc3161() {}

  static Instant verify(byte[] response, byte[] signature, TrustedRoot root) throws SigningException {
    String what = "verifying RFC 3161 timestamp";
    TimeStampToken token;
    try {
      TimeStampResponse resp = new TimeStampResponse(response);
      token = resp.getTimeStampToken();
    } catch (TSPException | IOException | RuntimeException e) {
      throw SigningException.integrity(what, "not a timestamp response: " + e.getMessage());
    }
    if (token == null) {
      throw SigningException.integrity(what, "the response carries no timestamp token");
    }
    AlgorithmIdentifier imprintAlg = token.getTimeStampInfo().getMessageImprintAlgOID() == null
        ? null : new AlgorithmIdentifier(token.getTimeStampInfo().getMessageImprintAlgOID());
    if (imprintAlg == null || !imprintAlg.getAlgorithm().equals(NISTObjectIdentifiers.id_sha256)) {
      throw SigningException.integrity(what, "the timestamp's message imprint is not SHA-256");
    }
    byte[] expected = io.jscan.core.oci.Digest.sha256Digest().digest(signature);
    if (!MessageDigest.isEqual(expected, token.getTimeStampInfo().getMessageImprintDigest())) {
      throw SigningException.integrity(what, "the timestamp is for other data than this signature");
    }
    Instant genTime = token.getTimeStampInfo().getGenTime().toInstant();
    for (TrustedRoot.CertificateAuthority tsa : root.timestampAuthorities()) {
      if (tsa.chain().isEmpty() || !tsa.validFor().contains(genTime)) {
        continue;
      }
      X509Certificate leaf = tsa.chain().get(0);
      try {
        if (!token.getSID().match(new X509CertificateHolder(leaf.getEncoded()))) {
          continue;
        }
        SignerInformationVerifier v = new JcaSimpleSignerInfoVerifierBuilder().setProvider(Crypto.provider()).build(leaf);
        // validate() checks the CMS signature, the signing-certificate attribute, and that the
        // leaf was valid at genTime and is a time-stamping certificate (RFC 3161 2.3)
        token.validate(v);
        verifyChain(tsa.chain(), genTime);
        return genTime;
      } catch (TSPException | OperatorCreationException | GeneralSecurityException | IOException e) {
        throw SigningException.integrity(what, "the timestamp does not verify under the TSA " + tsa.uri() + ": " + e.getMessage(), e);
      }
    }
    throw SigningException.integrity(what, "no timestamp authority of the trusted root signed it (at " + genTime + ")");
  }

  private static void verifyChain(List<X509Certificate> chain, Instant at) throws GeneralSecurityException {
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      c.checkValidity(java.util.Date.from(at));
      X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : c;
      c.verify(issuer.getPublicKey(), Crypto.provider());
    }
  }

}
