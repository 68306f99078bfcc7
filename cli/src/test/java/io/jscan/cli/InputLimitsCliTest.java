package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.testing.RepoPaths;
import io.jscan.core.testing.TestFiles;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.key.KeyAlgorithm;
import io.jscan.signing.key.Keys;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file a user names, pointed at {@code /dev/zero}, a FIFO or a sparse 3 GB file: one line
 * naming the file, exit 2, and nothing read (a FIFO opened for reading would block the test, and
 * reading either of the others whole would exhaust memory).
 */
class InputLimitsCliTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  /** What a hostile file is. */
  enum Hostile {
    DEV_ZERO("not a regular file (a symbolic link to a character device)"),
    FIFO("not a regular file (a FIFO)"),
    SPARSE_3_GB("larger than the limit of ");

    final String problem;

    Hostile(String problem) {
      this.problem = problem;
    }

    Path make(Path path) throws Exception {
      Files.createDirectories(path.getParent());
      return switch (this) {
        case DEV_ZERO -> TestFiles.linkToDevZero(path);
        case FIFO -> TestFiles.fifo(path);
        case SPARSE_3_GB -> TestFiles.sparse(path, 3L << 30);
      };
    }
  }

  /** A command whose input {@code hostile} is named; {@code what} is how the message names it. */
  record Case(String name, String what, Function<Path, List<String>> args) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeEach
  void useTempStore() {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  private Result jscan(List<String> args) {
    return jscan(new ByteArrayInputStream(new byte[0]), args);
  }

  private Result jscan(InputStream stdin, List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> env = new HashMap<>(Map.of("SOURCE_DATE_EPOCH", "1700000000", "JSCAN_PASSWORD", "pw"));
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, stdin, args.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  /** Valid companions of the hostile file: a public key, a file, a trusted root, a context. */
  private Path fixtures() throws Exception {
    Path f = Files.createDirectories(tmp.resolve("fixtures"));
    if (!Files.exists(f.resolve("cosign.pub"))) {
      Files.writeString(f.resolve("cosign.pub"), Keys.publicKeyPem(Keys.generate(KeyAlgorithm.ECDSA_P256).publicKey()));
      Files.writeString(f.resolve("artifact.txt"), "hello\n");
      Files.writeString(f.resolve("trusted_root.json"), "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\"}");
      Files.createDirectories(f.resolve("context"));
      Files.writeString(f.resolve("context/Dockerfile"), "FROM scratch\nCOPY . /\n");
    }
    return f;
  }

  static Stream<Arguments> cases() {
    List<Case> cases = List.of(
        new Case("dockerfile parse FILE", "the Dockerfile", p -> List.of("dockerfile", "parse", p.toString())),
        new Case("dockerfile lint FILE", "the Dockerfile", p -> List.of("dockerfile", "lint", p.toString())),
        new Case("build -f FILE", "the Dockerfile", p -> List.of("build", "-f", p.toString(), p.getParent().toString())),
        new Case("verify --dockerfile FILE", "the Dockerfile", p -> List.of("verify", "oci:" + p.getParent().resolve("none"), "--dockerfile", p.toString())),
        new Case("verify --policy FILE", "the policy file", p -> List.of("verify", "oci:" + p.getParent().resolve("none"), "--policy", p.toString())),
        new Case("dockerfile lint --policy FILE", "the policy file", p -> List.of("dockerfile", "lint", "--policy", p.toString(), p.resolveSibling("ok.Dockerfile").toString())),
        new Case("verify --key FILE", "the public key", p -> List.of("verify", "oci:" + p.getParent().resolve("none"), "--key", p.toString())),
        new Case("verify --trusted-root FILE", "the trusted root", p -> List.of("verify", "oci:" + p.getParent().resolve("none"),
            "--trusted-root", p.toString(), "--certificate-identity", "a@b", "--certificate-oidc-issuer", "https://x")),
        new Case("verify-blob --key FILE", "the public key", p -> List.of("verify-blob", "--key", p.toString(), "--signature", "sig", "file")),
        new Case("sign-blob --key FILE", "the private key", p -> List.of("sign-blob", "--key", p.toString(), "file")),
        new Case("attest --predicate FILE", "the predicate", p -> List.of("attest", "--key", "cosign.key", "--predicate", p.toString(), "oci:x")));
    List<Arguments> out = new ArrayList<>();
    for (Case c : cases) {
      for (Hostile h : Hostile.values()) {
        out.add(Arguments.of(c, h));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void userNamedFile_thatIsHostile_isOneLineExit2(Case c, Hostile hostile) throws Exception {
    Path file = hostile.make(tmp.resolve("in").resolve("Dockerfile"));
    Files.writeString(tmp.resolve("in/ok.Dockerfile"), "FROM scratch\n");

    Result r = jscan(c.args().apply(file));

    assertRefused(r, file, c.what(), hostile);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.EnumSource(Hostile.class)
  void verifyBlob_signatureAndFileAndBundleInputs_thatAreHostile_areOneLineExit2(Hostile hostile) throws Exception {
    Path f = fixtures();
    Path key = f.resolve("cosign.pub");
    Path artifact = f.resolve("artifact.txt");

    Path signature = hostile.make(tmp.resolve("sig/sig"));
    assertRefused(jscan(List.of("verify-blob", "--key", key.toString(), "--signature", signature.toString(), artifact.toString())),
        signature, "the signature", hostile);

    Path blob = hostile.make(tmp.resolve("blob/file"));
    Files.writeString(tmp.resolve("blob/sig"), "MEUCIQ==");
    assertRefused(jscan(List.of("verify-blob", "--key", key.toString(), "--signature", tmp.resolve("blob/sig").toString(), blob.toString())),
        blob, "the file", hostile);

    Path bundle = hostile.make(tmp.resolve("bundle/bundle.json"));
    assertRefused(jscan(List.of("verify-bundle", "--key", key.toString(), "--artifact", artifact.toString(), "--trusted-root",
        f.resolve("trusted_root.json").toString(), "--bundle", bundle.toString())), bundle, "the bundle", hostile);

    Path root = hostile.make(tmp.resolve("root/trusted_root.json"));
    assertRefused(jscan(List.of("verify-bundle", "--key", key.toString(), "--artifact", artifact.toString(), "--trusted-root",
        root.toString(), "--bundle", "bundle.json")), root, "the trusted root", hostile);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.EnumSource(Hostile.class)
  void build_dockerignoreThatIsHostile_isOneLineExit2_notSkipped(Hostile hostile) throws Exception {
    Path context = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY . /\n");
    Path ignore = hostile.make(context.resolve(".dockerignore"));

    assertRefused(jscan(List.of("build", "--output", "oci:" + tmp.resolve("out"), context.toString())), ignore, "the .dockerignore file", hostile);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.EnumSource(Hostile.class)
  void verify_policyDirectoryWithAHostileEntry_isOneLineExit2_notSkipped(Hostile hostile) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("policies"));
    Files.copy(RepoPaths.repoRoot().resolve("policies/baseline.yaml"), dir.resolve("a.yaml"));
    Path entry = hostile.make(dir.resolve("b.yaml"));

    assertRefused(jscan(List.of("verify", "oci:" + tmp.resolve("none"), "--policy", dir.toString())), entry, "the policy file", hostile);
  }

  /**
   * An OCI layout whose config or layer blob is a FIFO or a link to /dev/zero is not an image at all:
   * verify refuses it as bad input (exit 2) naming the blob, without opening it (a FIFO would block
   * forever), rather than reporting the image's integrity (exit 4).
   */
  @ParameterizedTest(name = "{0} as the {1}")
  @MethodSource("specialBlobs")
  void verify_layoutWithASpecialFileForABlob_isOneLineExit2(Hostile hostile, String part) throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(context.resolve("hello.txt"), "hello\n");
    Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
    Path layout = tmp.resolve("layout");
    Result built = jscan(List.of("build", "-q", "--output", "oci:" + layout + ":app", context.toString()));
    assertEquals(0, built.code(), built.err());
    com.fasterxml.jackson.databind.JsonNode manifest = blobJson(layout, blobJson(layout, readIndex(layout)).path("manifests").get(0)
        .path("digest").asText());
    String digest = part.equals("config") ? manifest.path("config").path("digest").asText() : manifest.path("layers").get(0).path("digest").asText();
    Path blob = layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    Files.delete(blob);
    hostile.make(blob);

    Result r = jscan(List.of("verify", "oci:" + layout + ":app"));

    assertEquals(2, r.code(), r.out() + r.err());
    List<String> lines = r.err().strip().lines().toList();
    assertEquals(1, lines.size(), r.err());
    assertTrue(lines.get(0).startsWith("jscan: OCI layout " + layout) && lines.get(0).contains(digest)
        && lines.get(0).endsWith(hostile.problem), r.err());
  }

  static Stream<Arguments> specialBlobs() {
    return Stream.of(Hostile.FIFO, Hostile.DEV_ZERO).flatMap(h -> Stream.of(Arguments.of(h, "config"), Arguments.of(h, "layer")));
  }

  private static String readIndex(Path layout) throws Exception {
    return Files.readString(layout.resolve("index.json"));
  }

  /** The JSON of {@code text}, or of the blob {@code text} names when it is a digest. */
  private static com.fasterxml.jackson.databind.JsonNode blobJson(Path layout, String text) throws Exception {
    String json = text.startsWith("sha256:") ? Files.readString(layout.resolve("blobs/sha256").resolve(text.substring(7))) : text;
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
  }

  @Test
  void dockerfileParse_standardInputLongerThanTheLimit_isOneLineExit2() {
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return '#';
      }
    };

    Result r = jscan(endless, List.of("dockerfile", "parse", "-"));

    assertEquals(2, r.code(), r.err());
    assertEquals("jscan: standard input: reading the Dockerfile: larger than the limit of 4 MiB\n", r.err());
  }

  @Test
  void loginPasswordStdin_endlessLine_isOneLineExit2() {
    InputStream zeros = new InputStream() {
      @Override
      public int read() {
        return 0;
      }
    };

    Result r = jscan(zeros, List.of("login", "-u", "me", "--password-stdin", "127.0.0.1:1"));

    assertEquals(2, r.code(), r.err());
    assertEquals("jscan: standard input: reading the password: larger than the limit of 64 KiB\n", r.err());
  }

  @Test
  void lint_billionLaughs_isOneLineExit2AtTheLine() throws Exception {
    Path dockerfile = Files.writeString(tmp.resolve("Dockerfile"), billionLaughs());

    Result r = jscan(List.of("dockerfile", "lint", dockerfile.toString()));

    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("jscan: " + dockerfile + ":5: variable expansion makes this word more than 1 MiB longer than written"),
        r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void build_billionLaughs_isOneLineExit2AtTheLine() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("laughs"));
    Path dockerfile = Files.writeString(context.resolve("Dockerfile"), billionLaughs());

    Result r = jscan(List.of("build", "--output", "oci:" + tmp.resolve("out"), context.toString()));

    assertEquals(2, r.code(), r.err());
    List<String> lines = r.err().strip().lines().toList();
    assertTrue(lines.get(lines.size() - 1).startsWith("jscan: " + dockerfile + ":5: variable expansion makes this word"), r.err());
    assertFalse(Files.exists(tmp.resolve("out/index.json")), "nothing written");
  }

  /** Nested ARGs that repeat each other 16 times a level: 32 characters become 512 GiB at the eighth level. */
  static String billionLaughs() {
    StringBuilder d = new StringBuilder("ARG L0=" + "x".repeat(32) + "\n");
    for (int level = 1; level <= 8; level++) {
      d.append("ARG L").append(level).append('=').append(("${L" + (level - 1) + "}").repeat(16)).append('\n');
    }
    return d + "FROM scratch\nARG L8\nLABEL laughs=${L8}\nENV E=${L8}\n";
  }

  /**
   * The real command line, in a JVM of 48 MiB of heap: each of these read whole would need
   * gigabytes (a 3 GB sparse Dockerfile, a policy and a key that are /dev/zero, a billion laughs).
   */
  @Test
  void mainInASmallHeap_hostileInputs_exit2WithOneLineAndNoOutOfMemory() throws Exception {
    Path sparse = Hostile.SPARSE_3_GB.make(tmp.resolve("small/Dockerfile"));
    Path zeroPolicy = Hostile.DEV_ZERO.make(tmp.resolve("small/policy.yaml"));
    Path zeroKey = Hostile.DEV_ZERO.make(tmp.resolve("small/cosign.pub"));
    Path laughs = Files.writeString(tmp.resolve("small/laughs.Dockerfile"), billionLaughs());
    Map<List<String>, String> runs = Map.of(
        List.of("dockerfile", "lint", sparse.toString()), sparse + ": reading the Dockerfile: larger than the limit of 4 MiB (3221225472 bytes)",
        List.of("verify", "oci:" + tmp.resolve("none"), "--policy", zeroPolicy.toString()),
        zeroPolicy + ": reading the policy file: not a regular file (a symbolic link to a character device)",
        List.of("verify-blob", "--key", zeroKey.toString(), "--signature", "s", "f"),
        zeroKey + ": reading the public key: not a regular file (a symbolic link to a character device)",
        List.of("dockerfile", "lint", laughs.toString()),
        laughs + ":5: variable expansion makes this word more than 1 MiB longer than written");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    for (Map.Entry<List<String>, String> run : runs.entrySet()) {
      List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx48m", "-cp", System.getProperty("java.class.path"),
          "-D" + LocalStore.HOME_PROPERTY + "=" + tmp.resolve("home"), "io.jscan.cli.Main"));
      command.addAll(run.getKey());
      Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(tmp.resolve("small.out").toFile()).redirectError(tmp.resolve("small.err").toFile()).start();
      assertTrue(p.waitFor(2, TimeUnit.MINUTES), "jscan " + run.getKey() + " finished");
      String err = Files.readString(tmp.resolve("small.err"), StandardCharsets.UTF_8);
      assertEquals(2, p.exitValue(), err);
      assertTrue(err.startsWith("jscan: " + run.getValue()), err);
      assertEquals(1, err.lines().count(), err);
      assertFalse(err.contains("OutOfMemoryError"), err);
    }
  }

  private static void assertRefused(Result r, Path file, String what, Hostile hostile) {
    assertEquals(2, r.code(), r.err());
    List<String> lines = r.err().strip().lines().toList();
    String last = lines.get(lines.size() - 1);
    String expected = "jscan: " + file + ": reading " + what + ": " + hostile.problem;
    assertTrue(last.startsWith(expected), "expected " + expected + "\n got " + r.err());
    if (hostile == Hostile.SPARSE_3_GB) {
      Matcher m = Pattern.compile("larger than the limit of (\\d+) (bytes|KiB|MiB) \\(3221225472 bytes\\)$").matcher(last);
      assertTrue(m.find(), last);
    }
    assertEquals(1, lines.stream().filter(l -> l.startsWith("jscan: ")).count(), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }
}
