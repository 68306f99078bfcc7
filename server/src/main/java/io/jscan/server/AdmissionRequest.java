package io.jscan.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code request} of an AdmissionReview as the API server sends it (admission.k8s.io/v1
 * AdmissionRequest): only the fields the webhook uses are kept, and only the shape is checked
 * here; what the object means is {@link PodImages}' business.
 *
 * @param apiVersion the review's apiVersion, echoed in the answer
 * @param uid echoed in {@code response.uid}, as the API server requires
 * @param kind the object's group, version and kind (after conversion to what the webhook asked for)
 * @param resource the resource ({@code pods}, {@code deployments})
 * @param subResource e.g. {@code ephemeralcontainers}
 * @param namespace empty for cluster-scoped objects
 * @param name empty when the object's name is generated at create time
 * @param operation CREATE, UPDATE, DELETE or CONNECT
 * @param username who asked (logged with denials)
 * @param object the object as it will be stored; empty for DELETE
 * @param oldObject the stored object, for UPDATE and DELETE
 * @param dryRun whether the API server will not persist the change (the answer is the same: this
 *     webhook has no side effects)
 */
public record AdmissionRequest(
    String apiVersion,
    String uid,
    GroupVersionKind kind,
    GroupVersionKind resource,
    Optional<String> subResource,
    String namespace,
    Optional<String> name,
    String operation,
    Optional<String> username,
    Optional<JsonNode> object,
    Optional<JsonNode> oldObject,
    boolean dryRun) {

  /** The API versions of AdmissionReview answered (the webhook configurations ask for v1). */
  public static final List<String> API_VERSIONS = List.of("admission.k8s.io/v1", "admission.k8s.io/v1beta1");

  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      // pods nest a few levels; a body nested deeper than this is an attack, not an object
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
      .build());

  public AdmissionRequest {
    Objects.requireNonNull(apiVersion, "apiVersion");
    if (uid == null || uid.isEmpty()) {
      throw new IllegalArgumentException("an admission request has a uid");
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(subResource, "subResource");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(oldObject, "oldObject");
  }

  /** A group, version and kind (or resource): {@code apps/v1 Deployment}. */
  public record GroupVersionKind(String group, String version, String kind) {
    public GroupVersionKind {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String toString() {
      return (group.isEmpty() ? "" : group + "/") + version + " " + kind;
    }
  }

  /** Parses a review body; everything that keeps it from being answered is a {@link BadReviewException}. */
  public static AdmissionRequest parse(byte[] body) throws BadReviewException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new BadReviewException("malformed JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadReviewException("unreadable body: " + e.getMessage());
    }
    if (root == null || root.isMissingNode() || !root.isObject()) {
      throw new BadReviewException("the body is not a JSON object (expected an AdmissionReview)");
    }
    String apiVersion = text(root, "apiVersion", "");
    String kind = text(root, "kind", "");
    if (!kind.equals("AdmissionReview")) {
      throw new BadReviewException("kind is \"" + kind + "\", expected AdmissionReview");
    }
    if (!API_VERSIONS.contains(apiVersion)) {
      throw new BadReviewException("apiVersion is \"" + apiVersion + "\", expected " + String.join(" or ", API_VERSIONS));
    }
    JsonNode request = root.get("request");
    if (request == null || !request.isObject()) {
      throw new BadReviewException("the AdmissionReview has no request");
    }
    String uid = text(request, "uid", "request.");
    if (uid.isEmpty()) {
      throw new BadReviewException("request.uid is missing or empty");
    }
    GroupVersionKind gvk = gvk(request, "kind", "kind");
    GroupVersionKind gvr = gvk(request, "resource", "resource");
    String operation = text(request, "operation", "request.");
    if (operation.isEmpty()) {
      throw new BadReviewException("request.operation is missing");
    }
    Optional<JsonNode> object = objectField(request, "object");
    Optional<JsonNode> oldObject = objectField(request, "oldObject");
    if ((operation.equals("CREATE") || operation.equals("UPDATE")) && object.isEmpty()) {
      throw new BadReviewException("request.object is missing for " + operation);
    }
    JsonNode dry = request.get("dryRun");
    if (dry != null && !dry.isNull() && !dry.isBoolean()) {
      throw new BadReviewException("request.dryRun is not a boolean");
    }
    JsonNode user = request.get("userInfo");
    Optional<String> username = user != null && user.hasNonNull("username") && user.get("username").isTextual()
        ? Optional.of(user.get("username").asText()) : Optional.empty();
    return new AdmissionRequest(apiVersion, uid, gvk, gvr, optionalText(request, "subResource"), text(request, "namespace", "request."),
        optionalText(request, "name"), operation, username, object, oldObject, dry != null && dry.asBoolean(false));
  }

  private static GroupVersionKind gvk(JsonNode request, String field, String last) throws BadReviewException {
    JsonNode n = request.get(field);
    if (n == null || !n.isObject()) {
      throw new BadReviewException("request." + field + " is missing");
    }
    String k = text(n, last, "request." + field + ".");
    if (k.isEmpty()) {
      throw new BadReviewException("request." + field + "." + last + " is missing");
    }
    return new GroupVersionKind(text(n, "group", "request." + field + "."), text(n, "version", "request." + field + "."), k);
  }

  private static Optional<JsonNode> objectField(JsonNode request, String field) throws BadReviewException {
    JsonNode n = request.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isObject()) {
      throw new BadReviewException("request." + field + " is not an object");
    }
    return Optional.of(n);
  }

  private static String text(JsonNode node, String field, String prefix) throws BadReviewException {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return "";
    }
    if (!n.isTextual()) {
      throw new BadReviewException(prefix + field + " is not a string");
    }
    return n.asText();
  }

  private static Optional<String> optionalText(JsonNode node, String field) {
    JsonNode n = node.get(field);
    return n != null && n.isTextual() && !n.asText().isEmpty() ? Optional.of(n.asText()) : Optional.empty();
  }

  /** Names the object for logs: {@code namespace/name}, or the generateName prefix with {@code *}. */
  public String objectName() {
    String n = name.orElseGet(() -> object.map(o -> o.path("metadata").path("generateName").asText("")).filter(s -> !s.isEmpty())
        .map(s -> s + "*").orElse("(unnamed)"));
    return namespace.isEmpty() ? n : namespace + "/" + n;
  }
}
