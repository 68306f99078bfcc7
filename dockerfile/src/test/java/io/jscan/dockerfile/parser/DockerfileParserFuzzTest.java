package io.jscan.dockerfile.parser;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jscan.core.testing.FuzzChecks;
import io.jscan.dockerfile.Dockerfile;
import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.build.BuildOptions;
import io.jscan.dockerfile.build.BuildPlan;

/**
 * Fuzzes the Dockerfile front end (fuzz/README.md): any bytes are a Dockerfile, or a one-line
 * {@link DockerfileException}. The parse goes on to the checked instructions and the stage graph,
 * as {@code jscan build} and {@code jscan dockerfile parse} do. Seeds:
 * {@code src/test/resources/io/jscan/dockerfile/parser/DockerfileParserFuzzTestInputs/}.
 */
class DockerfileParserFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void parse_anyBytes_isADockerfileOrAOneLineError(byte[] content) {
    try {
      Dockerfile dockerfile = Dockerfile.parse("Dockerfile", content);
      BuildPlan.resolve(dockerfile, BuildOptions.defaults());
    } catch (DockerfileException e) {
      FuzzChecks.requireOneLine(e);
    }
  }
}
