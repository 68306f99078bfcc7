package io.jscan.verifier.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.verifier.Category;
import io.jscan.verifier.Finding;
import io.jscan.verifier.Location;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerfileLinterTest {

  private static List<Finding> lint(String text) throws DockerfileException {
    return DockerfileLinter.lint(Dockerfile.parse("Dockerfile", text));
  }

  /** "RULE@LINE" for each finding of {@code rule}. */
  private static List<String> hits(String text, String rule) throws DockerfileException {
    return lint(text).stream().filter(f -> f.rule().equals(rule))
        .map(f -> f.rule() + "@" + ((Location.InDockerfile) f.location().orElseThrow()).startLine()).toList();
  }

  @Test
  void lint_tutorialDockerfile_findsLatestMaintainerAndNoOthersOfTheirKind() throws DockerfileException {
    String tutorial = """
        FROM ubuntu:latest
        MAINTAINER John Doe <john.doe@example.com>
        RUN apt-get update && apt-get install -y curl
        COPY index.html /var/www/html/
        EXPOSE 80
        CMD ["/usr/bin/httpd", "-f", "/var/www/html/index.html"]
        """;
    List<Finding> findings = lint(tutorial);
    assertEquals(List.of("DL3007@1", "DL4000@2"),
        findings.stream().map(f -> f.rule() + "@" + ((Location.InDockerfile) f.location().orElseThrow()).startLine()).toList());
    assertTrue(findings.stream().allMatch(f -> f.category() == Category.LINT));
    assertTrue(findings.stream().noneMatch(f -> f.rule().equals("JS0001")), "MAINTAINER names the maintainer");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      FROM ubuntu:latest                         | 1
      FROM ubuntu:latest AS build                | 1
      FROM ubuntu:22.04                          | 0
      FROM ubuntu:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000 | 1
      FROM ubuntu@sha256:0000000000000000000000000000000000000000000000000000000000000000        | 0
      FROM ubuntu:22.04@sha256:0000000000000000000000000000000000000000000000000000000000000000  | 0
      FROM localhost:5000/app:latest             | 1
      FROM localhost:5000/app                    | 0
      """)
  void dl3007_latestTag_evenWithADigest_asHadolint(String from, int expected) throws DockerfileException {
    // hadolint's DL3007: check (From BaseImage {tag = Just t}) = t /= "latest" (the digest is not looked at)
    assertEquals(expected, hits(from + "\n", "DL3007").size());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      FROM ubuntu                                   | 1
      FROM localhost:5000/app                       | 1
      FROM scratch                                  | 0
      FROM ubuntu:22.04                             | 0
      FROM ubuntu@sha256:0000000000000000000000000000000000000000000000000000000000000000 | 0
      """)
  void dl3006_untaggedExceptScratchAndDigests(String from, int expected) throws DockerfileException {
    assertEquals(expected, hits(from + "\n", "DL3006").size());
  }

  @Test
  void dl3006_stageNamesAndArgNames_notReported() throws DockerfileException {
    String text = """
        ARG BASE=debian:12
        FROM ${BASE} AS builder
        FROM builder
        FROM Builder AS again
        """;
    assertTrue(hits(text, "DL3006").isEmpty());
  }

  @Test
  void dl3000_relativeWorkdir() throws DockerfileException {
    String text = """
        FROM scratch
        WORKDIR /app
        WORKDIR app
        WORKDIR $HOME/x
        WORKDIR "/quoted"
        WORKDIR C:\\\\win
        """;
    assertEquals(List.of("DL3000@3"), hits(text, "DL3000"));
  }

  @Test
  void dl3002_lastUserOfEachStageRoot() throws DockerfileException {
    String text = """
        FROM alpine:3 AS a
        USER root
        RUN id
        FROM alpine:3 AS b
        USER 0:0
        USER app
        FROM alpine:3
        USER app
        USER root:wheel
        """;
    assertEquals(List.of("DL3002@2", "DL3002@9"), hits(text, "DL3002"));
  }

  @Test
  void dl3020_addForPlainFilesButNotUrlsOrArchives() throws DockerfileException {
    String text = """
        FROM scratch
        ADD app.jar /app/
        ADD rootfs.tar.gz /
        ADD https://example.com/tool.bin /usr/bin/tool
        ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.com/x /x
        """;
    assertEquals(List.of("DL3020@2"), hits(text, "DL3020"));
    assertEquals(List.of("JS0002@4"), hits(text, "JS0002"));
  }

  @Test
  void dl3025_shellFormCmdAndEntrypoint() throws DockerfileException {
    String text = """
        FROM scratch
        CMD ["/app"]
        CMD /app --flag
        ENTRYPOINT exec /app
        ENTRYPOINT ["/app"]
        """;
    assertEquals(List.of("DL3025@3", "DL3025@4"), hits(text, "DL3025"));
  }

  @Test
  void dl4006_pipeWithoutPipefail_resetPerStage() throws DockerfileException {
    String text = """
        FROM debian:12
        RUN curl -s https://x | sh
        RUN a || b
        RUN echo "a | b" 'c | d'
        SHELL ["/bin/bash", "-o", "pipefail", "-c"]
        RUN curl -s https://x | sh
        FROM debian:12 AS two
        RUN cat f | wc -l
        SHELL ["/bin/bash", "-eo", "pipefail", "-c"]
        RUN cat f | wc -l
        FROM debian:12 AS three
        SHELL ["/bin/sh", "-c"]
        RUN cat f | wc -l
        FROM mcr.microsoft.com/windows:ltsc2022 AS win
        SHELL ["pwsh", "-Command"]
        RUN Get-Item x | Select-Object y
        """;
    assertEquals(List.of("DL4006@2", "DL4006@8", "DL4006@13"), hits(text, "DL4006"));
  }

  @Test
  void js0001_noMaintainerLabel_inheritedLabelsCount() throws DockerfileException {
    assertEquals(List.of("JS0001@1"), hits("FROM alpine:3\nRUN true\n", "JS0001"));
    String inherited = """
        FROM alpine:3 AS base
        LABEL org.opencontainers.image.authors="team@example.com"
        FROM base
        RUN true
        """;
    assertTrue(hits(inherited, "JS0001").isEmpty());
  }

  @Test
  void findings_carryFileAndLines() throws DockerfileException {
    Finding f = lint("FROM alpine:3\nRUN a \\\n  | b\n").stream().filter(x -> x.rule().equals("DL4006")).findFirst().orElseThrow();
    Location.InDockerfile at = (Location.InDockerfile) f.location().orElseThrow();
    assertEquals("Dockerfile", at.file());
    assertEquals(2, at.startLine());
    assertEquals(3, at.endLine());
  }

  @Test
  void facts_followStagesToTheBaseImageWithArgDefaults() throws DockerfileException {
    String text = """
        ARG VERSION=3.19
        FROM alpine:${VERSION} AS base
        LABEL maintainer=me quoted="The \\"team\\""
        FROM base AS final
        USER app
        HEALTHCHECK CMD ["/bin/true"]
        """;
    DockerfileFacts facts = DockerfileFacts.of(Dockerfile.parse("Dockerfile", text));
    assertEquals("alpine:3.19", facts.base().orElseThrow().reference());
    assertEquals("docker.io/library/alpine", facts.base().get().repository());
    assertEquals("me", facts.maintainer().orElseThrow());
    assertEquals("The \"team\"", facts.labels().get("quoted"));
    assertEquals("app", facts.user().orElseThrow());
    assertTrue(facts.healthcheck().orElseThrow());
    assertFalse(facts.scratch());
  }

  @Test
  void shellPipes_quotesCommentsAndOr() {
    assertTrue(ShellPipes.hasPipe("a | b"));
    assertTrue(ShellPipes.hasPipe("a |& b"));
    assertFalse(ShellPipes.hasPipe("a || b"));
    assertFalse(ShellPipes.hasPipe("echo 'x | y' \"p | q\""));
    assertFalse(ShellPipes.hasPipe("echo x # a | b"));
    assertFalse(ShellPipes.hasPipe("echo a\\|b"));
  }
}
