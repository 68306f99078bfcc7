package io.jscan.dockerfile.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.shell.VariableLookup;
import io.jscan.dockerfile.shell.WordExpander;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InstructionsTest {

  private static Instruction only(String dockerfile) throws DockerfileException {
    Dockerfile df = Dockerfile.parse("Dockerfile", "FROM scratch\n" + dockerfile);
    return df.instructions().get(1);
  }

  private static DockerfileException rejected(String dockerfile) {
    return assertThrows(DockerfileException.class, () -> Dockerfile.parse("Dockerfile", dockerfile));
  }

  @Test
  void parse_unknownInstruction_isRejectedWithLineAndSuggestion() {
    DockerfileException e = rejected("FROM scratch\n\nCOPPY a b\n");

    assertEquals("Dockerfile:3: unknown instruction: COPPY (did you mean copy?)", e.getMessage());
  }

  @Test
  void parse_copyWithAllFlags_givesTypedCopy() throws Exception {
    CopyInstruction copy = (CopyInstruction) only(
        "COPY --from=build --chown=1:2 --chmod=644 --link --parents --exclude=*.md --exclude=x a b /dst/\n");

    assertEquals(List.of("a", "b"), copy.sources());
    assertEquals("/dst/", copy.destination());
    assertEquals(Optional.of("build"), copy.from());
    assertEquals(Optional.of("1:2"), copy.chown());
    assertEquals(Optional.of("644"), copy.chmod());
    assertTrue(copy.link());
    assertTrue(copy.parents());
    assertEquals(List.of("*.md", "x"), copy.excludes());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "COPY --user=me a b | unknown flag: --user",
      "COPY --from=a --from=b x y | duplicate flag specified: --from",
      "COPY --from x y | missing a value on flag: --from",
      "COPY --link=maybe x y | expecting boolean value for flag --link, not: maybe",
      "COPY onlyone | COPY requires at least two arguments, but only one was provided. Destination could not be determined",
      "ADD --keep-git-dir= x y | missing a value on flag: --keep-git-dir",
      "RUN --network=bridge true | invalid network mode \"bridge\"",
      "RUN --security=foo true | security \"foo\" is not valid",
      "RUN --mount=type=cache,from=$X true | 'from' doesn't support variable expansion, define alias stage instead",
      "USER | USER requires exactly one argument",
      "SHELL /bin/sh -c | SHELL requires the arguments to be in JSON form",
      "HEALTHCHECK --interval=1us CMD true | Interval \"interval\" cannot be less than 1ms",
      "HEALTHCHECK --retries=-1 CMD true | --retries cannot be negative (-1)",
      "HEALTHCHECK CONNECT x | Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)",
      "HEALTHCHECK NONE x | HEALTHCHECK NONE takes no arguments",
      "ONBUILD ONBUILD RUN x | Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
      "ONBUILD FROM x | FROM isn't allowed as an ONBUILD trigger",
      "ONBUILD MAINTAINER x | MAINTAINER isn't allowed as an ONBUILD trigger",
      "ENV =x | ENV names can not be blank",
      "ARG =x | ARG names can not be blank",
      "VOLUME [\"\"] | VOLUME specified can not be an empty string",
      "COPY <<EOF <<EOF | COPY cannot accept a heredoc as a destination",
  })
  void parse_badInstruction_isRejectedWithBuildKitsMessageAtItsLine(String line, String message) {
    DockerfileException e = rejected("FROM scratch\n" + line + "\nEOF\nEOF\n");

    assertEquals("Dockerfile:2: " + message, e.getMessage());
  }

  @Test
  void parse_fromWithPlatformAndName_lowerCasesTheStageName() throws Exception {
    FromInstruction from = (FromInstruction) Dockerfile.parse("Dockerfile", "FROM --platform=$BUILDPLATFORM golang AS Build\n")
        .instructions().get(0);

    assertEquals("golang", from.image());
    assertEquals(Optional.of("build"), from.stageName());
    assertEquals(Optional.of("$BUILDPLATFORM"), from.platform());
  }

  @Test
  void parse_fromWithInvalidStageName_isRejected() {
    assertEquals(
        "Dockerfile:1: invalid name for build stage: \"1st\", name can't start with a number or contain symbols",
        rejected("FROM a AS 1st\n").getMessage());
    assertEquals("Dockerfile:1: FROM requires either one or three arguments", rejected("FROM a b\n").getMessage());
  }

  @Test
  void parse_instructionBeforeFirstFrom_isRejected() {
    assertEquals("Dockerfile:1: no build stage in current context", rejected("RUN true\nFROM a\n").getMessage());
  }

  @Test
  void parse_runWithMountsNetworkAndSecurity_givesTypedRun() throws Exception {
    RunInstruction run = (RunInstruction) only(
        "RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=go --mount=type=secret,id=tok,required"
            + " --network=none --security=insecure make\n");

    assertEquals(NetworkMode.NONE, run.network());
    assertEquals(SecurityMode.INSECURE, run.security());
    assertEquals(new CommandLine(List.of("make"), false), run.command());
    List<Mount> mounts = run.mounts(new WordExpander('\\', VariableLookup.none()));
    Mount cache = mounts.get(0);
    assertEquals(MountType.CACHE, cache.type());
    assertEquals(Optional.of("/root/.cache"), cache.target());
    assertEquals(Optional.of(CacheSharing.LOCKED), cache.sharing());
    assertEquals(Optional.of("go"), cache.cacheId());
    assertFalse(cache.readOnly(), "cache mounts are writable by default");
    Mount secret = mounts.get(1);
    assertEquals(MountType.SECRET, secret.type());
    assertTrue(secret.required());
    assertTrue(secret.readOnly());
  }

  @Test
  void mounts_valuesWithVariables_areExpandedAndRecorded() throws Exception {
    RunInstruction run = (RunInstruction) only("RUN --mount=type=tmpfs,target=$DIR,size=${SIZE} true\n");
    WordExpander expander = new WordExpander('\\', VariableLookup.of(Map.of("DIR", "/tmp/x", "SIZE", "64m")));

    Mount tmpfs = run.mounts(expander).get(0);

    assertEquals(Optional.of("/tmp/x"), tmpfs.target());
    assertEquals(OptionalLong.of(64L * 1024 * 1024), tmpfs.sizeLimit());
    assertEquals(List.of("DIR", "SIZE"), List.copyOf(expander.usedVariables()));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "type=nfs,target=/x | unsupported mount type \"nfs\"",
      "type=bind,mode=0600,target=/x | mode not allowed for \"bind\" type mounts",
      "type=secret | invalid secret mount. one of source, target required",
      "type=bind,sharing=locked | invalid cache sharing set for bind mount",
      "type=bind,foo=bar | unexpected key 'foo' in 'foo=bar'",
      "type=bind,required | unexpected key 'required' for mount type 'bind'",
      "type=cache,size=1g | unexpected key 'size' for mount type 'cache'",
  })
  void mounts_invalidMount_isRejectedWhenResolved(String spec, String message) throws Exception {
    RunInstruction run = (RunInstruction) only("RUN --mount=" + spec + " true\n");

    DockerfileException e = assertThrows(
        DockerfileException.class, () -> run.mounts(new WordExpander('\\', VariableLookup.none())));
    assertEquals("Dockerfile:2: " + message, e.getMessage());
  }

  @Test
  void parse_healthcheckWithDurations_givesImageConfigValues() throws Exception {
    HealthcheckInstruction h = (HealthcheckInstruction) only(
        "HEALTHCHECK --interval=1m30s --timeout=3s --start-period=0s --start-interval=500ms --retries=3 CMD curl -f x\n");

    assertEquals(List.of("CMD-SHELL", "curl -f x"), h.test());
    assertEquals(Duration.ofSeconds(90), h.interval());
    assertEquals(Duration.ofSeconds(3), h.timeout());
    assertEquals(Duration.ZERO, h.startPeriod());
    assertEquals(Duration.ofMillis(500), h.startInterval());
    assertEquals(3, h.retries());
    assertTrue(((HealthcheckInstruction) only("HEALTHCHECK NONE\n")).disablesHealthcheck());
    assertEquals(List.of("CMD", "a", "b"), ((HealthcheckInstruction) only("HEALTHCHECK CMD [\"a\",\"b\"]\n")).test());
  }

  @Test
  void parse_cmdAndEntrypoint_distinguishExecAndShellForm() throws Exception {
    assertEquals(new CommandLine(List.of("a", "b"), true), ((CmdInstruction) only("CMD [\"a\", \"b\"]\n")).command());
    assertEquals(new CommandLine(List.of("echo hi"), false), ((CmdInstruction) only("CMD echo hi\n")).command());
    assertEquals(new CommandLine(List.of(), true), ((EntrypointInstruction) only("ENTRYPOINT []\n")).command());
  }

  @Test
  void parse_onbuild_keepsExpressionAndParsesTriggerLazily() throws Exception {
    OnbuildInstruction onbuild = (OnbuildInstruction) only("ONBUILD COPY --from=x a /b\n");

    assertEquals("COPY --from=x a /b", onbuild.expression());
    assertInstanceOf(CopyInstruction.class, onbuild.trigger());
    OnbuildInstruction unknown = (OnbuildInstruction) only("ONBUILD BOGUS x\n");
    assertThrows(DockerfileException.class, unknown::trigger);
  }

  @Test
  void parse_heredocWithQuotedDelimiter_disablesExpansion() throws Exception {
    CopyInstruction copy = (CopyInstruction) only("COPY <<'EOF' <<-EXPANDED /dst/\n$A\nEOF\n\t$A\nEXPANDED\n");
    WordExpander expander = new WordExpander('\\', VariableLookup.of(Map.of("A", "value")));

    CopyInstruction expanded = copy.expand(expander);

    assertEquals(new InlineFile("EOF", "$A\n", false), expanded.inlineFiles().get(0));
    assertEquals(new InlineFile("EXPANDED", "value\n", true), expanded.inlineFiles().get(1));
  }

  @Test
  void expand_envAndLabel_expandKeysAndValuesButKeepTheForm() throws Exception {
    EnvInstruction env = (EnvInstruction) only("ENV A=\"$X y\" B $X\n".replace("B $X", "B=${X:-z}"));
    WordExpander expander = new WordExpander('\\', VariableLookup.of(Map.of("X", "1")));

    EnvInstruction expanded = env.expand(expander);

    assertEquals(List.of(new KeyValue("A", "1 y", false), new KeyValue("B", "1", false)), expanded.variables());
    assertEquals(List.of("X"), List.copyOf(expander.usedVariables()));
    LabelInstruction legacy = (LabelInstruction) only("LABEL maintainer Jane Doe\n");
    assertEquals(List.of(new KeyValue("maintainer", "Jane Doe", true)), legacy.labels());
  }

  @Test
  void expand_expose_splitsExpandedWordsAndNormalizesPorts() throws Exception {
    ExposeInstruction expose = (ExposeInstruction) only("EXPOSE $PORTS 53/UDP 8000-8001\n");
    WordExpander expander = new WordExpander('\\', VariableLookup.of(Map.of("PORTS", "80 443/tcp")));

    ExposeInstruction expanded = expose.expand(expander);

    // sorted as written ("$PORTS" < "53/UDP" < "8000-8001"), then expanded in place, as BuildKit does
    assertEquals(List.of("80/tcp", "443/tcp", "53/udp", "8000/tcp", "8001/tcp"), expanded.exposedPorts());
  }

  @Test
  void expand_runCommand_isLeftToTheShell() throws Exception {
    RunInstruction run = (RunInstruction) only("RUN echo $HOME\n");

    assertEquals(List.of("echo $HOME"), run.command().arguments());
    assertFalse(run.command().execForm());
  }

  @Test
  void parse_unknownFlagWithACarriageReturnInItsName_errorStaysOneLine() {
    // found by DockerfileParserFuzzTest (fuzz/README.md): the flag's name was quoted raw, CR and all
    DockerfileException e = assertThrows(DockerfileException.class,
        () -> Dockerfile.parse("Dockerfile", "FROM --platfor\\\r\u0010\u0000m=copy a\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertTrue(e.getMessage().startsWith("Dockerfile:1: unknown flag: --platfor"), e.getMessage());
    assertFalse(e.getMessage().chars().anyMatch(c -> c < 0x20), e.getMessage());
  }
}
