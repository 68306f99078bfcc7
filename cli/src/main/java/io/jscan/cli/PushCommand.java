package io.jscan.cli;

import io.jscan.core.text.Printable;
import io.jscan.core.image.Artifact;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.oci.ImagePlaces;
import io.jscan.signing.oci.RegistrySignatureStore;
import io.jscan.signing.oci.SignatureStore;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan push IMAGE [DESTINATION]}: send a local image to a registry. */
@Command(
    name = "push",
    description = {
      "Push an image to a registry.",
      "",
      "IMAGE is a local image, named for its registry with 'jscan tag' as with docker"
          + " (jscan tag app:1 registry.example.com/team/app:1), or any reference (oci:DIR:REF, docker-archive:FILE, docker://NAME)."
          + " DESTINATION defaults to IMAGE's name.",
      "Blobs the registry has are skipped, those in another repository of it are mounted; the tag moves last."
          + " Each layer is checked against its digest, compression and diff_id as it is sent (a skipped one from the"
          + " store's records, or by reading it); one that fails is not committed and no manifest is put.",
      "Then the image's signatures, attestations and other attachments (cosign's sha256-<hex>.sig/.att/.sbom tags, OCI"
          + " referrers such as Sigstore bundles, SBOMs and provenance) are carried with it, as cosign copy does, each said on"
          + " standard error; signatures the destination has already are kept. --skip-attachments pushes the image alone."
    })
final class PushCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;
  @Mixin RegistryMixin registry;

  @Mixin TimeoutMixin time;
  @Mixin CarriedAttachments attachments;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to push.")
  String image;

  @Parameters(index = "1", arity = "0..1", paramLabel = "DESTINATION", description = "Where to push it (NAME or docker://NAME).")
  String destination;

  @Option(names = {"-q", "--quiet"}, description = "No progress.")
  boolean quiet;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description = "Progress on standard error: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Progress.Mode progress;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public Integer call() throws Exception {
    io.jscan.core.Deadline deadline = time.start(env);
    ImageReference source = ImageReference.parse(image);
    ImageName target;
    if (destination != null) {
      target = PullCommand.registryName(destination, "push");
    } else {
      target = StoreAccess.nameOf(source)
          .orElseThrow(() -> OciException.badInput("push " + image, "no name to push to; give a DESTINATION"));
    }
    Progress shown = new Progress(spec.commandLine().getErr(), quiet ? Progress.Mode.quiet : progress);
    RegistryClient client = registry.client(env, shown, deadline);
    Descriptor pushed;
    PrintWriter err = spec.commandLine().getErr();
    Consumer<String> log = quiet ? line -> {} : line -> {
      err.println("jscan: " + Printable.escape(line));
      err.flush();
    };
    try (LocalStore store = StoreAccess.openStore()) {
      Transports transports = new Transports(store, client);
      Artifact artifact;
      if (source instanceof StoreReference stored) {
        // a push names a local image: no fallback to the registry
        artifact = store.read(stored);
      } else {
        artifact = transports.read(source);
      }
      // layers are checked as they are sent; the store's records spare reading again those it proved
      pushed = client.push(artifact, target, store.diffIdRecords());
      if (!attachments.skip) {
        Optional<SignatureStore> from = ImagePlaces.source(source, transports, target);
        if (from.isPresent()) {
          CarriedAttachments.carry(from.get(), new RegistrySignatureStore(client, target), artifact, "push " + target, "pushed", log);
        }
      }
    }
    String label = target.tag().orElse(target.digest().map(Object::toString).orElse(""));
    spec.commandLine().getOut().println(label + ": digest: " + pushed.digest() + " size: " + pushed.size());
    return ExitCode.OK.code();
  }
}
