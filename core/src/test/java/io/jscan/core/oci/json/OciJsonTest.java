package io.jscan.core.oci.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.FailureKind;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.IndexManifest;
import io.jscan.core.oci.Manifest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OciJsonTest {
  private static final String D1 = "sha256:" + "a".repeat(64);
  private static final String D2 = "sha256:" + "b".repeat(64);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String manifest(String extra) {
    return "{\"schemaVersion\":2," + extra + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1
        + "\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + D2 + "\",\"size\":3}]}";
  }

  private static OciException parseManifestFails(String json, Optional<String> declared) {
    return assertThrows(OciException.class, () -> OciJson.parseManifest(utf8(json), "manifest X", declared));
  }

  @Test
  void manifest_schemaVersionOtherThan2_isRejected() {
    OciException e = parseManifestFails(manifest("").replace("\"schemaVersion\":2", "\"schemaVersion\":1"), Optional.empty());
    assertEquals("manifest X: schemaVersion: must be 2, got 1", e.getMessage());
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void manifest_schemaVersionAsFloat_isRejected() {
    OciException e = parseManifestFails(manifest("").replace("\"schemaVersion\":2", "\"schemaVersion\":2.0"), Optional.empty());
    assertTrue(e.getMessage().contains("schemaVersion: expected an integer"), e.getMessage());
  }

  @Test
  void manifest_missingConfig_namesTheField() {
    OciException e = parseManifestFails("{\"schemaVersion\":2,\"layers\":[]}", Optional.empty());
    assertEquals("manifest X: config: required field is missing", e.getMessage());
  }

  @Test
  void manifest_duplicateKeys_areRejected() {
    String json = manifest("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"mediaType\":\"application/vnd.oci.image.index.v1+json\",");
    OciException e = parseManifestFails(json, Optional.empty());
    assertTrue(e.getMessage().contains("Duplicate field"), e.getMessage());
  }

  @Test
  void manifest_trailingContent_isRejected() {
    OciException e = parseManifestFails(manifest("") + " {}", Optional.empty());
    assertTrue(e.getMessage().startsWith("manifest X: invalid JSON"), e.getMessage());
  }

  @Test
  void manifest_declaringIndexTypeBehindManifestDescriptor_isAnIntegrityFailure() {
    String json = manifest("\"mediaType\":\"application/vnd.oci.image.index.v1+json\",");
    OciException e = parseManifestFails(json, Optional.of(MediaTypes.OCI_MANIFEST));
    assertEquals(FailureKind.INTEGRITY, e.kind());
    assertTrue(e.getMessage().contains("media type mismatch"), e.getMessage());
  }

  @Test
  void manifest_withManifestsField_isAmbiguousAndRejected() {
    OciException e = parseManifestFails(manifest("\"manifests\":[],"), Optional.empty());
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }

  @Test
  void manifest_dockerDocumentBehindOciDescriptor_isReadWithItsOwnType() throws Exception {
    String json = manifest("\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",");
    Manifest m = OciJson.parseManifest(utf8(json), "m", Optional.of(MediaTypes.OCI_MANIFEST));
    assertEquals(MediaTypes.DOCKER_MANIFEST, m.mediaType());
  }

  @Test
  void manifest_withoutMediaType_takesTheDescriptorsType() throws Exception {
    Manifest m = OciJson.parseManifest(utf8(manifest("")), "m", Optional.of(MediaTypes.DOCKER_MANIFEST));
    assertEquals(MediaTypes.DOCKER_MANIFEST, m.mediaType());
    assertEquals(Digest.parse(D2), m.layers().get(0).digest());
  }

  @Test
  void manifest_unknownFields_areIgnored() throws Exception {
    Manifest m = OciJson.parseManifest(utf8(manifest("\"x-future\":{\"a\":[1]},")), "m", Optional.empty());
    assertEquals(1, m.layers().size());
  }

  @Test
  void index_withLayersField_isAmbiguousAndRejected() {
    String json = "{\"schemaVersion\":2,\"manifests\":[],\"layers\":[]}";
    OciException e = assertThrows(OciException.class, () -> OciJson.parseIndex(utf8(json), "i", Optional.empty()));
    assertEquals(FailureKind.INTEGRITY, e.kind());
  }

  @Test
  void index_nullManifests_isMissing() {
    String json = "{\"schemaVersion\":2,\"manifests\":null}";
    OciException e = assertThrows(OciException.class, () -> OciJson.parseIndex(utf8(json), "i", Optional.empty()));
    assertEquals("i: manifests: required field is missing", e.getMessage());
  }

  private static String config(String configBody, String extra) {
    return "{\"architecture\":\"amd64\",\"os\":\"linux\"," + extra + "\"config\":{" + configBody
        + "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + D1 + "\"]}}";
  }

  private static OciException parseConfigFails(String json) {
    return assertThrows(OciException.class, () -> OciJson.parseConfig(utf8(json), "config C"));
  }

  @Test
  void config_rootfsTypeWithALineBreak_failsWithOneLineQuotingItEscaped() {
    // found by OciJsonFuzzTest: the value was quoted raw, carriage return and all
    OciException e = parseConfigFails(config("", "").replace("\"type\":\"layers\"", "\"type\":\"lay\\r\\u001b[2Js\""));
    assertEquals("config C: rootfs.type: must be \"layers\", got \"lay\\r\\x1b[2Js\"", e.getMessage());
  }

  @Test
  void config_volumesAsArray_isRejected() {
    OciException e = parseConfigFails(config("\"Volumes\":[\"/a\"]", ""));
    assertEquals("config C: config.Volumes: expected an object, got an array", e.getMessage());
  }

  @Test
  void config_historyAsString_isRejected() {
    OciException e = parseConfigFails(config("", "\"history\":\"nope\","));
    assertEquals("config C: history: expected an array, got string \"nope\"", e.getMessage());
  }

  @Test
  void config_envEntryWithoutName_isRejected() {
    assertTrue(parseConfigFails(config("\"Env\":[\"=x\"]", "")).getMessage().contains("config.Env[0]"));
    assertTrue(parseConfigFails(config("\"Env\":[7353]", "")).getMessage().contains("config.Env[0]: expected a string"));
  }

  @Test
  void config_badDiffId_isRejected() {
    OciException e = parseConfigFails(config("", "").replace(D1, "sha256:xyz"));
    assertTrue(e.getMessage().startsWith("config C: rootfs.diff_ids[0]: invalid digest"), e.getMessage());
  }

  @Test
  void config_createdWithoutSeconds_isRejected() {
    OciException e = parseConfigFails(config("", "\"created\":\"2020-01-01T00:00Z\","));
    assertTrue(e.getMessage().contains("created: not an RFC 3339 date-time"), e.getMessage());
  }

  @Test
  void config_dockerNulls_areAbsentValues() throws Exception {
    ImageConfig c =
        OciJson.parseConfig(utf8(config("\"Env\":null,\"Cmd\":null,\"Volumes\":null,\"Labels\":null,\"OnBuild\":null", "")), "c");
    assertTrue(c.config().env().isEmpty());
    assertTrue(c.config().cmd().isEmpty());
  }

  @Test
  void config_createdWithOffset_isConvertedToUtc() throws Exception {
    ImageConfig c = OciJson.parseConfig(utf8(config("", "\"created\":\"2020-01-01T02:00:00.5+02:00\",")), "c");
    assertEquals(Instant.parse("2020-01-01T00:00:00.5Z"), c.created().orElseThrow());
  }

  @Test
  void write_manifest_hasFixedFieldOrderAndIsCompact() {
    Manifest m =
        new Manifest(
            MediaTypes.OCI_MANIFEST,
            Optional.empty(),
            new Descriptor(MediaTypes.OCI_CONFIG, Digest.parse(D1), 2),
            List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.parse(D2), 3)),
            Optional.empty(),
            Map.of("z", "1", "a", "2"));
    String expected =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + D1 + "\",\"size\":2},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + D2 + "\",\"size\":3}],"
            + "\"annotations\":{\"a\":\"2\",\"z\":\"1\"}}";
    assertEquals(expected, new String(OciJson.write(m), StandardCharsets.UTF_8));
  }

  @Test
  void write_thenParse_givesTheSameValues() throws Exception {
    byte[] bytes = utf8(config("\"User\":\"u\",\"Env\":[\"A=1\"],\"ExposedPorts\":{\"80/tcp\":{}},\"Cmd\":[]",
        "\"created\":\"2015-10-31T22:22:56.015925234Z\",\"history\":[{\"created_by\":\"x\",\"empty_layer\":true}],"));
    ImageConfig parsed = OciJson.parseConfig(bytes, "c");
    byte[] written = OciJson.write(parsed);
    assertEquals(parsed, OciJson.parseConfig(written, "c"));
    assertTrue(new String(written, StandardCharsets.UTF_8).startsWith("{\"created\":\"2015-10-31T22:22:56.015925234Z\",\"architecture\":\"amd64\""));
    assertTrue(new String(written, StandardCharsets.UTF_8).contains("\"Cmd\":[]"), "an empty Cmd is kept");
    IndexManifest index = new IndexManifest(List.of(new Descriptor(MediaTypes.OCI_MANIFEST, Digest.parse(D1), 5)));
    assertEquals(index, OciJson.parseIndex(OciJson.write(index), "i", Optional.empty()));
  }

  @Test
  void rfc3339_format_isUtcWithZAndNoZeroFraction() {
    assertEquals("2024-01-02T03:04:05Z", Rfc3339.format(Instant.parse("2024-01-02T03:04:05Z")));
    assertEquals("2024-01-02T03:04:05.1Z", Rfc3339.format(Instant.parse("2024-01-02T03:04:05.100Z")));
    assertEquals("1970-01-01T00:00:00.000000001Z", Rfc3339.format(Instant.ofEpochSecond(0, 1)));
  }
}
