package io.jscan.cli;

import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.signing.oci.SignatureStore;
import io.jscan.signing.oci.SignatureStores;
import io.jscan.verifier.VerifyRequest;

/**
 * What {@code sign} and {@code attest} act on: the manifest a reference names now (a tag resolved
 * to its digest, which is what gets signed, as cosign does) and where its signatures go.
 */
record SigningTarget(Descriptor subject, SignatureStore store) {

  static SigningTarget resolve(ImageReference ref, Transports transports) throws OciException {
    SignatureStore store = SignatureStores.forReference(ref, transports);
    Descriptor subject = transports.read(ref).descriptor();
    var pinned = VerifyRequest.digestOf(ref);
    if (pinned.isPresent() && !pinned.get().equals(subject.digest())) {
      throw OciException.integrity("image " + ref, "the reference pins " + pinned.get() + " but the source has " + subject.digest());
    }
    return new SigningTarget(subject, store);
  }
}
