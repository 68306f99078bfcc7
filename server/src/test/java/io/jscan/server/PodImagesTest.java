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
  void of_podWithoutSpecOrImages_hasNothingToCheck() throws Exception {
    GroupVersionKind pod = new GroupVersionKind("", "v1", "Pod");
    assertEquals(List.of(), PodImages.of(pod, JSON.readTree("{\"metadata\":{}}")).orElseThrow());
    assertEquals(List.of(), PodImages.of(pod, JSON.readTree("{\"spec\":{\"containers\":[{\"name\":\"x\"}]}}")).orElseThrow());
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
