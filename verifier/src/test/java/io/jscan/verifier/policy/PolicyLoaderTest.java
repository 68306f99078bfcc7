package io.jscan.verifier.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.JsonSchema;
import io.jscan.core.FailureKind;
import io.jscan.core.testing.RepoPaths;
import io.jscan.verifier.Mode;
import io.jscan.verifier.Schemas;
import io.jscan.verifier.Severity;
import io.jscan.verifier.VerifierException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyLoaderTest {
  private static final String HEAD = "apiVersion: jscan.io/v1\nkind: Policy\nname: t\n";

  private static Path policies() {
    return RepoPaths.repoRoot().resolve("policies");
  }

  static Stream<Path> shippedAndExamples() throws IOException {
    try (Stream<Path> examples = Files.list(policies().resolve("examples"))) {
      return Stream.concat(Stream.of(policies().resolve("baseline.yaml"), policies().resolve("strict.yaml")),
          examples.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shippedAndExamples")
  void shippedPolicy_loadsAndMatchesTheSchema(Path file) throws Exception {
    Policy p = PolicyLoader.read(file);
    assertFalse(p.rules().isEmpty() && p.exceptions().isEmpty());
    assertEquals("", Schemas.problems(Schemas.policy(), Schemas.yaml(file)));
  }

  @Test
  void shipped_baselineAndStrict_haveTheRulesTheIssueAsksFor() throws VerifierException {
    assertEquals(List.of("integrity", "base-not-latest", "maintainer"),
        PolicyLoader.shipped("baseline").rules().stream().map(PolicyRule::id).toList());
    assertEquals(List.of("integrity", "base-not-latest", "maintainer", "non-root-user", "base-pinned", "no-setuid", "no-secrets",
        "signature-required", "sbom-required"), PolicyLoader.shipped("strict").rules().stream().map(PolicyRule::id).toList());
  }

  @Test
  void load_byNameDirectoryAndFile() throws Exception {
    assertEquals("strict", PolicyLoader.load(List.of("strict")).policies().get(0).name());
    assertEquals("baseline", PolicyLoader.load(List.of("builtin:baseline")).policies().get(0).source().replace("builtin:", ""));
    PolicySet dir = PolicyLoader.load(List.of(policies().resolve("examples").toString()));
    assertEquals(List.of("dockerfile-rules", "strict-exceptions", "production", "supply-chain", "team"), dir.policies().stream().map(Policy::name).toList());
    VerifierException missing = assertThrows(VerifierException.class, () -> PolicyLoader.load(List.of("no/such/policy.yaml")));
    assertEquals(FailureKind.BAD_INPUT, missing.kind());
    assertTrue(missing.getMessage().startsWith("no/such/policy.yaml: no such policy file"), missing.getMessage());
  }

  @Test
  void load_exceptionForUnknownRule_rejectedAcrossFiles(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("ex.yaml");
    Files.writeString(f, HEAD + "exceptions:\n  - rule: no-such-rule\n    reason: r\n    expires: 2030-01-01\n");
    VerifierException e = assertThrows(VerifierException.class, () -> PolicyLoader.load(List.of(f.toString())));
    assertEquals(f + ":5: exception for rule no-such-rule: no loaded policy has this rule and it is not a built-in or lint rule",
        e.getMessage());
  }

  @Test
  void parse_defaultsSeverityFromTheRuleAndModeEnforce() throws VerifierException {
    Policy p = PolicyLoader.parse("t.yaml", (HEAD + "rules:\n  - id: maintainer\n  - id: healthcheck\n    mode: warn\n").getBytes(StandardCharsets.UTF_8));
    assertEquals(Severity.WARNING, p.rules().get(0).severity());
    assertEquals(Mode.ENFORCE, p.rules().get(0).mode());
    assertEquals(Severity.INFO, p.rules().get(1).severity());
    assertEquals(Mode.WARN, p.rules().get(1).mode());
  }

  static Stream<Arguments> badPolicies() {
    return Stream.of(
        Arguments.of("unknown top-level key", HEAD + "rulez: []\n", "t.yaml:4: top level: unknown key \"rulez\""),
        Arguments.of("wrong apiVersion", "apiVersion: v2\nkind: Policy\nname: t\nrules: [{id: maintainer}]\n", "t.yaml:1: apiVersion must be jscan.io/v1, got v2"),
        // found by PolicyLoaderFuzzTest: a value quoted in an error kept its line break
        Arguments.of("apiVersion with a line break", "apiVersion: \"v2\\nkm\\e[2J\"\nkind: Policy\nname: t\nrules: [{id: maintainer}]\n",
            "t.yaml:1: apiVersion must be jscan.io/v1, got v2\\nkm\\x1b[2J"),
        Arguments.of("unknown rule", HEAD + "rules:\n  - id: no-such-rule\n",
            "t.yaml:5: rule no-such-rule: not a built-in rule, and it has no expression"),
        Arguments.of("unknown parameter", HEAD + "rules:\n  - id: max-layers\n    parameters:\n      maxx: 3\n",
            "t.yaml:7: rule max-layers: unknown parameter \"maxx\" (known: max)"),
        Arguments.of("missing parameter", HEAD + "rules:\n  - id: max-layers\n", "t.yaml:5: rule max-layers: missing required parameter \"max\""),
        Arguments.of("wrong parameter type", HEAD + "rules:\n  - id: max-size\n    parameters: {maxBytes: lots}\n",
            "t.yaml:6: rule max-size: parameter maxBytes: invalid size \"lots\""),
        Arguments.of("bad severity", HEAD + "rules:\n  - id: maintainer\n    severity: fatal\n",
            "t.yaml:6: rule maintainer: unknown severity \"fatal\" (expected error, warning or info)"),
        Arguments.of("relaxed integrity", HEAD + "rules:\n  - id: integrity\n    mode: warn\n",
            "t.yaml:5: rule integrity: integrity is always enforced"),
        Arguments.of("duplicate rule", HEAD + "rules:\n  - id: maintainer\n  - id: maintainer\n", "t.yaml:6: rule maintainer: defined twice"),
        Arguments.of("CEL syntax error", HEAD + "rules:\n  - id: broken\n    expression: \"labels[\"\n", "t.yaml:6: rule broken: expression:"),
        Arguments.of("CEL not boolean", HEAD + "rules:\n  - id: number\n    expression: \"1 + 2\"\n", "t.yaml:6: rule number: expression:"),
        Arguments.of("CEL unknown variable", HEAD + "rules:\n  - id: typo\n    expression: \"lables.size() > 0\"\n",
            "t.yaml:6: rule typo: expression: at 1:1: undeclared reference to 'lables'"),
        Arguments.of("custom rule with a built-in id", HEAD + "rules:\n  - id: maintainer\n    expression: \"true\"\n",
            "t.yaml:6: rule maintainer: a custom rule cannot take the id of a built-in rule"),
        Arguments.of("waiving integrity", HEAD + "exceptions:\n  - rule: integrity\n    reason: x\n    expires: 2030-01-01\n",
            "t.yaml:5: exception for rule integrity: integrity findings cannot be waived"),
        Arguments.of("exception without reason", HEAD + "exceptions:\n  - rule: maintainer\n    expires: 2030-01-01\n",
            "t.yaml:5: exception for rule maintainer: missing reason"),
        Arguments.of("exception with a bad date", HEAD + "exceptions:\n  - rule: maintainer\n    reason: r\n    expires: next year\n",
            "t.yaml:7: exception for rule maintainer: expires must be a date YYYY-MM-DD"),
        Arguments.of("not YAML", HEAD + "rules: [\n", "t.yaml:4: the file ends inside a [ or { that is never closed"),
        Arguments.of("unknown failure mode", HEAD + "failureMode: ignore\nrules: [{id: maintainer}]\n",
            "t.yaml:4: unknown failureMode \"ignore\" (expected deny or allow)"),
        Arguments.of("match without namespaces or images", HEAD + "match: {}\nrules: [{id: maintainer}]\n",
            "t.yaml:4: match needs namespaces or images"),
        Arguments.of("match with an unknown key", HEAD + "match:\n  namespace: [prod]\nrules: [{id: maintainer}]\n",
            "t.yaml:5: match: unknown key \"namespace\""),
        Arguments.of("match with an empty image list", HEAD + "match:\n  images: []\nrules: [{id: maintainer}]\n",
            "t.yaml:5: match: images is empty"),
        Arguments.of("match with a namespace that is not a string", HEAD + "match:\n  namespaces: [1]\nrules: [{id: maintainer}]\n",
            "t.yaml:5: match: namespaces: expected a list of strings"),
        // an empty regular expression matches every signer (cosign refuses empty identities too)
        Arguments.of("identity with an empty subject regexp", HEAD + "rules:\n  - id: signature-required\n    parameters:\n      identities:\n"
            + "        - {subjectRegExp: \"\", issuerRegExp: \"\"}\n", "t.yaml:8: rule signature-required: parameter identities: "),
        Arguments.of("identity with a blank issuer", HEAD + "rules:\n  - id: signature-required\n    parameters:\n      identities:\n"
            + "        - {subject: me@example.com, issuer: \"  \"}\n", "t.yaml:8: rule signature-required: parameter identities: "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPolicies")
  void parse_badPolicy_oneLineErrorNamingFileRuleAndLine(String name, String yaml, String expectedStart) throws IOException {
    VerifierException e = assertThrows(VerifierException.class, () -> PolicyLoader.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8)));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().startsWith(expectedStart), "got: " + e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  static Stream<Arguments> malformedYaml() {
    byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0};
    return Stream.of(
        Arguments.of("bad indentation", bytes(HEAD + "rules:\n  - id: maintainer\n   severity: error\n"),
            "t.yaml:6: bad indentation: this line does not line up with the list it belongs to (from line 5)"),
        Arguments.of("a tab", bytes(HEAD + "rules:\n  - id: maintainer\n\tseverity: error\n"),
            "t.yaml:6: a tab character: YAML indents with spaces, never tabs"),
        Arguments.of("an unclosed quote", bytes("apiVersion: jscan.io/v1\nkind: Policy\nname: \"team\nrules:\n  - id: maintainer\n"),
            "t.yaml:3: the quoted string that starts on this line is never closed"),
        Arguments.of("an unclosed [", bytes(HEAD + "rules: [{id: maintainer}\n"), "t.yaml:4: the [ on this line is never closed (or an item in it lacks a comma)"),
        Arguments.of("a duplicate key", bytes(HEAD + "name: other\nrules:\n  - id: maintainer\n"),
            "t.yaml:4: the key \"name\" appears twice in one mapping (YAML keys are unique)"),
        Arguments.of("a duplicate key in a rule", bytes(HEAD + "rules:\n  - id: maintainer\n    mode: enforce\n    mode: warn\n"),
            "t.yaml:7: the key \"mode\" appears twice in one mapping (YAML keys are unique)"),
        Arguments.of("an unknown escape", bytes(HEAD + "description: \"C:\\qx\"\nrules: [{id: maintainer}]\n"),
            "t.yaml:4: an unknown escape sequence in a double-quoted string (write \\\\ for a backslash, or use single quotes)"),
        Arguments.of("a reserved character", bytes(HEAD + "description: @team\nrules: [{id: maintainer}]\n"),
            "t.yaml:4: a value cannot start with \"@\" here: quote it"),
        Arguments.of("a line without a colon", bytes(HEAD + "rules: [{id: maintainer}]\ndescription\nfailureMode: deny\n"),
            "t.yaml:5: a line that is neither \"key: value\" nor a list item \"- …\" (a ':' missing?)"),
        Arguments.of("a colon in a plain value", bytes(HEAD + "description: a: b\nrules: [{id: maintainer}]\n"),
            "t.yaml:4: a ':' where no mapping can start: check the indentation, or quote a value that contains \": \""),
        Arguments.of("a scalar where a mapping was expected", bytes(HEAD + "rules:\n  - maintainer\n"),
            "t.yaml:5: a mapping was expected here (a rule: id, and severity, mode, parameters or expression), found the string \"maintainer\""),
        Arguments.of("a list where a mapping was expected", bytes(HEAD + "rules:\n  - id: max-layers\n    parameters: [1, 2]\n"),
            "t.yaml:6: a mapping was expected here (rule max-layers: parameters), found a list"),
        Arguments.of("a mapping where a list was expected", bytes(HEAD + "rules:\n  id: maintainer\n"),
            "t.yaml:5: a list was expected here (rules: a list of rules), found a mapping"),
        Arguments.of("a list at the top", bytes("- apiVersion: jscan.io/v1\n"),
            "t.yaml:1: a mapping was expected here (a policy: apiVersion, kind, name and rules), found a list"),
        Arguments.of("a number where a string was expected", bytes("apiVersion: jscan.io/v1\nkind: Policy\nname: 7\nrules: [{id: maintainer}]\n"),
            "t.yaml:3: top level: name: a string was expected here, found the number 7"),
        Arguments.of("an empty file", bytes(""), "t.yaml:1: the file is empty: a policy is a YAML mapping with apiVersion, kind, name and rules"),
        Arguments.of("only comments", bytes("# a policy, one day\n"),
            "t.yaml:1: the file is empty: a policy is a YAML mapping with apiVersion, kind, name and rules"),
        Arguments.of("a binary file", elf, "t.yaml:1: not a YAML text file: control character 0x7f at byte 0 (a binary file?)"),
        Arguments.of("invalid UTF-8", bytes(HEAD + "description: caf\u00e9\n", (byte) 0xff, (byte) 0xfe),
            "t.yaml:5: not a YAML text file: invalid UTF-8 (byte 0xff at byte 64)"),
        Arguments.of("two documents", bytes(HEAD + "rules: [{id: maintainer}]\n---\nname: second\n"),
            "t.yaml:6: a second YAML document (after ---): a policy file holds one policy; put each in a file of its own"),
        Arguments.of("an alias", bytes(HEAD + "description: &d text\nrules: *d\n"),
            "t.yaml:5: an alias (\"*d\"): policy files take no anchors and aliases; write the value out"),
        Arguments.of("a long excerpt is cut", bytes(HEAD + "rules:\n  - \"" + "x".repeat(500) + "\\u0001\"\n"),
            "t.yaml:5: a mapping was expected here (a rule: id, and severity, mode, parameters or expression), found the string \""
                + "x".repeat(40) + "…\""));
  }

  private static byte[] bytes(String text, byte... more) {
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = java.util.Arrays.copyOf(t, t.length + more.length);
    System.arraycopy(more, 0, out, t.length, more.length);
    return out;
  }

  /** YAML mistakes in jscan's words: FILE:LINE, one line, no parser internals, at most a short escaped excerpt of the file. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedYaml")
  void parse_malformedYaml_namesFileLineAndTheMistake(String name, byte[] yaml, String expected) {
    VerifierException e = assertThrows(VerifierException.class, () -> PolicyLoader.parse("t.yaml", yaml));
    assertEquals(FailureKind.BAD_INPUT, e.kind());
    assertEquals(expected, e.getMessage());
    for (String internal : List.of("in 'reader'", "column", "^", "snakeyaml", "Exception", "<block", "#")) {
      assertFalse(e.getMessage().contains(internal), "parser internals (" + internal + ") in: " + e.getMessage());
    }
  }

  @Test
  void parse_fileThatIsOneString_isNotAPolicy_andIsNotQuoted() {
    // /etc/passwd reads as one YAML string: named as not a policy, none of it echoed
    VerifierException e = assertThrows(VerifierException.class,
        () -> PolicyLoader.parse("t.yaml", bytes("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")));
    assertEquals("t.yaml:1: a mapping was expected here (a policy: apiVersion, kind, name and rules), found text: not a policy file", e.getMessage());
  }

  @Test
  void parse_longOrControlValuesQuoted_areShortAndEscaped() {
    VerifierException e = assertThrows(VerifierException.class,
        () -> PolicyLoader.parse("t.yaml", bytes("apiVersion: \"" + "s".repeat(300) + "\\e[2J\"\nkind: Policy\nname: t\nrules: []\n")));
    assertEquals("t.yaml:1: apiVersion must be jscan.io/v1, got " + "s".repeat(40) + "…", e.getMessage());
    VerifierException key = assertThrows(VerifierException.class, () -> PolicyLoader.parse("t.yaml", bytes(HEAD + "\"\\e]0;x\\a\": 1\n")));
    assertEquals("t.yaml:4: top level: unknown key \"\\x1b]0;x\\x07\"", key.getMessage());
  }

  @Test
  void read_symlinkOutOfItsDirectory_quotesNothingOfTheTarget(@TempDir Path dir) throws Exception {
    Path policies = Files.createDirectories(dir.resolve("policies"));
    Path outside = Files.writeString(dir.resolve("credentials.yaml"), "apiVersion: SECRET-TOKEN-1234\nkind: Policy\nname: t\nrules: []\n");
    assertTrue(assertThrows(VerifierException.class, () -> PolicyLoader.read(outside)).getMessage().contains("SECRET-TOKEN-1234"),
        "named directly, the file is quoted (a short excerpt)");
    Path link = Files.createSymbolicLink(policies.resolve("policy.yaml"), outside);

    VerifierException e = assertThrows(VerifierException.class, () -> PolicyLoader.load(List.of(policies.toString())));

    assertEquals(link + ":1: not a valid policy file (" + link + " is reached through a symlink that leads out of its directory, so none of"
        + " its content is shown)", e.getMessage());
    Path passwd = Files.createSymbolicLink(dir.resolve("passwd.yaml"), Path.of("/etc/passwd"));
    VerifierException p = assertThrows(VerifierException.class, () -> PolicyLoader.read(passwd));
    assertFalse(p.getMessage().contains("root"), p.getMessage());
  }

  @Test
  void read_configMapLinksInsideTheDirectory_keepTheExcerpt(@TempDir Path dir) throws Exception {
    Path volume = Files.createDirectories(dir.resolve("volume"));
    Path version = Files.createDirectories(volume.resolve("..2026_01_01_v1"));
    Files.writeString(version.resolve("policy.yaml"), "apiVersion: v2\nkind: Policy\nname: t\nrules: []\n");
    Files.createSymbolicLink(volume.resolve("..data"), version.getFileName());
    Path link = Files.createSymbolicLink(volume.resolve("policy.yaml"), Path.of("..data", "policy.yaml"));
    VerifierException e = assertThrows(VerifierException.class, () -> PolicyLoader.read(link));
    assertEquals(link + ":1: apiVersion must be jscan.io/v1, got v2", e.getMessage());
  }

  @Test
  void schema_rejectsWhatTheLoaderRejects() throws IOException {
    JsonSchema schema = Schemas.policy();
    for (String yaml : List.of(
        HEAD + "rulez: []\n",
        HEAD + "rules:\n  - id: max-layers\n",
        HEAD + "rules:\n  - id: max-layers\n    parameters:\n      maxx: 3\n",
        HEAD + "rules:\n  - id: integrity\n    mode: warn\n",
        HEAD + "rules:\n  - id: maintainer\n    expression: \"true\"\n",
        HEAD + "exceptions:\n  - rule: integrity\n    reason: x\n    expires: 2030-01-01\n",
        HEAD + "exceptions:\n  - rule: maintainer\n    expires: 2030-01-01\n",
        HEAD + "failureMode: ignore\nrules: [{id: maintainer}]\n",
        HEAD + "match: {}\nrules: [{id: maintainer}]\n",
        HEAD + "match:\n  namespace: [prod]\nrules: [{id: maintainer}]\n",
        HEAD + "match:\n  images: []\nrules: [{id: maintainer}]\n")) {
      assertFalse(Schemas.problems(schema, Schemas.yaml(yaml)).isEmpty(), "schema accepted:\n" + yaml);
    }
  }

  @Test
  void parse_matchAndFailureMode_readForAdmission() throws VerifierException {
    Policy p = PolicyLoader.parse("t.yaml", (HEAD + "match:\n  namespaces: [\"prod-*\"]\n  images: [\"ghcr.io/acme/*\"]\n"
        + "failureMode: allow\nrules: [{id: maintainer}]\n").getBytes(StandardCharsets.UTF_8));
    assertEquals(FailureMode.ALLOW, p.failureMode());
    PolicyMatch match = p.match().orElseThrow();
    assertTrue(match.matches("prod-eu", List.of("ghcr.io/acme/api:1", "ghcr.io/acme/api")));
    assertFalse(match.matches("staging", List.of("ghcr.io/acme/api:1")), "namespace outside the globs");
    assertFalse(match.matches("prod-eu", List.of("docker.io/library/nginx:1.25", "nginx:1.25")), "image outside the globs");
  }

  @Test
  void parse_withoutMatchOrFailureMode_isADefaultPolicyThatDenies() throws VerifierException {
    Policy p = PolicyLoader.parse("t.yaml", (HEAD + "rules: [{id: maintainer}]\n").getBytes(StandardCharsets.UTF_8));
    assertTrue(p.match().isEmpty());
    assertEquals(FailureMode.DENY, p.failureMode());
  }

  @Test
  void policyMatch_namespacesOnlyOrImagesOnly_leavesTheOtherOpen() {
    assertTrue(new PolicyMatch(List.of("kube-*"), List.of()).matches("kube-system", List.of("anything")));
    assertTrue(new PolicyMatch(List.of(), List.of("*/acme/*")).matches("any", List.of("ghcr.io/acme/x:1")));
    assertThrows(IllegalArgumentException.class, () -> new PolicyMatch(List.of(), List.of()));
  }

  @Test
  void parseSize_units() {
    assertEquals(500_000_000L, PolicyLoader.parseSize("500MB"));
    assertEquals(1L << 30, PolicyLoader.parseSize("1GiB"));
    assertEquals(42L, PolicyLoader.parseSize("42"));
    assertThrows(IllegalArgumentException.class, () -> PolicyLoader.parseSize("1.5GB"));
  }

  @Test
  void load_ruleKeyFile_isRecordedWithTheDigestOfWhatWasParsed(@TempDir Path dir) throws Exception {
    io.jscan.signing.key.SigningKey key = io.jscan.signing.key.Keys.generate(io.jscan.signing.key.KeyAlgorithm.ECDSA_P256);
    Path pub = Files.createDirectories(dir.resolve("keys")).resolve("release.pub");
    Files.writeString(pub, io.jscan.signing.key.Keys.publicKeyPem(key.publicKey()));
    Path file = Files.writeString(dir.resolve("signed.yaml"),
        HEAD + "rules:\n  - id: signature-required\n    parameters:\n      keys: [keys/release.pub]\n");

    Policy p = PolicyLoader.load(List.of(file.toString())).policies().get(0);

    assertEquals(java.util.Map.of(pub.toAbsolutePath().normalize(), io.jscan.core.oci.Digest.sha256(Files.readAllBytes(pub))), p.references());
    assertEquals(io.jscan.core.oci.Digest.sha256(Files.readAllBytes(file)), p.digest(), "the policy's own digest is still its file's");
    assertEquals(java.util.Map.of(), PolicyLoader.load(List.of("strict")).policies().get(0).references());
  }
}
