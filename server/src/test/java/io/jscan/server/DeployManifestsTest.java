package io.jscan.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.jscan.core.FailureKind;
import io.jscan.core.testing.RepoPaths;
import io.jscan.server.AdmissionRequest.GroupVersionKind;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.Keys;
import io.jscan.signing.key.SigningKey;
import io.jscan.signing.oci.TrustPolicy;
import io.jscan.verifier.VerifierException;
import io.jscan.verifier.policy.Policy;
import io.jscan.verifier.policy.PolicyLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes parses as Kubernetes objects and hangs together: there is no cluster here, so
 * what kubectl and the API server would check first (kinds, required fields, references between
 * the objects) is checked against the files, and against what jscan serve itself expects.
 */
class DeployManifestsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path DIR = RepoPaths.repoRoot().resolve("deploy/kubernetes");
  private static final Map<String, JsonNode> BY_KIND = new HashMap<>();

  @BeforeAll
  static void read() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml")).toList()) {
        for (JsonNode doc : documents(f)) {
          assertTrue(doc.path("apiVersion").isTextual() && doc.path("kind").isTextual(), f + ": apiVersion and kind");
          assertTrue(doc.path("metadata").path("name").isTextual(), f + ": metadata.name");
          assertTrue(BY_KIND.put(doc.get("kind").asText(), doc) == null, "one " + doc.get("kind") + " only");
        }
      }
    }
  }

  private static List<JsonNode> documents(Path f) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (YAMLParser p = new YAMLFactory().createParser(Files.readString(f, StandardCharsets.UTF_8))) {
      for (JsonNode doc : YAML.readValues(p, JsonNode.class).readAll()) {
        if (doc != null && !doc.isNull()) {
          out.add(doc);
        }
      }
    }
    return out;
  }

  private static JsonNode kind(String kind) {
    JsonNode n = BY_KIND.get(kind);
    assertTrue(n != null, "deploy/kubernetes has a " + kind);
    return n;
  }

  @Test
  void manifests_everyObjectTheIssueAsksFor_andKustomizationListsEachFile() throws IOException {
    assertEquals(Set.of("Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Service", "PodDisruptionBudget",
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"), BY_KIND.keySet());
    JsonNode kustomization = documents(DIR.resolve("kustomization.yaml")).get(0);
    Set<String> listed = new HashSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    try (Stream<Path> files = Files.list(DIR)) {
      Set<String> yaml = new HashSet<>(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).toList());
      yaml.remove("kustomization.yaml");
      assertEquals(yaml, listed);
    }
    for (JsonNode o : BY_KIND.values()) {
      if (!o.get("kind").asText().endsWith("WebhookConfiguration") && !o.get("kind").asText().equals("Namespace")) {
        assertEquals("jscan-system", o.path("metadata").path("namespace").asText(), o.get("kind") + " lives in jscan-system");
      }
    }
  }

  @Test
  void deployment_twoHardenedReplicasWithProbesAndRequests() {
    JsonNode d = kind("Deployment");
    assertEquals(2, d.at("/spec/replicas").asInt());
    JsonNode pod = d.at("/spec/template/spec");
    assertEquals(d.at("/spec/selector/matchLabels"), d.at("/spec/template/metadata/labels"));
    assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean());
    assertTrue(pod.at("/securityContext/runAsUser").asInt() > 0);
    JsonNode c = pod.at("/containers/0");
    assertTrue(c.at("/securityContext/readOnlyRootFilesystem").asBoolean());
    assertFalse(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true));
    assertEquals("ALL", c.at("/securityContext/capabilities/drop/0").asText());
    assertTrue(c.at("/resources/requests/cpu").isTextual() && c.at("/resources/requests/memory").isTextual());
    assertEquals("/readyz", c.at("/readinessProbe/httpGet/path").asText());
    assertEquals("HTTPS", c.at("/readinessProbe/httpGet/scheme").asText());
    assertEquals("/healthz", c.at("/livenessProbe/httpGet/path").asText());

    // the arguments name what the volumes mount, and the drain fits in the grace period
    Map<String, String> args = new HashMap<>();
    c.path("args").forEach(a -> {
      String[] kv = a.asText().split("=", 2);
      args.put(kv[0], kv.length > 1 ? kv[1] : "");
    });
    assertTrue(args.containsKey("serve"));
    Map<String, String> mounts = new HashMap<>();
    c.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
    assertEquals("policies", mounts.get(args.get("--policy")));
    assertEquals("tls", mounts.get(Path.of(args.get("--tls-cert")).getParent().toString()));
    assertEquals("tls", mounts.get(Path.of(args.get("--tls-key")).getParent().toString()));
    assertTrue(mounts.containsKey("/tmp"), "a writable /tmp on a read-only root");
    long drain = seconds(args.get("--drain-delay")) + seconds(args.get("--stop-timeout"));
    assertTrue(drain < pod.path("terminationGracePeriodSeconds").asLong(), "drain and stop finish before SIGKILL");
    assertEquals(Integer.parseInt(args.get("--port")), c.at("/ports/0/containerPort").asInt());
    Set<String> volumes = new HashSet<>();
    pod.path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
    assertTrue(volumes.containsAll(mounts.values()));
    assertEquals(kind("ConfigMap").at("/metadata/name").asText(), findVolume(pod, "policies").at("/configMap/name").asText());
    assertEquals(kind("ServiceAccount").at("/metadata/name").asText(), pod.path("serviceAccountName").asText());
  }

  private static JsonNode findVolume(JsonNode pod, String name) {
    for (JsonNode v : pod.path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name);
  }

  private static long seconds(String duration) {
    return Duration.parse("PT" + duration.toUpperCase(java.util.Locale.ROOT)).toSeconds();
  }

  @Test
  void serviceAndBudget_selectTheDeploymentsPods() {
    JsonNode labels = kind("Deployment").at("/spec/template/metadata/labels");
    JsonNode service = kind("Service");
    labels(service.at("/spec/selector")).forEach((k, v) -> assertEquals(v, labels.path(k).asText(), "Service selects " + k));
    labels(kind("PodDisruptionBudget").at("/spec/selector/matchLabels")).forEach((k, v) -> assertEquals(v, labels.path(k).asText()));
    assertEquals(1, kind("PodDisruptionBudget").at("/spec/minAvailable").asInt());
    assertEquals(443, service.at("/spec/ports/0/port").asInt());
    assertEquals(kind("Deployment").at("/spec/template/spec/containers/0/ports/0/name").asText(), service.at("/spec/ports/0/targetPort").asText());
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> out = new HashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  @Test
  void webhooks_callTheServiceFailClosedWithinTheTimeoutAndSkipTheirOwnNamespace() {
    JsonNode service = kind("Service");
    Map<String, String> paths = Map.of("ValidatingWebhookConfiguration", "/validate", "MutatingWebhookConfiguration", "/mutate");
    long serverTimeout = seconds(argument("--timeout"));
    for (Map.Entry<String, String> e : paths.entrySet()) {
      JsonNode w = kind(e.getKey()).at("/webhooks/0");
      assertTrue(w.path("name").asText().endsWith(".jscan.io"), "webhook names are qualified: " + w.path("name"));
      assertEquals("[\"v1\"]", w.path("admissionReviewVersions").toString());
      assertEquals(service.at("/metadata/name").asText(), w.at("/clientConfig/service/name").asText());
      assertEquals(service.at("/metadata/namespace").asText(), w.at("/clientConfig/service/namespace").asText());
      assertEquals(service.at("/spec/ports/0/port").asInt(), w.at("/clientConfig/service/port").asInt());
      assertEquals(e.getValue(), w.at("/clientConfig/service/path").asText());
      assertEquals("${CA_BUNDLE}", w.at("/clientConfig/caBundle").asText(), "the placeholder the README replaces");
      assertEquals("Fail", w.path("failurePolicy").asText());
      assertEquals("None", w.path("sideEffects").asText(), "dryRun requests need sideEffects None");
      int timeout = w.path("timeoutSeconds").asInt();
      assertTrue(timeout >= 1 && timeout <= 30 && serverTimeout < timeout, "the server answers before the API server gives up");
      JsonNode excluded = w.at("/namespaceSelector/matchExpressions/0");
      assertEquals("kubernetes.io/metadata.name", excluded.path("key").asText());
      assertEquals("NotIn", excluded.path("operator").asText());
      assertTrue(excluded.path("values").toString().contains("\"jscan-system\""));
    }
    assertEquals("IfNeeded", kind("MutatingWebhookConfiguration").at("/webhooks/0/reinvocationPolicy").asText());
  }

  private static String argument(String name) {
    for (JsonNode a : kind("Deployment").at("/spec/template/spec/containers/0/args")) {
      if (a.asText().startsWith(name + "=")) {
        return a.asText().substring(name.length() + 1);
      }
    }
    throw new AssertionError("no " + name);
  }

  @Test
  void webhookRules_coverEveryKindTheServerReadsImagesFrom() {
    Map<String, String> kindsByResource = Map.of("pods", "Pod", "replicationcontrollers", "ReplicationController", "deployments", "Deployment",
        "replicasets", "ReplicaSet", "statefulsets", "StatefulSet", "daemonsets", "DaemonSet", "jobs", "Job", "cronjobs", "CronJob");
    for (String config : List.of("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")) {
      Set<String> covered = new HashSet<>();
      for (JsonNode rule : kind(config).at("/webhooks/0/rules")) {
        assertEquals("[\"CREATE\",\"UPDATE\"]", rule.path("operations").toString());
        String group = rule.at("/apiGroups/0").asText();
        for (JsonNode r : rule.path("resources")) {
          String resource = r.asText().split("/")[0];
          String k = kindsByResource.get(resource);
          assertTrue(k != null, "a resource the server knows: " + r);
          assertTrue(PodImages.specPointer(new GroupVersionKind(group, "v1", k)).isPresent(), group + "/" + k);
          covered.add(group + "/" + k);
        }
      }
      assertEquals(8, covered.size(), config + " covers " + covered);
    }
  }

  /** The ConfigMap as the kubelet mounts it: each data key a file of one directory. */
  private static Path volume(JsonNode configMap, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (var it = configMap.path("data").fields(); it.hasNext(); ) {
      var e = it.next();
      Files.writeString(dir.resolve(e.getKey()), e.getValue().asText());
    }
    return dir;
  }

  @Test
  void configMap_withTheKeySetBySetKeySh_policiesLoadOneIsTheDefaultAndProductionTrustsTheKey(@TempDir Path tmp) throws Exception {
    SigningKey key = Keys.generate(KeyAlgorithm.ECDSA_P256);
    Path pub = Files.writeString(tmp.resolve("cosign.pub"), Keys.publicKeyPem(key.publicKey()));
    Path copy = Files.copy(DIR.resolve("configmap-policies.yaml"), tmp.resolve("configmap-policies.yaml"));
    Process p = new ProcessBuilder("bash", DIR.resolve("set-key.sh").toString(), pub.toString(), copy.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);

    JsonNode configMap = documents(copy).get(0);
    for (var it = configMap.path("data").fieldNames(); it.hasNext(); ) {
      String name = it.next();
      assertTrue(name.endsWith(".yaml") || name.equals("cosign.pub"), "policy files and the key they name: " + name);
    }
    List<Policy> policies = PolicyLoader.load(List.of(volume(configMap, tmp.resolve("volume")).toString())).policies();
    assertTrue(policies.stream().anyMatch(x -> x.match().isEmpty()), "a default for everything no match selects");
    Policy production = policies.stream().filter(x -> x.match().isPresent()).findFirst().orElseThrow();
    assertEquals(Set.of(tmp.resolve("volume/cosign.pub").toAbsolutePath().normalize()), production.references().keySet());
    for (String rule : List.of("signature-required", "sbom-required")) {
      Object keys = production.rules().stream().filter(r -> r.id().equals(rule)).findFirst().orElseThrow().parameters().get("keys");
      assertTrue(keys instanceof List<?> l && l.size() == 1 && l.get(0) instanceof TrustPolicy.TrustedKey k && Keys.sameKey(key.publicKey(), k.key()),
          rule + " trusts the key set: " + keys);
    }
  }

  @Test
  void configMap_keyNotSet_policiesDoNotLoad_namingTheKeyFile(@TempDir Path tmp) throws Exception {
    JsonNode configMap = kind("ConfigMap");
    assertEquals("${COSIGN_PUB}\n", configMap.at("/data/cosign.pub").asText(), "the placeholder set-key.sh replaces");
    Path volume = volume(configMap, tmp.resolve("volume"));
    VerifierException e = assertThrows(VerifierException.class, () -> PolicyLoader.load(List.of(volume.toString())));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().matches(java.util.regex.Pattern.quote(volume.resolve("production.yaml").toString()) + ":\\d+: rule signature-required: .*"),
        e.getMessage());
    assertTrue(e.getMessage().contains("cosign.pub"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void setKeySh_notAPublicKey_exit2AndTheFileIsUnchanged(@TempDir Path tmp) throws Exception {
    Path copy = Files.copy(DIR.resolve("configmap-policies.yaml"), tmp.resolve("configmap-policies.yaml"));
    Path notAKey = Files.writeString(tmp.resolve("cosign.key"), "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nx\n");
    Process p = new ProcessBuilder("bash", DIR.resolve("set-key.sh").toString(), notAKey.toString(), copy.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.waitFor(), out);
    assertEquals("set-key.sh: " + notAKey + " is not a PEM public key (cosign.pub)\n", out);
    assertEquals(Files.readString(DIR.resolve("configmap-policies.yaml")), Files.readString(copy));
  }

  @Test
  void makeCerts_namesTheServiceTheWebhooksCall() throws IOException {
    String script = Files.readString(DIR.resolve("make-certs.sh"));
    JsonNode service = kind("Service");
    assertTrue(script.contains("service=${JSCAN_WEBHOOK_SERVICE:-" + service.at("/metadata/name").asText() + "}"), script);
    assertTrue(script.contains("namespace=${JSCAN_WEBHOOK_NAMESPACE:-" + service.at("/metadata/namespace").asText() + "}"), script);
    assertTrue(script.contains("DNS:$service.$namespace.svc"), "the name the API server checks");
  }
}
