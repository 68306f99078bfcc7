package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.Platform;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.FaultProxy;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ocilayout.OciLayout;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.verifier.Schemas;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which copy verify, inspect and sbom read when a name is both in the local store and in its
 * registry, and what they say when the registry's tag names another image (issue 15). The tag is
 * moved with skopeo, an oracle jscan did not write.
 */
class ImageCopyCommandsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  static TestRegistry registry;

  @TempDir Path tmp;
  Map<String, String> env;

  record Result(int code, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = TestRegistry.start(shared.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void isolate() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    env = new HashMap<>(System.getenv());
    env.put("DOCKER_CONFIG", tmp.resolve("docker").toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString());
  }

  /** verify with only the integrity rule, in {@code format}. */
  Result verify(String ref, String format) {
    Result r = jscan("verify", ref, "--policy", integrityPolicy(), "--output", format);
    assertFalse(r.err().contains("\tat "), r.err());
    return r;
  }

  String integrityPolicy() {
    Path p = tmp.resolve("integrity.yaml");
    try {
      java.nio.file.Files.writeString(p, "apiVersion: jscan.io/v1\nkind: Policy\nname: t\nrules:\n  - id: integrity\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p.toString();
  }

  static void storeImage(Image image, String name) throws Exception {
    try (LocalStore store = LocalStore.openDefault()) {
      store.write(image, List.of(ImageName.parse(name)));
    }
  }

  /** {@code skopeo copy} of {@code image} (through an OCI layout) to {@code docker://destination}: moves the tag. */
  void skopeoCopy(Image image, String destination, String... extra) throws Exception {
    Path layout = tmp.resolve("skopeo-src-" + image.digest().encoded().substring(0, 12));
    OciLayout.create(layout).write(image, Optional.of("s"));
    skopeo(layout, destination, extra);
  }

  static void skopeo(Path layout, String destination, String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ExternalTool.require("skopeo").toString(), "copy", "--dest-tls-verify=false"));
    cmd.addAll(List.of(extra));
    cmd.add("oci:" + layout + ":s");
    cmd.add("docker://" + destination);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "skopeo timed out");
    assertEquals(0, p.exitValue(), out);
  }

  /** The registry's digest for {@code ref}, as skopeo sees it. */
  static String skopeoDigest(String ref) throws Exception {
    Process p = new ProcessBuilder(ExternalTool.require("skopeo").toString(), "inspect", "--tls-verify=false", "--raw", "docker://" + ref)
        .redirectErrorStream(true).start();
    byte[] raw = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), new String(raw, StandardCharsets.UTF_8));
    return Digest.sha256(raw).toString();
  }

  static List<JsonNode> copyFindings(JsonNode report) {
    List<JsonNode> out = new ArrayList<>();
    report.get("findings").forEach(f -> {
      if (f.get("rule").asText().equals("registry-copy")) {
        out.add(f);
      }
    });
    return out;
  }

  /** An image built and verified locally while the registry's tag names an older image (CI before push, or a moved tag). */
  @Test
  void verify_storeCopyOfATagTheRegistryMoved_passesWithAWarningNamingBothDigests() throws Exception {
    String name = registry.host() + "/moved/app:1";
    Image local = TestImages.withLayers("built here");
    storeImage(local, name);
    assertEquals(0, jscan("push", "-q", name).code());
    Image other = TestImages.withLayers("pushed by someone else");
    skopeoCopy(other, name);
    String theirs = skopeoDigest(name);
    assertEquals(other.digest().toString(), theirs);

    Result text = verify(name, "text");
    assertEquals(0, text.code(), text.out() + text.err());
    assertTrue(text.out().contains("Copy      the local store's " + name + " (" + tmp.resolve("home") + "), " + local.digest()), text.out());
    assertTrue(text.out().contains("Registry  the registry's " + name + " is another image, " + theirs), text.out());
    String message = "the local store's " + name + " is " + local.digest() + "; the registry's " + name + " is " + theirs
        + ": verified the local store's copy, not the registry's";
    assertTrue(text.out().contains("! registry-copy (warn)  manifest " + local.digest().algorithm() + ":" + local.digest().shortHex() + ": "
        + message), text.out());
    assertTrue(text.out().strip().lines().reduce((a, b) -> b).orElseThrow().startsWith("PASSED: 0 errors, 1 warning"), text.out());

    Result json = verify(name, "json");
    assertEquals(0, json.code(), json.err());
    JsonNode report = json.json();
    assertEquals("", Schemas.problems(Schemas.report(), report));
    JsonNode copy = report.get("subject").get("copy");
    assertEquals("store", copy.get("source").asText());
    assertEquals(local.digest().toString(), copy.get("digest").asText());
    assertEquals(tmp.resolve("home").toString(), copy.get("location").asText());
    assertEquals("differs", copy.get("registry").get("status").asText());
    assertEquals(theirs, copy.get("registry").get("digest").asText());
    List<JsonNode> findings = copyFindings(report);
    assertEquals(1, findings.size(), findings.toString());
    assertEquals("warning", findings.get(0).get("severity").asText());
    assertFalse(findings.get(0).get("blocking").asBoolean());
    assertEquals(message, findings.get(0).get("message").asText());

    Result sarif = verify(name, "sarif");
    assertEquals(0, sarif.code(), sarif.err());
    JsonNode run = sarif.json().get("runs").get(0);
    assertEquals("differs", run.get("properties").get("copy").get("registry").get("status").asText());
    JsonNode result = run.get("results").get(0);
    assertEquals("registry-copy", result.get("ruleId").asText());
    assertEquals("warning", result.get("level").asText());
    assertEquals(message, result.get("message").get("text").asText());

    // docker://NAME keeps its meaning: the registry's copy, nothing to compare
    Result remote = verify("docker://" + name, "json");
    assertEquals(0, remote.code(), remote.err());
    JsonNode remoteCopy = remote.json().get("subject").get("copy");
    assertEquals("registry", remoteCopy.get("source").asText());
    assertEquals(theirs, remoteCopy.get("digest").asText());
    assertEquals("not-compared", remoteCopy.get("registry").get("status").asText());
    assertEquals(List.of(), copyFindings(remote.json()));
  }

  /** The registry's copy is judged under its name, as the store's is (allowed-registries used to see no name for docker://). */
  @Test
  void verify_dockerTransport_givesThePolicyRulesTheImagesName() throws Exception {
    String name = registry.host() + "/named/app:1";
    skopeoCopy(TestImages.withLayers("named"), name);
    Path policy = tmp.resolve("registries.yaml");
    java.nio.file.Files.writeString(policy, "apiVersion: jscan.io/v1\nkind: Policy\nname: r\nrules:\n"
        + "  - id: allowed-registries\n    parameters:\n      registries: [registry.example/team]\n");
    for (String ref : List.of("docker://" + name, name)) {
      Result r = jscan("verify", ref, "--policy", policy.toString());
      assertEquals(3, r.code(), ref + ": " + r.out() + r.err());
      assertTrue(r.out().contains("image repository " + registry.host() + "/named/app is not in an allowed registry"), r.out());
    }
  }

  /** The usual CI state between build and push: the registry has no such tag yet. */
  @Test
  void verify_storeCopyNotPushedYet_passesWithAnInfoFinding() throws Exception {
    String name = registry.host() + "/notyet/app:1";
    Image local = TestImages.withLayers("not pushed");
    storeImage(local, name);
    Result json = verify(name, "json");
    assertEquals(0, json.code(), json.err());
    JsonNode report = json.json();
    assertEquals("", Schemas.problems(Schemas.report(), report));
    assertEquals("absent", report.get("subject").get("copy").get("registry").get("status").asText());
    List<JsonNode> findings = copyFindings(report);
    assertEquals(1, findings.size(), findings.toString());
    assertEquals("info", findings.get(0).get("severity").asText());
    assertEquals("the registry has no " + name + " (not pushed yet?): verified the local store's copy, " + local.digest(),
        findings.get(0).get("message").asText());
  }

  /** The comparison is one HEAD of the manifest: no GET of it, no blob. */
  @Test
  void verify_storeCopyTheRegistryAlsoHas_asksOneManifestHeadAndNoBlob() throws Exception {
    try (FaultProxy proxy = FaultProxy.inFrontOf(registry)) {
      String name = proxy.host() + "/same/app:1";
      Image local = TestImages.withLayers("same", "everywhere");
      storeImage(local, name);
      assertEquals(0, jscan("push", "-q", name).code());
      int before = proxy.requests().size();
      Result json = verify(name, "json");
      assertEquals(0, json.code(), json.err());
      JsonNode copy = json.json().get("subject").get("copy");
      assertEquals("same", copy.get("registry").get("status").asText());
      assertEquals(local.digest().toString(), copy.get("registry").get("digest").asText());
      assertEquals(List.of(), copyFindings(json.json()));
      List<String> asked = proxy.requests().subList(before, proxy.requests().size());
      assertEquals(List.of("HEAD /v2/same/app/manifests/1"), asked.stream().filter(r -> r.contains("/manifests/") || r.contains("/blobs/")).toList(),
          asked.toString());
    }
  }

  @Test
  void verify_registryThatCannotBeReached_passesWithAWarningThatItCouldNotCompare() throws Exception {
    String name = "127.0.0.1:" + TestRegistry.freePort() + "/offline/app:1";
    Image local = TestImages.withLayers("offline");
    storeImage(local, name);
    Result json = verify(name, "json");
    assertEquals(0, json.code(), json.err());
    JsonNode report = json.json();
    assertEquals("", Schemas.problems(Schemas.report(), report));
    assertEquals("unavailable", report.get("subject").get("copy").get("registry").get("status").asText());
    List<JsonNode> findings = copyFindings(report);
    assertEquals(1, findings.size(), findings.toString());
    assertEquals("warning", findings.get(0).get("severity").asText());
    String message = findings.get(0).get("message").asText();
    assertTrue(message.startsWith("could not compare with the registry's " + name + ": "), message);
    assertTrue(message.endsWith("; verified the local store's copy, " + local.digest()), message);
  }

  /** Short names mean the local image (as docker and podman take them): Docker Hub is not asked. */
  @Test
  void verify_shortNameOrDigest_isTheLocalImage_andNotCompared() throws Exception {
    Image local = TestImages.withLayers("short");
    storeImage(local, "app:1");
    for (String ref : List.of("app:1", "team/app:1", local.digest().toString(), "app@" + local.digest())) {
      if (ref.startsWith("team/")) {
        storeImage(local, ref);
      }
      Result json = verify(ref, "json");
      assertEquals(0, json.code(), ref + ": " + json.err());
      JsonNode copy = json.json().get("subject").get("copy");
      assertEquals("store", copy.get("source").asText(), ref);
      assertEquals("not-compared", copy.get("registry").get("status").asText(), ref);
      assertEquals(List.of(), copyFindings(json.json()), ref);
    }
    Result text = verify("app:1", "text");
    assertTrue(text.out().contains("Registry  not compared with a registry: a short name (no registry host) means the local image"), text.out());
  }

  /** A pull of one platform stores that platform's image under the index's tag: the same image, no warning. */
  @Test
  void verify_storeCopyOfOnePlatformOfTheRegistrysIndex_isTheRegistrysImage() throws Exception {
    Image amd = TestImages.withLayers(Platform.LINUX_AMD64, "amd");
    Image arm = TestImages.withLayers(new Platform("linux", "arm64"), "arm");
    Path layout = tmp.resolve("index");
    ImageIndex index = TestImages.multiPlatformIndex(layout, "s", amd, arm);
    String name = registry.host() + "/multi/app:1";
    skopeo(layout, name, "--all");
    assertEquals(index.digest().toString(), skopeoDigest(name));
    Result pull = jscan("pull", "-q", "--platform", "linux/arm64", name);
    assertEquals(0, pull.code(), pull.err());

    Result json = verify(name, "json");
    assertEquals(0, json.code(), json.err());
    JsonNode copy = json.json().get("subject").get("copy");
    assertEquals(arm.digest().toString(), copy.get("digest").asText());
    assertEquals("in-index", copy.get("registry").get("status").asText());
    assertEquals(index.digest().toString(), copy.get("registry").get("digest").asText());
    assertEquals("linux/arm64", copy.get("registry").get("platform").asText());
    assertEquals(List.of(), copyFindings(json.json()));
  }

  /** inspect and sbom resolve names the same way: they say which copy they read and warn about a moved tag. */
  @Test
  void inspectAndSbom_nameTheCopy_andWarnWhenTheRegistryTagMoved() throws Exception {
    String name = registry.host() + "/shown/app:1";
    Image local = TestImages.withLayers("shown here");
    storeImage(local, name);
    Image other = TestImages.withLayers("moved by skopeo");
    skopeoCopy(other, name);
    String warning = "jscan: warning: the local store's " + name + " is " + local.digest() + "; the registry's " + name + " is "
        + other.digest() + ": ";

    Result inspect = jscan("inspect", name);
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("Copy:       the local store's " + name), inspect.out());
    assertTrue(inspect.out().contains("Registry:   the registry's " + name + " is another image, " + other.digest()), inspect.out());
    assertEquals(warning + "inspected the local store's copy, not the registry's", inspect.err().strip());
    Result inspectJson = jscan("inspect", name, "--output", "json");
    assertEquals("differs", JSON.readTree(inspectJson.out()).get("copy").get("registry").get("status").asText());
    assertEquals(local.digest().toString(), JSON.readTree(inspectJson.out()).get("digest").asText());

    Result sbom = jscan("sbom", name);
    assertEquals(0, sbom.code(), sbom.err());
    assertTrue(sbom.err().contains("jscan: cataloguing " + name + " (" + local.digest() + ", 1 layers) from the local store ("
        + tmp.resolve("home") + ")"), sbom.err());
    assertTrue(sbom.err().contains(warning + "catalogued the local store's copy, not the registry's"), sbom.err());

    Result remote = jscan("inspect", "docker://" + name);
    assertEquals(0, remote.code(), remote.err());
    assertTrue(remote.out().contains("Copy:       the registry's " + name + ", " + other.digest()), remote.out());
    assertEquals("", remote.err());
  }
}
