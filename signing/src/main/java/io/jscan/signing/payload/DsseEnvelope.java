package io.jscan.signing.payload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.signing.Json;
import io.jscan.signing.Signer;
import io.jscan.signing.SigningException;
import io.jscan.signing.Verifier;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A DSSE envelope (secure-systems-lab/dsse, envelope.md and protocol.md): a typed payload and the
 * signatures over its pre-authentication encoding (PAE). cosign wraps in-toto statements in it.
 */
public record DsseEnvelope(String payloadType, byte[] payload, List<Signature> signatures) {

  /** One signature; {@code keyid} is an unauthenticated hint and may be empty. */
  public record Signature(String keyid, byte[] sig) {
    public Signature {
      keyid = keyid == null ? "" : keyid;
      Objects.requireNonNull(sig, "sig");
      sig = sig.clone();
    }

    @Override
    public byte[] sig() {
      return sig.clone();
    }
  }

  public DsseEnvelope {
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(payload, "payload");
    payload = payload.clone();
    signatures = List.copyOf(signatures);
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /**
   * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the length in
   * <em>bytes</em> as ASCII decimal (protocol.md). Counting characters instead would sign something
   * else for any non-ASCII type or payload.
   */
  public static byte[] pae(String payloadType, byte[] body) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(type.length + body.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    return out.toByteArray();
  }

  public byte[] pae() {
    return pae(payloadType, payload);
  }

  /** Signs {@code payload} and wraps it; cosign leaves keyid empty. */
  public static DsseEnvelope sign(String payloadType, byte[] payload, Signer signer, String keyid) throws SigningException {
    byte[] sig = signer.sign(pae(payloadType, payload));
    return new DsseEnvelope(payloadType, payload, List.of(new Signature(keyid, sig)));
  }

  /**
   * Verifies that at least one signature is valid under {@code verifier} (protocol.md: a verifier
   * accepts the envelope when enough of its trusted keys verify; with one key, one signature).
   * An envelope without signatures is refused.
   */
  public void verify(Verifier verifier) throws SigningException {
    if (signatures.isEmpty()) {
      throw SigningException.integrity("verifying DSSE envelope", "the envelope has no signatures");
    }
    byte[] pae = pae();
    SigningException last = null;
    for (Signature s : signatures) {
      try {
        verifier.verify(pae, s.sig());
        return;
      } catch (SigningException e) {
        last = e;
      }
    }
    throw SigningException.integrity("verifying DSSE envelope", "no signature verifies under the key: " + last.getMessage(), last);
  }

  public byte[] toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("payloadType", payloadType);
    root.put("payload", Base64.getEncoder().encodeToString(payload));
    ArrayNode sigs = root.putArray("signatures");
    for (Signature s : signatures) {
      ObjectNode n = sigs.addObject();
      n.put("keyid", s.keyid());
      n.put("sig", Base64.getEncoder().encodeToString(s.sig()));
    }
    try {
      return Json.MAPPER.writeValueAsBytes(root);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot serialize an in-memory JSON tree", e);
    }
  }

  public static DsseEnvelope parse(byte[] json) throws SigningException {
    return fromJson(Json.object(json, "parsing DSSE envelope"));
  }

  public static DsseEnvelope fromJson(JsonNode root) throws SigningException {
    String what = "parsing DSSE envelope";
    String payloadType = Json.string(root, "payloadType", what);
    byte[] payload = Json.base64(root, "payload", what);
    List<Signature> sigs = new ArrayList<>();
    for (JsonNode s : Json.array(root, "signatures", what)) {
      if (!s.isObject()) {
        throw SigningException.badInput(what, "a signature is not an object");
      }
      sigs.add(new Signature(Json.optionalString(s, "keyid", what), Json.base64(s, "sig", what)));
    }
    return new DsseEnvelope(payloadType, payload, sigs);
  }

  /** The payload as an in-toto statement; BAD_INPUT if the payload type says it is something else. */
  public InTotoStatement statement() throws SigningException {
    if (!InTotoStatement.PAYLOAD_TYPE.equals(payloadType)) {
      throw SigningException.badInput("reading attestation", "DSSE payloadType is \"" + payloadType + "\", not " + InTotoStatement.PAYLOAD_TYPE);
    }
    return InTotoStatement.parse(payload);
  }
}
