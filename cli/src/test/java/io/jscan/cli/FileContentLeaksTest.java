package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.Conformance;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file jscan reads on the user's behalf that is a symlink out of its directory (a repository's
 * {@code Dockerfile} or policy linked to a secret file) has none of its content echoed into the
 * error: CI logs are often public. The file and line are named, exit 2.
 */
class FileContentLeaksTest {
  /** A stand-in for /etc/shadow that would be quoted by every parser if it were named directly. */
  static final String SECRET = "S3CRET-HASH-0123456789";

  @TempDir Path tmp;
  Path secretDockerfile;
  Path secretPolicy;
  Path secretJson;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void files() throws Exception {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    secretDockerfile = Files.writeString(outside.resolve("notes"), "FROM scratch\n" + SECRET + " more\n");
    secretPolicy = Files.writeString(outside.resolve("creds.yaml"), "apiVersion: " + SECRET + "\nkind: Policy\nname: x\nrules: []\n");
    secretJson = Files.writeString(outside.resolve("token.json"), SECRET + "\n");
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  static Result jscan(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), Map.of("SOURCE_DATE_EPOCH", "0"), args);
    return new Result(code, out.toString(), err.toString());
  }

  static void assertNamedNotQuoted(Result r, String named) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertFalse((r.out() + r.err()).contains(SECRET), r.out() + r.err());
    assertTrue(r.err().contains(named), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void build_dockerfileLinkedOutOfTheContext_quotesNothingOfIt() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("repo"));
    Path link = Files.createSymbolicLink(context.resolve("Dockerfile"), secretDockerfile);
    Result r = jscan("build", context.toString());
    assertNamedNotQuoted(r, link + ":2: not a valid Dockerfile");
  }

  @Test
  void build_dockerfileLinkedToEtcPasswd_quotesNothingOfIt() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("repo"));
    Files.createSymbolicLink(context.resolve("Dockerfile"), Path.of("/etc/passwd"));
    Result r = jscan("build", context.toString());
    assertEquals(2, r.code(), r.err());
    assertFalse(r.err().contains("root:"), r.err());
  }

  @Test
  void lintAndParse_dockerfileLinkedOut_quoteNothingOfIt() throws Exception {
    Path link = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("repo")).resolve("Dockerfile"), secretDockerfile);
    assertNamedNotQuoted(jscan("dockerfile", "lint", link.toString()), link + ":2: not a valid Dockerfile");
    assertNamedNotQuoted(jscan("dockerfile", "parse", link.toString()), link + ":2: not a valid Dockerfile");
  }

  @Test
  void verify_policyLinkedOut_quotesNothingOfIt() throws Exception {
    Path policies = Files.createDirectories(tmp.resolve("policies"));
    Path link = Files.createSymbolicLink(policies.resolve("team.yaml"), secretPolicy);
    TamperedLayout layout = TamperedLayout.write(VerifyCommandTest.goodImage(), tmp.resolve("layout"));
    assertNamedNotQuoted(jscan("verify", layout.reference(), "--policy", policies.toString()), link + ":1: not a valid policy file");
    Path dockerfile = Files.writeString(tmp.resolve("Dockerfile"), "FROM scratch\n");
    assertNamedNotQuoted(jscan("dockerfile", "lint", "--policy", policies.toString(), dockerfile.toString()), link + ":1: not a valid policy file");
  }

  @Test
  void verifyBundle_trustedRootLinkedOut_isDescribedByLineAndColumnOnly() throws Exception {
    Path link = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("repo")).resolve("trusted_root.json"), secretJson);
    Path sigstore = Conformance.dir("sigstore");
    Result r = jscan("verify-bundle",
        "--bundle", sigstore.resolve("conformance/happy-path-v0.3/bundle.sigstore.json").toString(),
        "--artifact", sigstore.resolve("conformance/a.txt").toString(),
        "--key", sigstore.resolve("conformance/managed-key-happy-path/key.pub").toString(),
        "--trusted-root", link.toString());
    assertNamedNotQuoted(r, "not valid JSON at line 1, column 1");
  }

  @Test
  void verifyBundle_bundleThatIsNotJson_quotesNothingOfIt() throws Exception {
    Path sigstore = Conformance.dir("sigstore");
    Result r = jscan("verify-bundle",
        "--bundle", secretJson.toString(),
        "--artifact", sigstore.resolve("conformance/a.txt").toString(),
        "--key", sigstore.resolve("conformance/managed-key-happy-path/key.pub").toString(),
        "--trusted-root", sigstore.resolve("trusted-roots/public-good_sigstore-java-snapshot.json").toString());
    assertNamedNotQuoted(r, "not valid JSON at line 1");
  }
}
