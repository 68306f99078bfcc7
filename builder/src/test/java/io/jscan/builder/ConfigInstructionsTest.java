package io.jscan.builder;

import static io.jscan.builder.testing.TestBuilds.listing;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.TestBases;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Annotations;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The instructions that shape the config, ONBUILD triggers and the base-image labels. */
class ConfigInstructionsTest {
  @TempDir Path tmp;

  @Test
  void build_everyConfigInstruction_setsTheConfigAsBuildKitDoes() throws Exception {
    Path base = tmp.resolve("base");
    Image baseImage = TestBases.write(base);
    String ref = "oci:" + base + ":" + TestBases.REF;
    Path ctx = TestBuilds.context(tmp.resolve("ctx"), Map.of("a.txt", "a"));
    Files.writeString(ctx.resolve("Dockerfile"), String.join("\n",
        "FROM " + ref,
        "MAINTAINER Jane Doe <jane@example.com>",
        "ARG VERSION=1.0",
        "ENV APP_VERSION=$VERSION PATH=/opt/bin:$PATH",
        "LABEL version=$VERSION \"with space\"=yes",
        "EXPOSE 8080 53/udp",
        "VOLUME /data",
        "USER app",
        "WORKDIR /srv/app",
        "SHELL [\"/bin/bash\", \"-c\"]",
        "ENTRYPOINT run.sh --fast",
        "STOPSIGNAL SIGTERM",
        "HEALTHCHECK --interval=30s --retries=3 CMD [\"check\"]",
        "ONBUILD COPY . /onbuild",
        ""));
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      BuildResult r = TestBuilds.build(store, request(ctx).withLabels(Map.of("from.cli", "x")));
      ImageConfig config = r.image().config();
      ContainerConfig c = config.config();
      assertEquals(Optional.of("Jane Doe <jane@example.com>"), config.author());
      assertEquals(List.of("PATH=/opt/bin:/usr/bin", "APP_VERSION=1.0"), c.env(), "PATH replaced in place, ARG not in Env");
      assertEquals("1.0", c.labels().get("version"));
      assertEquals("yes", c.labels().get("with space"));
      assertEquals("yes", c.labels().get("from.base.onbuild"), "the base image's ONBUILD trigger ran");
      assertEquals("x", c.labels().get("from.cli"));
      assertEquals(ref.substring(0, ref.length()), c.labels().get(Annotations.BASE_NAME));
      assertEquals(baseImage.digest().toString(), c.labels().get(Annotations.BASE_DIGEST));
      assertEquals(List.of("53/udp", "8080/tcp"), List.copyOf(c.exposedPorts()));
      assertEquals(List.of("/data"), List.copyOf(c.volumes()));
      assertEquals(Optional.of("app"), c.user());
      assertEquals(Optional.of("/srv/app"), c.workingDir());
      assertEquals(Optional.of(List.of("/bin/bash", "-c", "run.sh --fast")), c.entrypoint());
      assertEquals(Optional.empty(), c.cmd(), "ENTRYPOINT clears the base image's CMD");
      assertEquals(Optional.of("SIGTERM"), c.stopSignal());
      assertEquals(List.of("CMD", "check"), c.healthcheck().orElseThrow().test());
      assertEquals(Optional.of(30_000_000_000L), c.healthcheck().orElseThrow().intervalNanos());
      assertEquals(Optional.of(3), c.healthcheck().orElseThrow().retries());
      assertEquals(List.of("COPY . /onbuild"), c.onBuild(), "own trigger recorded, the base's not inherited");
      // WORKDIR made its directories, owned by the USER (app = 1000:1000 in the base's passwd)
      assertEquals(List.of("d 755 1000:1000 0 1700000000 srv/", "d 755 1000:1000 0 1700000000 srv/app/"),
          listing(r.image().layers().get(1)));
      assertEquals(2, r.image().layers().size());
      assertTrue(r.base().isPresent());
      assertEquals(baseImage.digest(), r.base().get().digest());
      assertEquals(List.of("FROM"), r.baseImages().stream().map(BuildResult.ResolvedImage::use).toList());
      List<String> history = config.history().stream().map(h -> h.createdBy().orElse("")).toList();
      assertTrue(history.contains("ARG VERSION=1.0"), history.toString());
      assertTrue(history.contains("WORKDIR /srv/app"), history.toString());
      assertTrue(history.contains("ENTRYPOINT [\"/bin/bash\",\"-c\",\"run.sh --fast\"]"), history.toString());
    }
  }

  @Test
  void build_onbuildOfAnEarlierStage_runsInTheStageBasedOnIt() throws Exception {
    Path ctx = TestBuilds.context(tmp.resolve("ctx"), Map.of("a.txt", "a"));
    Files.writeString(ctx.resolve("Dockerfile"),
        "FROM scratch AS lib\nONBUILD COPY a.txt /from-trigger.txt\nFROM lib\nLABEL final=1\n");
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      Image image = TestBuilds.build(store, request(ctx)).image();
      assertEquals(List.of("f 644 0:0 1 1700000000 from-trigger.txt"), listing(image.layers().get(0)));
      assertEquals(List.of(), image.config().config().onBuild());
      assertEquals(Optional.empty(), Optional.ofNullable(image.config().config().labels().get(Annotations.BASE_NAME)),
          "a chain of stages from scratch has no base image");
    }
  }

  @Test
  void build_fromTheLocalStoreAndADockerArchive_andForAnotherPlatform() throws Exception {
    Image base = TestBases.write(tmp.resolve("base"));
    Path archive = tmp.resolve("base.tar");
    io.jscan.core.transport.dockerarchive.DockerArchiveWriter.write(archive,
        List.of(new io.jscan.core.transport.dockerarchive.DockerArchiveWriter.Item(base,
            List.of(io.jscan.core.transport.ImageName.parse("base:1")))), io.jscan.core.oci.Platform.LINUX_AMD64);
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      store.write(base, List.of(io.jscan.core.transport.ImageName.parse("example.com/team/base:1")));
      Path ctx = TestBuilds.context(tmp.resolve("ctx"), Map.of(
          "Dockerfile", "FROM example.com/team/base:1 AS one\nFROM docker-archive:" + archive + "\nCOPY --from=one /usr/bin/tool /t\n"));
      BuildResult r = TestBuilds.build(store, request(ctx));
      assertEquals(List.of("example.com/team/base:1", "docker-archive:" + archive),
          r.baseImages().stream().map(BuildResult.ResolvedImage::reference).toList());
      assertEquals("docker-archive:" + archive, r.image().config().config().labels().get(Annotations.BASE_NAME));

      Path scratch = TestBuilds.context(tmp.resolve("arm"), Map.of("Dockerfile", "FROM scratch\nLABEL a=b\n"));
      Image arm = TestBuilds.build(store, request(scratch).withPlatform(io.jscan.core.oci.Platform.parse("linux/arm64"))).image();
      assertEquals("arm64", arm.config().architecture());
      BuildException wrongPlatform = org.junit.jupiter.api.Assertions.assertThrows(BuildException.class,
          () -> TestBuilds.build(store, request(ctx).withPlatform(io.jscan.core.oci.Platform.parse("linux/arm64"))));
      assertTrue(wrongPlatform.getMessage().contains("no image for platform linux/arm64"), wrongPlatform.getMessage());
    }
  }

  @Test
  void build_scratch_getsBuildKitsDefaultPathAndWorkdir() throws Exception {
    Path ctx = TestBuilds.context(tmp.resolve("ctx"), Map.of());
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCMD echo hi\n");
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      ContainerConfig c = TestBuilds.build(store, request(ctx)).image().config().config();
      assertEquals(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), c.env());
      assertEquals(Optional.of("/"), c.workingDir());
      assertEquals(Optional.of(List.of("/bin/sh", "-c", "echo hi")), c.cmd());
    }
  }

  @Test
  void build_baseLabels_nameTheFinalBaseAsWrittenFullyQualified_withItsDigest_andTheResolvedDigest() throws Exception {
    // buildah's convention: base.name the reference as written (normalised), base.digest what it resolved to;
    // jscan verify's base-not-latest and base-pinned judge base.name, so a digest written in FROM must stay in it
    Image base = TestBases.write(tmp.resolve("base"));
    try (LocalStore store = LocalStore.open(tmp.resolve("home"))) {
      store.write(base, List.of(io.jscan.core.transport.ImageName.parse("example.com/team/base:1"),
          io.jscan.core.transport.ImageName.parse("example.com/team/base:latest")));
      Map<String, String> cases = new java.util.LinkedHashMap<>();
      cases.put("FROM example.com/team/base:1@" + base.digest() + "\n", "example.com/team/base:1@" + base.digest());
      cases.put("FROM example.com/team/base@" + base.digest() + "\n", "example.com/team/base@" + base.digest());
      cases.put("FROM example.com/team/base:latest@" + base.digest() + "\n", "example.com/team/base:latest@" + base.digest());
      cases.put("FROM example.com/team/base\n", "example.com/team/base:latest");
      cases.put("ARG TAG=1\nFROM example.com/team/base:${TAG} AS build\nFROM build\nLABEL x=y\n", "example.com/team/base:1");
      int n = 0;
      for (Map.Entry<String, String> c : cases.entrySet()) {
        Path ctx = TestBuilds.context(tmp.resolve("ctx" + n++), Map.of("Dockerfile", c.getKey()));
        Map<String, String> labels = TestBuilds.build(store, request(ctx)).image().config().config().labels();
        assertEquals(c.getValue(), labels.get(Annotations.BASE_NAME), c.getKey());
        assertEquals(base.digest().toString(), labels.get(Annotations.BASE_DIGEST), c.getKey());
      }
    }
  }
}
