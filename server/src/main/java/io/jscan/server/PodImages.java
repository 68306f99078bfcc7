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
   * One image reference in an object.
   *
   * @param image the reference as written
   * @param list {@code containers}, {@code initContainers} or {@code ephemeralContainers}
   * @param container the container's name
   * @param pointer the JSON pointer of the {@code image} field (what a JSONPatch replaces)
   */
  public record ImageUse(String image, String list, String container, String pointer) {
    public ImageUse {
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(list, "list");
      Objects.requireNonNull(container, "container");
      Objects.requireNonNull(pointer, "pointer");
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

  /** Every image of {@code object} (a {@code kind}), in spec order; empty for an unknown kind. */
  public static Optional<List<ImageUse>> of(GroupVersionKind kind, JsonNode object) {
    Optional<String> pointer = specPointer(kind);
    if (pointer.isEmpty()) {
      return Optional.empty();
    }
    List<ImageUse> out = new ArrayList<>();
    JsonNode spec = object.at(pointer.get());
    if (!spec.isObject()) {
      return Optional.of(out); // no pod spec: nothing will run (the API server's validation refuses it)
    }
    for (String list : CONTAINER_LISTS) {
      JsonNode containers = spec.get(list);
      if (containers == null || !containers.isArray()) {
        continue;
      }
      for (int i = 0; i < containers.size(); i++) {
        JsonNode c = containers.get(i);
        JsonNode image = c.get("image");
        if (image == null || !image.isTextual() || image.asText().isEmpty()) {
          continue; // validation refuses a container without an image; a template may leave it to a later mutation
        }
        String name = c.path("name").asText("#" + i);
        out.add(new ImageUse(image.asText(), list, name, pointer.get() + "/" + list + "/" + i + "/image"));
      }
    }
    return Optional.of(out);
  }

  /**
   * The images of an update that were not in the old object: a container whose image changed, or
   * one that is new. What was there before was admitted (or predates the webhook); judging it again
   * would refuse scaling, label changes and the removal of finalizers from objects that already run.
   */
  public static List<ImageUse> changed(List<ImageUse> now, List<ImageUse> before) {
    Set<String> old = new HashSet<>();
    for (ImageUse u : before) {
      old.add(u.list() + "\u0000" + u.container() + "\u0000" + u.image());
    }
    List<ImageUse> out = new ArrayList<>();
    for (ImageUse u : now) {
      if (!old.contains(u.list() + "\u0000" + u.container() + "\u0000" + u.image())) {
        out.add(u);
      }
    }
    return out;
  }
}
