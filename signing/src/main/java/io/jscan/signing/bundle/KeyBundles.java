package io.jscan.signing.bundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.signing.Json;
import io.jscan.signing.Signer;
import io.jscan.signing.SigningException;
import io.jscan.signing.key.Keys;
import io.jscan.signing.payload.DsseEnvelope;
import io.jscan.signing.payload.InTotoStatement;
import java.io.IOException;
import java.util.Base64;

/**
 * Writes v0.3 bundles for key-based signatures, as cosign 3 writes them when no transparency log
 * is used: {@code verificationMaterial.publicKey.hint} (base64 SHA-256 of the PKIX key) and either a
 * {@code messageSignature} (with the artifact's SHA-256 as {@code messageDigest}) or a {@code
 * dsseEnvelope}. Empty lists are omitted, as protobuf's JSON mapping does.
 */
public final class KeyBundles {
  private KeyBundles() {}

  /** Signs the artifact's bytes and wraps the signature in a bundle. */
  public static SigstoreBundle signArtifact(Signer signer, Artifact artifact) throws SigningException {
    byte[] signature = signer.sign(artifact.content());
    ObjectNode root = skeleton(signer);
    ObjectNode ms = root.putObject("messageSignature");
    ObjectNode md = ms.putObject("messageDigest");
    md.put("algorithm", "SHA2_256");
    md.put("digest", Base64.getEncoder().encodeToString(artifact.digestBytes()));
    ms.put("signature", Base64.getEncoder().encodeToString(signature));
    return parse(root);
  }

  /** Signs an in-toto statement as a DSSE envelope and wraps it in a bundle (an attestation). */
  public static SigstoreBundle attest(Signer signer, InTotoStatement statement) throws SigningException {
    DsseEnvelope env = DsseEnvelope.sign(InTotoStatement.PAYLOAD_TYPE, statement.toJson(), signer, "");
    ObjectNode root = skeleton(signer);
    try {
      root.set("dsseEnvelope", Json.MAPPER.readTree(env.toJson()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot re-read JSON we wrote", e);
    }
    return parse(root);
  }

  private static ObjectNode skeleton(Signer signer) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("mediaType", BundleVersion.V0_3.mediaType());
    root.putObject("verificationMaterial").putObject("publicKey").put("hint", Keys.hint(signer.publicKey()));
    return root;
  }

  private static SigstoreBundle parse(ObjectNode root) throws SigningException {
    try {
      // parsing what we wrote proves it satisfies our own reader's rules for v0.3
      return SigstoreBundle.parse(Json.MAPPER.writeValueAsBytes(root), "(new bundle)");
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize an in-memory JSON tree", e);
    }
  }
}
