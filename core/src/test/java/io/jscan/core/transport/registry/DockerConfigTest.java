package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.FailureKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  private DockerConfig config(Map<String, String> env) {
    return new DockerConfig(tmp.resolve("docker/config.json"), env);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void defaultPath_followsDockerConfigThenHome() {
    assertEquals(Path.of("/x/config.json"), DockerConfig.defaultPath(Map.of("DOCKER_CONFIG", "/x", "HOME", "/h")));
    assertEquals(Path.of("/h/.docker/config.json"), DockerConfig.defaultPath(Map.of("HOME", "/h")));
  }

  @Test
  void auths_matchKeysWithSchemeAndPath_andDockerHubsLegacyKey() throws Exception {
    Files.createDirectories(tmp.resolve("docker"));
    Files.writeString(tmp.resolve("docker/config.json"), """
        {"auths": {
          "https://index.docker.io/v1/": {"auth": "%s"},
          "https://registry.example.com/v2/": {"auth": "%s"},
          "tok.example.com": {"auth": "%s", "identitytoken": "refresh-me"}
        }, "psFormat": "keep me"}
        """.formatted(b64("hubuser:hubpass"), b64("bob:s3cret:with:colons"), b64("alice:")));
    DockerConfig c = config(Map.of());
    assertEquals(Optional.of(Credentials.password("hubuser", "hubpass")), c.get("docker.io"));
    assertEquals(Optional.of(Credentials.password("bob", "s3cret:with:colons")), c.get("registry.example.com"));
    assertEquals(Optional.of(Credentials.identityToken("alice", "refresh-me")), c.get("tok.example.com"));
    assertEquals(Optional.empty(), c.get("other.example.com"));
  }

  @Test
  void store_writesDockersFormatWithOwnerOnlyPermissions_andKeepsUnknownFields() throws Exception {
    Files.createDirectories(tmp.resolve("docker"));
    Files.writeString(tmp.resolve("docker/config.json"), "{\"psFormat\": \"table\", \"auths\": {\"http://localhost:5000\": {\"auth\": \"" + b64("old:old") + "\"}}}");
    DockerConfig c = config(Map.of());
    c.store("localhost:5000", Credentials.password("new", "pw"));
    c.store("docker.io", Credentials.password("hub", "hubpw"));
    JsonNode written = JSON.readTree(tmp.resolve("docker/config.json").toFile());
    assertEquals("table", written.get("psFormat").asText());
    assertEquals(b64("new:pw"), written.get("auths").get("localhost:5000").get("auth").asText());
    assertFalse(written.get("auths").has("http://localhost:5000"));
    assertEquals(b64("hub:hubpw"), written.get("auths").get(DockerConfig.DOCKER_HUB_KEY).get("auth").asText());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("docker/config.json"))));
    assertTrue(c.erase("localhost:5000"));
    assertEquals(Optional.empty(), c.get("localhost:5000"));
    assertFalse(c.erase("localhost:5000"));
  }

  @Test
  void credentialHelpers_areSpokenToThroughTheirProtocol() throws Exception {
    Path bin = tmp.resolve("bin");
    Files.createDirectories(bin);
    Path store = tmp.resolve("helper-store");
    Files.createDirectories(store);
    // a helper in the docker-credential-helpers protocol that keeps one file per server URL
    Path helper = bin.resolve("docker-credential-jscantest");
    Files.writeString(helper, """
        #!/bin/sh
        dir="%s"
        case "$1" in
          get) read -r url; f="$dir/$(printf %%s "$url" | tr -c 'a-zA-Z0-9' _)"
               if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          store) body=$(cat); url=$(printf %%s "$body" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/')
                 printf %%s "$body" > "$dir/$(printf %%s "$url" | tr -c 'a-zA-Z0-9' _)" ;;
          erase) read -r url; f="$dir/$(printf %%s "$url" | tr -c 'a-zA-Z0-9' _)"
                 if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          *) echo "unknown action"; exit 1 ;;
        esac
        """.formatted(store));
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(tmp.resolve("docker"));
    Files.writeString(tmp.resolve("docker/config.json"), "{\"credHelpers\": {\"helped.example.com\": \"jscantest\"}}");
    DockerConfig c = config(Map.of("PATH", bin + ":/usr/bin:/bin"));

    assertEquals(Optional.empty(), c.get("helped.example.com"));
    c.store("helped.example.com", Credentials.password("carol", "helper-secret"));
    assertEquals(Optional.of(Credentials.password("carol", "helper-secret")), c.get("helped.example.com"));
    String file = Files.readString(tmp.resolve("docker/config.json"));
    assertFalse(file.contains("helper-secret"), "the secret stays in the helper: " + file);
    // not a helper registry: the file
    c.store("plain.example.com", Credentials.password("dave", "pw"));
    assertTrue(Files.readString(tmp.resolve("docker/config.json")).contains(b64("dave:pw")));
    assertTrue(c.erase("helped.example.com"));
    assertEquals(Optional.empty(), c.get("helped.example.com"));
  }

  @Test
  void credsStore_helperMissingFromThePath_isBadInputNamingIt() throws Exception {
    Files.createDirectories(tmp.resolve("docker"));
    Files.writeString(tmp.resolve("docker/config.json"), "{\"credsStore\": \"nosuchhelper\"}");
    RegistryException e = assertThrows(RegistryException.class, () -> config(Map.of("PATH", tmp.toString())).get("x.example.com"));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("docker-credential-nosuchhelper"), e.getMessage());
  }

  @Test
  void malformedAuth_failsWithoutQuotingTheSecret() throws Exception {
    Files.createDirectories(tmp.resolve("docker"));
    Files.writeString(tmp.resolve("docker/config.json"), "{\"auths\": {\"x.example.com\": {\"auth\": \"" + b64("no-colon-secret") + "\"}}}");
    RegistryException e = assertThrows(RegistryException.class, () -> config(Map.of()).get("x.example.com"));
    assertFalse(e.getMessage().contains("no-colon-secret"));
    assertFalse(e.getMessage().contains(b64("no-colon-secret")));
  }

  @Test
  void credentials_neverPrintTheirSecret() {
    assertFalse(Credentials.password("u", "hunter2").toString().contains("hunter2"));
  }

  @Test
  void challenges_areParsedAsTheTokenSpecWritesThem() {
    List<Challenge> c = Challenge.parse(List.of(
        "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:a/b:pull,push\"",
        "Basic realm=\"x\""));
    assertEquals(2, c.size());
    assertTrue(c.get(0).isBearer());
    assertEquals(Optional.of("https://auth.example.com/token"), c.get(0).parameter("realm"));
    assertEquals(Optional.of("repository:a/b:pull,push"), c.get(0).parameter("scope"));
    assertTrue(c.get(1).isBasic());
  }

  @Test
  void uploadRange_isReadAsTheNextOffset() {
    assertEquals(0, Pusher.endOfRange("0-0"));
    assertEquals(1024, Pusher.endOfRange("0-1023"));
    assertEquals(1024, Pusher.endOfRange("bytes=0-1023"));
  }

  @Test
  void get_configFileThatIsAFifoOrDevZero_isBadInputNamingIt_neverOpened() throws Exception {
    Files.createDirectories(tmp.resolve("docker"));
    io.jscan.core.testing.TestFiles.fifo(tmp.resolve("docker/config.json"));

    RegistryException e = assertThrows(RegistryException.class, () -> config(Map.of()).get("example.com"));

    assertEquals(io.jscan.core.FailureKind.BAD_INPUT, e.kind());
    assertEquals(tmp.resolve("docker/config.json") + ": reading the registry credentials file: not a regular file (a FIFO)", e.getMessage());
    Files.delete(tmp.resolve("docker/config.json"));
    io.jscan.core.testing.TestFiles.linkToDevZero(tmp.resolve("docker/config.json"));
    assertThrows(RegistryException.class, () -> config(Map.of()).get("example.com"));
  }

  @Test
  void get_credentialHelperThatPrintsWithoutEnd_isBadInputAfterTheLimit() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path helper = bin.resolve("docker-credential-endless");
    Files.writeString(helper, "#!/bin/sh\nexec cat /dev/zero\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(tmp.resolve("docker"));
    Files.writeString(tmp.resolve("docker/config.json"), "{\"credsStore\": \"endless\"}");

    RegistryException e = assertThrows(RegistryException.class, () -> config(Map.of("PATH", bin + ":/usr/bin:/bin")).get("example.com"));

    assertEquals(io.jscan.core.FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().endsWith("printed more than the limit of 1 MiB"), e.getMessage());
  }
}
