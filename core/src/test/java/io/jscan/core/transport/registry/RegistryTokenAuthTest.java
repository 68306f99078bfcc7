package io.jscan.core.transport.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jscan.core.FailureKind;
import io.jscan.core.image.Image;
import io.jscan.core.oci.OciException;
import io.jscan.core.testing.ExternalTool;
import io.jscan.core.testing.TestImages;
import io.jscan.core.testing.TestRegistry;
import io.jscan.core.transport.ImageName;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker token flow against a real registry: distribution configured with {@code auth.token}
 * trusts JWTs signed by a key whose certificate is in its root bundle; a small token server here
 * issues them (RS256, {@code x5c} header) to the user with the right password, for the scopes
 * asked.
 */
class RegistryTokenAuthTest {
  static final String USER = "token-user";
  static final String PASSWORD = "t0ken-Passw0rd";
  static final String SERVICE = "jscan-test-registry";
  static final String ISSUER = "jscan-test-issuer";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static TestRegistry registry;
  static HttpServer tokenServer;
  static PrivateKey key;
  static X509Certificate cert;
  static final AtomicInteger tokenRequests = new AtomicInteger();
  /** Tokens still to be handed out already expired (to make the registry answer 401). */
  static final AtomicInteger expiredToIssue = new AtomicInteger();
  static final List<String> issued = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    Path openssl = ExternalTool.require("openssl");
    Process p = new ProcessBuilder(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
        "-days", "2", "-subj", "/CN=" + ISSUER).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    key = readKey(dir.resolve("key.pem"));
    cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(dir.resolve("cert.pem")));

    tokenServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    tokenServer.createContext("/token", RegistryTokenAuthTest::issue);
    tokenServer.start();
    String realm = "http://127.0.0.1:" + tokenServer.getAddress().getPort() + "/token";
    registry = TestRegistry.startWithTokenAuth(dir.resolve("registry"), realm, SERVICE, ISSUER, dir.resolve("cert.pem"));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (tokenServer != null) {
      tokenServer.stop(0);
    }
  }

  @BeforeEach
  void reset() {
    tokenRequests.set(0);
    expiredToIssue.set(0);
  }

  private static PrivateKey readKey(Path pem) throws Exception {
    String text = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(text)));
  }

  private static String b64url(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The token endpoint: basic auth checked, every scope asked for granted to the right user. */
  private static void issue(HttpExchange ex) throws IOException {
    tokenRequests.incrementAndGet();
    try {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String expected = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
      boolean authenticated = expected.equals(auth);
      if (auth != null && !authenticated) {
        ex.sendResponseHeaders(401, -1);
        return;
      }
      ArrayNode access = JSON.createArrayNode();
      String query = Optional.ofNullable(ex.getRequestURI().getRawQuery()).orElse("");
      for (String pair : query.split("&")) {
        if (pair.startsWith("scope=") && authenticated) {
          String[] parts = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8).split(":");
          ObjectNode a = access.addObject();
          a.put("type", parts[0]);
          a.put("name", parts[1]);
          ArrayNode actions = a.putArray("actions");
          for (String action : parts[2].split(",")) {
            actions.add(action);
          }
        }
      }
      long now = Instant.now().getEpochSecond();
      // distribution allows 60 s of clock skew: an "expired" token is two minutes old
      long exp = expiredToIssue.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? now - 120 : now + 300;
      ObjectNode header = JSON.createObjectNode();
      header.put("alg", "RS256");
      header.put("typ", "JWT");
      header.putArray("x5c").add(Base64.getEncoder().encodeToString(cert.getEncoded()));
      ObjectNode claims = JSON.createObjectNode();
      claims.put("iss", ISSUER);
      claims.put("sub", authenticated ? USER : "");
      claims.put("aud", SERVICE);
      claims.put("exp", exp);
      claims.put("nbf", now - 600);
      claims.put("iat", now - 600);
      claims.put("jti", UUID.randomUUID().toString());
      claims.set("access", access);
      String signingInput = b64url(JSON.writeValueAsBytes(header)) + "." + b64url(JSON.writeValueAsBytes(claims));
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      String jwt = signingInput + "." + b64url(s.sign());
      issued.add(jwt);
      ObjectNode body = JSON.createObjectNode();
      body.put("token", jwt);
      body.put("expires_in", 300); // what the client is told, whatever the JWT says
      byte[] bytes = JSON.writeValueAsBytes(body);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
    } catch (Exception e) {
      ex.sendResponseHeaders(500, -1);
    } finally {
      ex.close();
    }
  }

  static RegistryClient client(CredentialStore credentials) {
    return new RegistryClient(RegistryOptions.defaults().withRetry(RegistryRoundTripTest.FAST).withCredentials(credentials));
  }

  ImageName name(String s) {
    return ImageName.parse(registry.host() + "/" + s);
  }

  @Test
  void bearerFlow_pushThenPull_withTokensFromTheRealm() throws Exception {
    Image image = TestImages.withLayers("bearer", "flow");
    RegistryClient c = client(r -> Optional.of(Credentials.password(USER, PASSWORD)));
    c.push(image, name("tok/app:1"));
    assertEquals(image.digest(), c.read(name("tok/app:1")).descriptor().digest());
    assertTrue(tokenRequests.get() >= 1);
    assertTrue(tokenRequests.get() <= 3, "tokens are cached per scope, not fetched per request: " + tokenRequests.get());
  }

  @Test
  void expiredToken_answered401_isRefreshedAndTheRequestSucceeds() throws Exception {
    RegistryClient c = client(r -> Optional.of(Credentials.password(USER, PASSWORD)));
    c.push(TestImages.withLayers("refresh"), name("tok/refresh:1"));
    int before = tokenRequests.get();
    expiredToIssue.set(1);
    // a new client: its first token (for pull) comes back already expired
    RegistryClient fresh = client(r -> Optional.of(Credentials.password(USER, PASSWORD)));
    assertEquals(image("refresh").digest(), fresh.read(name("tok/refresh:1")).descriptor().digest());
    assertEquals(before + 2, tokenRequests.get(), "one expired token, one fresh after the 401");
  }

  private static Image image(String content) throws Exception {
    return TestImages.withLayers(content);
  }

  @Test
  void anonymous_getsAnUnauthorizedErrorNamingLogin() {
    OciException e = assertThrows(OciException.class, () -> client(CredentialStore.ANONYMOUS).read(name("tok/app:1")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("jscan login " + registry.host()), e.getMessage());
  }

  @Test
  void wrongPassword_isRefusedByTheTokenServer_withoutLeakingIt() {
    OciException e = assertThrows(OciException.class,
        () -> client(r -> Optional.of(Credentials.password(USER, "bad-" + PASSWORD))).read(name("tok/app:1")));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("the credentials were not accepted"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD));
    for (String token : issued) {
      assertFalse(e.getMessage().contains(token));
    }
  }

  @Test
  void login_provesTheCredentialsWithATokenRequest() throws Exception {
    new RegistryClient(RegistryOptions.defaults()).login(registry.host(), Credentials.password(USER, PASSWORD));
    assertThrows(RegistryException.class,
        () -> new RegistryClient(RegistryOptions.defaults()).login(registry.host(), Credentials.password(USER, "nope")));
  }
}
