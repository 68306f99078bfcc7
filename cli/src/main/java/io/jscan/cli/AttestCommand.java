package io.jscan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscan.core.io.InputLimit;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.registry.TransferListener;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.Json;
import io.jscan.signing.SigningException;
import io.jscan.signing.key.KeyFiles;
import io.jscan.signing.oci.ImageAttester;
import io.jscan.signing.oci.ImagePlaces;
import io.jscan.signing.oci.SigningMethod;
import io.jscan.signing.oci.Stored;
import io.jscan.signing.payload.InTotoStatement;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan attest IMAGE --key K --predicate FILE --type T}: an in-toto attestation about the image, signed as DSSE. */
@Command(
    name = "attest",
    description = {
      "Attest a claim about an image as cosign does.",
      "",
      "An in-toto Statement v1 (subject: the image's manifest digest; predicate: the JSON of --predicate; predicateType from --type)"
          + " is signed as a DSSE envelope over its pre-authentication encoding and appended to the manifest tagged sha256-<hex>.att,"
          + " or with --bundle (always with --keyless) attached as a Sigstore bundle referrer.",
      "--type takes slsaprovenance, slsaprovenance02, cyclonedx, spdx, spdxjson, vuln, link, custom or a URI.",
      "Where it goes follows 'jscan sign': a name in its registry and, when the local store has the same image, there too."
    })
final class AttestCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;
  @Mixin KeylessMixin signing;
  @Mixin RegistryMixin registry;

  @Mixin TimeoutMixin time;
  @Mixin SigningTarget target;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image the attestation is about.")
  String image;

  @Option(names = "--predicate", required = true, paramLabel = "FILE", description = "The predicate (JSON).")
  Path predicate;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "custom", description = "The predicate type: a shorthand or a URI (default: custom).")
  String type;

  @Option(names = "--replace", description = "Drop earlier attestations of this predicate type from the .att manifest.")
  boolean replace;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public Integer call() throws Exception {
    io.jscan.core.Deadline deadline = time.start(env);
    ImageReference ref = ImageReference.parse(image);
    JsonNode predicateJson = readPredicate(predicate);
    SigningMethod method = signing.method(env, "attest");
    try (LocalStore store = StoreAccess.openStore()) {
      Transports transports = new Transports(store, registry.client(env, TransferListener.NONE, deadline));
      ImagePlaces.Targets targets = target.resolve(ref, transports, ImagePlaces.Action.ATTEST);
      InTotoStatement statement = ImageAttester.statementFor(targets.stores().get(0), targets.subject(), type, predicateJson);
      List<Stored> stored = ImageAttester.attest(targets.stores(), targets.subject(), statement, method, signing.format(), replace);
      SigningTarget.report(spec.commandLine().getOut(), spec.commandLine().getErr(), "attested " + statement.predicateType() + " for",
          targets, stored);
    }
    return ExitCode.OK.code();
  }

  static JsonNode readPredicate(Path file) throws SigningException {
    byte[] bytes = KeyFiles.read(file, InputLimit.PREDICATE, "the predicate");
    try {
      JsonNode node = Json.MAPPER.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw SigningException.badInput("reading predicate " + file, "expected a JSON object");
      }
      return node;
    } catch (java.io.IOException e) {
      // never Jackson's message: it quotes the file (FileExcerpts)
      throw SigningException.badInput("reading predicate " + file,
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? io.jscan.core.text.FileExcerpts.jsonProblem(j) : "not valid JSON");
    }
  }
}
