package io.jscan.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.text.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An AdmissionReview answer (admission.k8s.io/v1 AdmissionResponse): the request's apiVersion and
 * kind echoed, {@code response.uid} equal to {@code request.uid}, {@code allowed}, on denial a
 * {@code status} with code 403 and the message kubectl prints after "denied the request:",
 * {@code warnings} (kubectl prints each as "Warning: ..."), and for {@code /mutate} a JSONPatch
 * (RFC 6902), base64-encoded in {@code patch} with {@code patchType: JSONPatch}.
 *
 * @param patch the JSONPatch operations; empty for none (an allowed answer without a patch)
 */
public record AdmissionResponse(
    String apiVersion, String uid, boolean allowed, Optional<String> message, List<String> warnings, List<PatchOperation> patch) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public AdmissionResponse {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(message, "message");
    // kubectl prints the message after "denied the request:" and each warning as "Warning: ...",
    // raw, on the user's terminal: what they quote from an image (file names, labels) is escaped
    message = message.map(Printable::escape);
    warnings = warnings.stream().map(Printable::escape).toList();
    patch = List.copyOf(patch);
    if (allowed == message.isPresent()) {
      // the API server shows the message of a denial; an allowed answer speaks through warnings
      throw new IllegalArgumentException("a denial has a message and an admission has none");
    }
    if (!allowed && !patch.isEmpty()) {
      throw new IllegalArgumentException("a denial carries no patch");
    }
  }

  /** One RFC 6902 {@code replace} of a string value. */
  public record PatchOperation(String op, String path, String value) {
    public PatchOperation {
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(value, "value");
    }

    public static PatchOperation replace(String path, String value) {
      return new PatchOperation("replace", path, value);
    }
  }

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("apiVersion", apiVersion);
    root.put("kind", "AdmissionReview");
    ObjectNode response = root.putObject("response");
    response.put("uid", uid);
    response.put("allowed", allowed);
    if (message.isPresent()) {
      ObjectNode status = response.putObject("status");
      status.put("code", 403);
      status.put("reason", "Forbidden");
      status.put("message", message.get());
    }
    if (!warnings.isEmpty()) {
      ArrayNode w = response.putArray("warnings");
      warnings.forEach(w::add);
    }
    if (!patch.isEmpty()) {
      response.put("patchType", "JSONPatch");
      response.put("patch", Base64.getEncoder().encodeToString(patchJson()));
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("writing a tree of strings cannot fail", e);
    }
  }

  /** The JSONPatch document: a JSON array of operations. */
  public byte[] patchJson() {
    ArrayNode ops = JSON.createArrayNode();
    for (PatchOperation p : patch) {
      ops.addObject().put("op", p.op()).put("path", p.path()).put("value", p.value());
    }
    return ops.toString().getBytes(StandardCharsets.UTF_8);
  }
}
