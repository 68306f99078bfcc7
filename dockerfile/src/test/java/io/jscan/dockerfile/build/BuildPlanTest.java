package io.jscan.dockerfile.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.oci.Platform;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.instructions.ArgInstruction;
import io.jscan.dockerfile.instructions.EnvInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import io.jscan.dockerfile.instructions.WorkdirInstruction;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildPlanTest {
  private static final String MULTI_STAGE = String.join("\n",
      "ARG GO=1.22",
      "FROM golang:${GO} AS Build",
      "RUN make",
      "FROM alpine AS unused",
      "RUN true",
      "FROM build AS test",
      "RUN go test",
      "FROM scratch",
      "COPY --from=BUILD /out /app",
      "COPY --from=0 /out /app2",
      "COPY --from=busybox:1.36 /bin/sh /sh",
      "");

  private static BuildPlan plan(String dockerfile, BuildOptions options) throws DockerfileException {
    return BuildPlan.resolve(Dockerfile.parse("Dockerfile", dockerfile), options);
  }

  private static List<String> names(BuildPlan plan) {
    return plan.stages().stream().map(s -> s.stage().displayName()).toList();
  }

  @Test
  void resolve_defaultTarget_buildsOnlyTheStagesTheLastStageNeeds() throws Exception {
    BuildPlan plan = plan(MULTI_STAGE, BuildOptions.defaults());

    assertEquals(List.of("build", "stage-3"), names(plan));
    PlannedStage build = plan.stages().get(0);
    assertEquals("docker.io/library/golang:1.22", ((StageBase.Image) build.base()).reference().normalized());
    assertEquals(java.util.Set.of("GO"), build.argsUsedByFrom());
    assertInstanceOf(StageBase.Scratch.class, plan.target().base());
    assertEquals(3, plan.target().sources().size());
    assertInstanceOf(StageSource.OfImage.class, plan.target().sources().get(2).source());
  }

  @Test
  void resolve_ociAndDockerArchiveReferences_areKeptAsTransportReferences() throws Exception {
    BuildPlan plan = plan(
        String.join("\n",
            "ARG BASE=oci:/images/busybox:1.36",
            "FROM ${BASE}",
            "COPY --from=docker-archive:tools.tar:tools:1 /bin/x /x",
            ""),
        BuildOptions.defaults());

    ImageReference base = ((StageBase.Image) plan.target().base()).reference();
    assertEquals("oci:/images/busybox:1.36", base.normalized());
    assertEquals(true, base.isTransport());
    ImageReference from = ((StageSource.OfImage) plan.target().sources().get(0).source()).reference();
    assertEquals("docker-archive:tools.tar:tools:1", from.original());
    assertEquals(true, from.isTransport());
    assertEquals(false, ImageReference.parse("busybox").isTransport());
  }

  @Test
  void resolve_targetByNameCaseInsensitive_followsFromStage() throws Exception {
    BuildPlan plan = plan(MULTI_STAGE, BuildOptions.defaults().withTarget("TEST"));

    assertEquals(List.of("build", "test"), names(plan));
    assertEquals(new StageBase.FromStage(0), plan.target().base());
  }

  @Test
  void resolve_buildArgOverridesGlobalDefault() throws Exception {
    BuildPlan plan = plan(MULTI_STAGE, BuildOptions.defaults().withBuildArgs(Map.of("GO", "1.23")));

    assertEquals("golang:1.23", ((StageBase.Image) plan.stages().get(0).base()).reference().original());
    assertEquals("1.23", plan.globalArgs().get("GO"));
  }

  @Test
  void resolve_unknownTarget_isAnError() {
    DockerfileException e = assertThrows(
        DockerfileException.class, () -> plan(MULTI_STAGE, BuildOptions.defaults().withTarget("nope")));

    assertEquals("Dockerfile:1: target stage \"nope\" could not be found", e.getMessage());
  }

  @Test
  void resolve_fromThatIsNeitherStageNorImage_isAnErrorAtItsLine() {
    DockerfileException e = assertThrows(
        DockerfileException.class, () -> plan("FROM a\nFROM b\nCOPY --from=Not_An_Image x y\n", BuildOptions.defaults()));

    assertEquals(
        "Dockerfile:3: failed to parse stage name \"Not_An_Image\": invalid reference format: repository name"
            + " (library/Not_An_Image) must be lowercase",
        e.getMessage());
  }

  @Test
  void resolve_stageIndexOutOfRange_isAnError() {
    DockerfileException e = assertThrows(
        DockerfileException.class, () -> plan("FROM a\nCOPY --from=3 x y\n", BuildOptions.defaults()));

    assertEquals("Dockerfile:2: invalid stage index 3", e.getMessage());
  }

  @Test
  void resolve_variableInCopyFrom_isAnError() {
    assertThrows(DockerfileException.class, () -> plan("FROM a\nCOPY --from=$X x y\n", BuildOptions.defaults()));
  }

  @Test
  void resolve_copyFromLaterStage_isAnErrorWhenNeeded() {
    DockerfileException e = assertThrows(
        DockerfileException.class, () -> plan("FROM a AS one\nCOPY --from=two x y\nFROM b AS two\nFROM one\n", BuildOptions.defaults()));

    assertEquals("Dockerfile:2: cannot copy from stage \"two\", it needs to be defined before current stage \"one\"", e.getMessage());
  }

  @Test
  void resolve_selfReference_isACircularDependency() {
    DockerfileException e = assertThrows(
        DockerfileException.class, () -> plan("FROM a AS one\nCOPY --from=one x y\n", BuildOptions.defaults()));

    assertEquals("Dockerfile:2: circular dependency detected on stage: one", e.getMessage());
  }

  @Test
  void resolve_runMountFromStage_isADependency() throws Exception {
    BuildPlan plan = plan("FROM a AS deps\nFROM b AS other\nFROM c\nRUN --mount=from=deps,target=/d true\n", BuildOptions.defaults());

    assertEquals(List.of("deps", "stage-2"), names(plan));
  }

  @Test
  void resolve_platformFromPredefinedArg_isExpandedAndParsed() throws Exception {
    BuildOptions options = BuildOptions.defaults().withPlatforms(Platform.parse("linux/arm64"), Platform.LINUX_AMD64);

    BuildPlan plan = plan("FROM --platform=$BUILDPLATFORM golang AS b\nFROM b\n", options);

    assertEquals(Optional.of(Platform.parse("linux/arm64")), plan.stages().get(0).platform());
    assertEquals("linux/amd64", plan.globalArgs().get("TARGETPLATFORM"));
    assertEquals("default", plan.globalArgs().get("TARGETSTAGE"));
  }

  @Test
  void resolve_blankBaseName_isAnError() {
    DockerfileException e = assertThrows(DockerfileException.class, () -> plan("ARG IMG\nFROM $IMG\n", BuildOptions.defaults()));

    assertEquals("Dockerfile:2: base name ($IMG) should not be blank", e.getMessage());
  }

  @Test
  void resolve_onbuildCopyFromInBaseStage_addsADependencyToTheChild() throws Exception {
    BuildPlan plan = plan("FROM a AS assets\nFROM b AS base\nONBUILD COPY --from=assets x y\nFROM base\n", BuildOptions.defaults());

    assertEquals(List.of("assets", "base", "stage-2"), names(plan));
    assertEquals(1, plan.target().inheritedTriggers().size());
  }

  @Test
  void resolve_proxyBuildArgs_areCollectedCaseInsensitively() throws Exception {
    BuildPlan plan = plan("FROM a\n", BuildOptions.defaults().withBuildArgs(Map.of("http_proxy", "http://p:3128", "X", "1")));

    assertEquals(Map.of("HTTP_PROXY", "http://p:3128"), plan.proxyEnvironment());
  }

  @Test
  void stageEnvironment_argsFollowBuildKitPrecedence() throws Exception {
    String df = "ARG V=global\nFROM a\nENV E=env\nARG V\nARG D=${E}-default\nARG B=unused\nARG TARGETARCH\nWORKDIR /$V/$D/$B/$TARGETARCH\n";
    BuildPlan plan = plan(df, BuildOptions.defaults().withBuildArgs(Map.of("B", "from-cli")));
    StageEnvironment env = plan.newStageEnvironment(List.of("PATH=/bin"));

    for (var instruction : plan.target().stage().instructions()) {
      if (instruction instanceof EnvInstruction e) {
        env.applyEnv(e.expand(env.expander()));
      } else if (instruction instanceof ArgInstruction a) {
        env.declareArg(a);
      }
    }
    WordExpander expander = env.expander();
    WorkdirInstruction workdir = ((WorkdirInstruction) plan.target().stage().instructions().get(5)).expand(expander);

    assertEquals("/global/env-default/from-cli/amd64", workdir.path());
    assertEquals(List.of("V", "D", "B", "TARGETARCH"), List.copyOf(expander.usedVariables()));
    assertEquals(List.of("PATH=/bin", "E=env"), env.imageEnv());
  }

  /** Nested ARGs that repeat each other 16 times a level: 32 characters become 512 GiB at the eighth level. */
  static String billionLaughs() {
    StringBuilder d = new StringBuilder("ARG L0=" + "x".repeat(32) + "\n");
    for (int level = 1; level <= 8; level++) {
      d.append("ARG L").append(level).append('=').append(("${L" + (level - 1) + "}").repeat(16)).append('\n');
    }
    return d + "FROM scratch\nARG L8\nENV E=${L8}\n";
  }

  @Test
  void resolve_billionLaughsInGlobalArgs_failsAtTheArgThatPassesTheLimit() {
    DockerfileException e = assertThrows(DockerfileException.class, () -> plan(billionLaughs(), BuildOptions.defaults()));

    assertTrue(e.overLimit());
    // L4 is 32 * 16^4 = 2 MiB: the first to grow by more than 1 MiB
    assertEquals("Dockerfile:5", e.what());
  }

  @Test
  void stageEnvironment_billionLaughsInStageArgsAndEnv_failsAtItsLine() throws Exception {
    StringBuilder d = new StringBuilder("FROM scratch\nENV L0=" + "x".repeat(32) + "\n");
    for (int level = 1; level <= 8; level++) {
      d.append("ENV L").append(level).append('=').append(("${L" + (level - 1) + "}").repeat(16)).append('\n');
    }
    BuildPlan plan = plan(d.toString(), BuildOptions.defaults());
    StageEnvironment env = plan.newStageEnvironment(List.of());
    DockerfileException e = assertThrows(DockerfileException.class, () -> {
      for (Instruction i : plan.target().stage().instructions()) {
        env.applyEnv(((EnvInstruction) i).expand(env.expander()));
      }
    });

    assertTrue(e.overLimit());
    assertEquals("Dockerfile:6", e.what());
  }

  @Test
  void stageEnvironment_manyWordsEachWithinTheirLimit_failPastTheDockerfilesTotal() throws Exception {
    // each ENV adds 512 KiB less the 4 characters of ${H}: 32 of them stay within 16 MiB, the 33rd passes it
    StringBuilder d = new StringBuilder("FROM scratch\nARG H\n");
    for (int i = 0; i < 40; i++) {
      d.append("ENV C").append(i).append("=${H}\n");
    }
    BuildPlan plan = plan(d.toString(), BuildOptions.defaults().withBuildArgs(Map.of("H", "x".repeat(512 << 10))));
    StageEnvironment env = plan.newStageEnvironment(List.of());
    DockerfileException e = assertThrows(DockerfileException.class, () -> {
      for (Instruction i : plan.target().stage().instructions()) {
        if (i instanceof ArgInstruction a) {
          env.declareArg(a);
        } else {
          env.applyEnv(((EnvInstruction) i).expand(env.expander()));
        }
      }
    });

    assertTrue(e.overLimit());
    assertEquals("Dockerfile:35", e.what());
  }
}
