package io.jscan.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.server.AdmissionRequest.GroupVersionKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where the images of a workload are: the pod spec's location for each kind jscan knows
 * (core/v1 PodSpec inside each), and in it the three container lists the kubelet starts
 * ({@code initContainers}, {@code containers}, {@code ephemeralContainers}).
 */
public final class PodImages {
  private PodImages() {}

  /** The container lists of a PodSpec, in the order the kubelet starts them. */
  static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");

  /**
   * Pod spec locations as JSON pointers, by group and kind. Pods are judged where they are made;
   * the templates of their controllers are judged too, so that a Deployment with a bad image is
   * refused at {@code kubectl apply} rather than leaving a ReplicaSet that fails to make pods.
   */
  private static final Map<String, String> SPEC_BY_KIND = Map.of(
      "/Pod", "/spec",
      "/ReplicationController", "/spec/template/spec",
      "apps/Deployment", "/spec/template/spec",
      "apps/ReplicaSet", "/spec/template/spec",
      "apps/StatefulSet", "/spec/template/spec",
      "apps/DaemonSet", "/spec/template/spec",
      "batch/Job", "/spec/template/spec",
      "batch/CronJob", "/spec/jobTemplate/spec/template/spec");

  /**
   * One image reference in an object, or a container whose image is not one.
   *
   * @param image the reference as written; for a malformed image, its JSON as written ({@code 42},
   *     {@code ""}, {@code {}}) or {@code (missing)}
   * @param list {@code containers}, {@code initContainers} or {@code ephemeralContainers}
   * @param container the container's name ({@code #N}, its position, when it has none)
   * @param pointer the JSON pointer of the {@code image} field (what a JSONPatch replaces)
   * @param malformed why the {@code image} field cannot name an image (not a string, empty,
   *     whitespace around it, the container not an object), when it cannot: such a container is
   *     denied whatever the policies say, since no node could pull it, and a field jscan cannot read
   *     must not pass for one it judged (issue 16)
   */
  public record ImageUse(String image, String list, String container, String pointer, Optional<String> malformed) {
    public ImageUse {
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(list, "list");
      Objects.requireNonNull(container, "container");
      Objects.requireNonNull(pointer, "pointer");
      Objects.requireNonNull(malformed, "malformed");
    }

    /** A well-formed image reference (still to be parsed). */
    public ImageUse(String image, String list, String container, String pointer) {
      this(image, list, container, pointer, Optional.empty());
    }

    /** {@code container app}, {@code init container setup}, {@code ephemeral container debug}. */
    public String describe() {
      String what = switch (list) {
        case "initContainers" -> "init container ";
        case "ephemeralContainers" -> "ephemeral container ";
        default -> "container ";
      };
      return what + container;
    }
  }

  /** The pod spec's JSON pointer for {@code kind}; empty for a kind jscan does not know. */
  public static Optional<String> specPointer(GroupVersionKind kind) {
    return Optional.ofNullable(SPEC_BY_KIND.get(kind.group() + "/" + kind.kind()));
  }

  /**
   * Every image of {@code object} (a {@code kind}), in spec order, the malformed ones included
   * ({@link ImageUse#malformed}); empty for an unknown kind.
   */
  public static Optional<List<ImageUse>> of(GroupVersionKind kind, JsonNode object) {
    Optional<String> pointer = specPointer(kind);
    if (pointer.isEmpty()) {
      return Optional.empty();
    }
    List<ImageUse> out = new ArrayList<>();
    JsonNode spec = object.at(pointer.get());
    if (spec.isMissingNode() || spec.isNull()) {
      return Optional.of(out); // no pod spec: nothing will run (the API server's validation refuses it)
    }
    if (!spec.isObject()) {
      out.add(new ImageUse(shown(spec), "containers", "(all)", pointer.get(), Optional.of("the pod spec is not an object")));
      return Optional.of(out);
    }
    for (String list : CONTAINER_LISTS) {
      JsonNode containers = spec.get(list);
      if (containers == null || containers.isNull()) {
        continue;
      }
      if (!containers.isArray()) {
        out.add(new ImageUse(shown(containers), list, "(all)", pointer.get() + "/" + list, Optional.of(list + " is not a list")));
        continue;
      }
      for (int i = 0; i < containers.size(); i++) {
        JsonNode c = containers.get(i);
        String at = pointer.get() + "/" + list + "/" + i + "/image";
        if (!c.isObject()) {
          out.add(new ImageUse(shown(c), list, "#" + i, at, Optional.of("the container is not an object")));
          continue;
        }
        JsonNode nameField = c.get("name");
        String name = nameField != null && nameField.isTextual() && !nameField.asText().isEmpty() ? nameField.asText() : "#" + i;
        JsonNode image = c.get("image");
        Optional<String> malformed = malformed(image);
        String written = malformed.isEmpty() ? image.asText() : image == null ? "(missing)" : shown(image);
        out.add(new ImageUse(written, list, name, at, malformed));
      }
    }
    return Optional.of(out);
  }

  /**
   * Why an {@code image} field names no image, if it does not. The kubelet pulls the string as it
   * is, so neither an empty one nor one with whitespace around it can be pulled; a template may not
   * leave it for a later mutation either, since a validating webhook sees the object after every
   * mutation (and OpenShift's {@code " "} placeholder is no reference).
   */
  private static Optional<String> malformed(JsonNode image) {
    if (image == null || image.isNull()) {
      return Optional.of("the container has no image");
    }
    if (!image.isTextual()) {
      return Optional.of("the image is a JSON " + image.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not a string");
    }
    String text = image.asText();
    if (text.isEmpty()) {
      return Optional.of("the image is empty");
    }
    if (text.isBlank()) {
      return Optional.of("the image is only whitespace");
    }
    if (!text.equals(text.strip())) {
      return Optional.of("the image has whitespace around it");
    }
    return Optional.empty();
  }

  /** A JSON value as written, shortened for messages (its control characters escaped by the JSON writer). */
  private static String shown(JsonNode value) {
    String json = value.toString();
    return json.length() > 60 ? json.substring(0, 60) + "…" : json;
  }

  /**
   * The images of an update that were not in the old object: a container whose image changed, or
   * one that is new. What was there before was admitted (or predates the webhook); judging it again
   * would refuse scaling, label changes and the removal of finalizers from objects that already run.
   */
  public static List<ImageUse> changed(List<ImageUse> now, List<ImageUse> before) {
    Set<String> old = new HashSet<>();
    for (ImageUse u : before) {
      old.add(key(u));
    }
    List<ImageUse> out = new ArrayList<>();
    for (ImageUse u : now) {
      if (!old.contains(key(u))) {
        out.add(u);
      }
    }
    return out;
  }

  /** What an update compares: where the image is and what it is (a malformed {@code "42"} is not the string 42). */
  private static String key(ImageUse u) {
    return u.list() + "\u0000" + u.container() + "\u0000" + u.image() + "\u0000" + u.malformed().orElse("");
  }
}
