package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.server.AdmissionRequest.GroupVersionKind;
import io.jscan.server.PodImages.ImageUse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodImagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POD_SPEC = "{\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox:1.36\"}],"
      + "\"containers\":[{\"name\":\"app\",\"image\":\"ghcr.io/acme/app:2\"},{\"name\":\"side\",\"image\":\"envoy@sha256:" + "a".repeat(64) + "\"}],"
      + "\"ephemeralContainers\":[{\"name\":\"debug\",\"image\":\"busybox:1.36\"}]}";

  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of("", "Pod", "{\"spec\":" + POD_SPEC + "}", "/spec"),
        Arguments.of("", "ReplicationController", "{\"spec\":{\"template\":{\"spec\":" + POD_SPEC + "}}}", "/spec/template/spec"),
        Arguments.of("apps", "Deployment", "{\"spec\":{\"template\":{\"spec\":" + POD_SPEC + "}}}", "/spec/template/spec"),
        Arguments.of("apps", "ReplicaSet", "{\"spec\":{\"template\":{\"spec\":" + POD_SPEC + "}}}", "/spec/template/spec"),
        Arguments.of("apps", "StatefulSet", "{\"spec\":{\"template\":{\"spec\":" + POD_SPEC + "}}}", "/spec/template/spec"),
        Arguments.of("apps", "DaemonSet", "{\"spec\":{\"template\":{\"spec\":" + POD_SPEC + "}}}", "/spec/template/spec"),
        Arguments.of("batch", "Job", "{\"spec\":{\"template\":{\"spec\":" + POD_SPEC + "}}}", "/spec/template/spec"),
        Arguments.of("batch", "CronJob", "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":" + POD_SPEC + "}}}}}",
            "/spec/jobTemplate/spec/template/spec"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("kinds")
  void of_eachWorkloadKind_findsEveryContainerListAtItsPointer(String group, String kind, String object, String spec) throws Exception {
    JsonNode o = JSON.readTree(object);
    List<ImageUse> uses = PodImages.of(new GroupVersionKind(group, "v1", kind), o).orElseThrow();
    assertEquals(List.of(
        new ImageUse("busybox:1.36", "initContainers", "init", spec + "/initContainers/0/image"),
        new ImageUse("ghcr.io/acme/app:2", "containers", "app", spec + "/containers/0/image"),
        new ImageUse("envoy@sha256:" + "a".repeat(64), "containers", "side", spec + "/containers/1/image"),
        new ImageUse("busybox:1.36", "ephemeralContainers", "debug", spec + "/ephemeralContainers/0/image")), uses);
    for (ImageUse u : uses) {
      assertEquals(u.image(), o.at(u.pointer()).asText(), "the pointer names the image field");
    }
  }

  @Test
  void of_kindOfAnotherGroup_isUnknown() throws Exception {
    assertTrue(PodImages.of(new GroupVersionKind("example.com", "v1", "Deployment"), JSON.readTree("{}")).isEmpty());
    assertTrue(PodImages.of(new GroupVersionKind("", "v1", "ConfigMap"), JSON.readTree("{}")).isEmpty());
  }

  @Test
  void of_podWithoutSpec_hasNothingToCheck() throws Exception {
    GroupVersionKind pod = new GroupVersionKind("", "v1", "Pod");
    assertEquals(List.of(), PodImages.of(pod, JSON.readTree("{\"metadata\":{}}")).orElseThrow());
  }

  /** A container without an image is not skipped (it used to be): it names nothing jscan could judge (issue 16). */
  @Test
  void of_containerWithoutImage_isMalformed() throws Exception {
    GroupVersionKind pod = new GroupVersionKind("", "v1", "Pod");
    assertEquals(List.of(new ImageUse("(missing)", "containers", "x", "/spec/containers/0/image", java.util.Optional.of("the container has no image"))),
        PodImages.of(pod, JSON.readTree("{\"spec\":{\"containers\":[{\"name\":\"x\"}]}}")).orElseThrow());
  }

  /** Every shape an image field can take that names no image, each named with its container and why. */
  @Test
  void of_malformedImages_areEachReportedWithTheirContainerAndWhy() throws Exception {
    GroupVersionKind pod = new GroupVersionKind("", "v1", "Pod");
    JsonNode object = JSON.readTree("""
        {"spec": {
          "initContainers": [{"name": "empty", "image": ""}],
          "containers": [
            {"name": "number", "image": 42},
            {"name": "object", "image": {"repository": "nginx"}},
            {"name": "list", "image": ["nginx"]},
            {"name": "blank", "image": "   "},
            {"name": "padded", "image": " nginx:1.25"},
            {"name": "null", "image": null},
            {"image": true},
            17,
            {"name": "fine", "image": "nginx:1.25"}
          ],
          "ephemeralContainers": {"name": "debug"}
        }}""");
    List<String> got = PodImages.of(pod, object).orElseThrow().stream()
        .map(u -> u.describe() + " | " + u.image() + " | " + u.pointer() + " | " + u.malformed().orElse("ok")).toList();
    assertEquals(List.of(
        "init container empty | \"\" | /spec/initContainers/0/image | the image is empty",
        "container number | 42 | /spec/containers/0/image | the image is a JSON number, not a string",
        "container object | {\"repository\":\"nginx\"} | /spec/containers/1/image | the image is a JSON object, not a string",
        "container list | [\"nginx\"] | /spec/containers/2/image | the image is a JSON array, not a string",
        "container blank | \"   \" | /spec/containers/3/image | the image is only whitespace",
        "container padded | \" nginx:1.25\" | /spec/containers/4/image | the image has whitespace around it",
        "container null | null | /spec/containers/5/image | the container has no image",
        "container #6 | true | /spec/containers/6/image | the image is a JSON boolean, not a string",
        "container #7 | 17 | /spec/containers/7/image | the container is not an object",
        "container fine | nginx:1.25 | /spec/containers/8/image | ok",
        "ephemeral container (all) | {\"name\":\"debug\"} | /spec/ephemeralContainers | ephemeralContainers is not a list"), got);
  }

  /** An update that leaves a malformed image as it was does not judge it again; one that makes it malformed does. */
  @Test
  void changed_malformedImage_isJudgedOnlyWhenItChanged() throws Exception {
    GroupVersionKind pod = new GroupVersionKind("", "v1", "Pod");
    List<ImageUse> before = PodImages.of(pod, JSON.readTree("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"42\"}]}}")).orElseThrow();
    List<ImageUse> number = PodImages.of(pod, JSON.readTree("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":42}]}}")).orElseThrow();
    assertEquals(number, PodImages.changed(number, before), "the string \"42\" is not the number 42");
    assertEquals(List.of(), PodImages.changed(number, number));
  }

  @Test
  void changed_keepsNewContainersAndChangedImagesOnly() {
    List<ImageUse> before = List.of(new ImageUse("a:1", "containers", "app", "/p0"), new ImageUse("b:1", "containers", "side", "/p1"));
    List<ImageUse> after = List.of(new ImageUse("a:2", "containers", "app", "/p0"), new ImageUse("b:1", "containers", "side", "/p1"),
        new ImageUse("b:1", "initContainers", "init", "/p2"));
    assertEquals(List.of(after.get(0), after.get(2)), PodImages.changed(after, before));
  }

  @Test
  void describe_namesTheContainerAndItsList() {
    assertEquals("init container setup", new ImageUse("x", "initContainers", "setup", "/p").describe());
    assertEquals("ephemeral container debug", new ImageUse("x", "ephemeralContainers", "debug", "/p").describe());
    assertEquals("container app", new ImageUse("x", "containers", "app", "/p").describe());
  }
}
