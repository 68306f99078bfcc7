package io.jscan.verifier.policy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jscan.core.testing.FuzzChecks;
import io.jscan.verifier.VerifierException;
import java.nio.file.Path;

/**
 * Fuzzes the policy loader (fuzz/README.md): any bytes are a policy (YAML, its schema, CEL
 * expressions, identities, matches) or a one-line {@link VerifierException}. The policy seems to
 * lie in a directory that does not exist, so the key files it names relative to itself are
 * missing. Seeds (the shipped policies and examples, and the shapes PolicyLoaderTest checks):
 * {@code src/test/resources/io/jscan/verifier/policy/PolicyLoaderFuzzTestInputs/}.
 */
class PolicyLoaderFuzzTest {
  private static final String SOURCE = Path.of("target", "policy-fuzz-nowhere", "policy.yaml").toString();

  @FuzzTest(maxDuration = "60s")
  void parse_anyBytes_isAPolicyOrAOneLineError(byte[] yaml) {
    try {
      PolicyLoader.parse(SOURCE, yaml);
    } catch (VerifierException e) {
      FuzzChecks.requireOneLine(e);
    }
  }
}
