package io.jscan.cli;

import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.registry.TransferListener;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.SigningException;
import io.jscan.signing.oci.ImagePlaces;
import io.jscan.signing.oci.ImageSigner;
import io.jscan.signing.oci.SigningMethod;
import io.jscan.signing.oci.Stored;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan sign IMAGE --key cosign.key}: a cosign signature of the image's manifest digest, stored where cosign looks. */
@Command(
    name = "sign",
    description = {
      "Sign an image as cosign does.",
      "",
      "The manifest digest IMAGE resolves to (a tag is resolved first) is signed in cosign's simple-signing payload and"
          + " appended to the manifest tagged sha256-<hex>.sig beside the image.",
      "A name (registry.example/app:1) is signed in its registry, as cosign does, and in the local store too when the store"
          + " has the same image; a name only the store has (never pushed) is signed there (jscan push carries the signature).",
      "When the two copies differ, or the registry cannot be asked, nothing is signed: say docker://NAME (the registry),"
          + " --local (the store) or NAME@sha256:... (a digest). docker://NAME, oci:DIR:REF and sha256:... sign exactly that place.",
      "With --bundle (and always with --keyless) a Sigstore bundle v0.3 is attached as an OCI referrer instead,"
          + " as cosign 3 does (registries without the referrers API get the sha256-<hex> index tag).",
      "Each stored signature's location is printed on standard output, and where it went on standard error."
    })
final class SignCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;
  @Mixin KeylessMixin signing;
  @Mixin RegistryMixin registry;

  @Mixin TimeoutMixin time;
  @Mixin SigningTarget target;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to sign.")
  String image;

  @Option(names = {"-a", "--annotations"}, paramLabel = "KEY=VALUE", description = "An annotation in the payload's optional section (repeatable).")
  List<String> annotations = new ArrayList<>();

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public Integer call() throws Exception {
    io.jscan.core.Deadline deadline = time.start(env);
    ImageReference ref = ImageReference.parse(image);
    Map<String, String> optional = annotations(annotations);
    SigningMethod method = signing.method(env, "sign");
    try (LocalStore store = StoreAccess.openStore()) {
      Transports transports = new Transports(store, registry.client(env, TransferListener.NONE, deadline));
      ImagePlaces.Targets targets = target.resolve(ref, transports, ImagePlaces.Action.SIGN);
      List<Stored> stored = ImageSigner.sign(targets.stores(), targets.subject(), method, signing.format(), optional);
      SigningTarget.report(spec.commandLine().getOut(), spec.commandLine().getErr(), "signed", targets, stored);
    }
    return ExitCode.OK.code();
  }

  static Map<String, String> annotations(List<String> pairs) throws SigningException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String a : pairs) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw SigningException.badInput("-a " + a, "expected KEY=VALUE");
      }
      out.put(a.substring(0, eq), a.substring(eq + 1));
    }
    return out;
  }
}
