package io.jscan.cli;

import io.jscan.core.text.Printable;
import io.jscan.core.image.Artifact;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.RegistryReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.registry.RegistryClient;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.oci.RegistrySignatureStore;
import io.jscan.signing.oci.StoreSignatureStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan pull NAME}: copy an image from its registry into the local store. */
@Command(
    name = "pull",
    description = {
      "Pull an image from a registry into the local store, under its name.",
      "",
      "NAME is normalised as docker does (ubuntu is docker.io/library/ubuntu:latest); docker://NAME is accepted too."
          + " An index is resolved to the image for --platform (default: this machine's), or kept whole with --all-platforms."
          + " Every byte is checked against its digest as it arrives, and each layer against its compression and diff_id"
          + " (decompressed while it is written); nothing unverified is stored or named.",
      "The image's signatures, attestations and other attachments in the registry (cosign's sha256-<hex>.sig/.att/.sbom"
          + " tags, OCI referrers) come with it, so it verifies from the store as it does from the registry; --skip-attachments"
          + " pulls the image alone."
    })
final class PullCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;
  @Mixin RegistryMixin registry;

  @Mixin TimeoutMixin time;
  @Mixin CarriedAttachments attachments;

  @Parameters(index = "0", paramLabel = "NAME", description = "The image, e.g. registry.example.com/team/app:1.4.")
  String image;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "For an index: the platform to pull.")
  String platform;

  @Option(names = "--all-platforms", description = "For an index: pull every platform and keep the index.")
  boolean allPlatforms;

  @Option(names = {"-q", "--quiet"}, description = "Print only the image name; no progress.")
  boolean quiet;

  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description = "Progress on standard error: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: bars on a terminal, else lines).")
  Progress.Mode progress;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Override
  public Integer call() throws Exception {
    io.jscan.core.Deadline deadline = time.start(env);
    ImageName name = registryName(image, "pull");
    if (platform != null && allPlatforms) {
      throw OciException.badInput("pull", "give --platform or --all-platforms, not both");
    }
    Optional<Platform> wanted;
    if (allPlatforms) {
      wanted = Optional.empty();
    } else {
      try {
        wanted = Optional.of(platform == null ? Platform.host() : Platform.parse(platform));
      } catch (IllegalArgumentException e) {
        throw OciException.badInput("--platform", e.getMessage());
      }
    }
    Progress shown = new Progress(spec.commandLine().getErr(), quiet ? Progress.Mode.quiet : progress);
    RegistryClient client = registry.client(env, shown, deadline);
    List<ImageName> names = name.tag().isPresent() ? List.of(name.withoutDigest()) : List.of();
    Artifact pulled;
    PrintWriter err = spec.commandLine().getErr();
    Consumer<String> log = quiet ? line -> {} : line -> {
      err.println("jscan: " + Printable.escape(line));
      err.flush();
    };
    try (LocalStore store = StoreAccess.openStore()) {
      pulled = client.pull(name, store, wanted, names);
      if (!attachments.skip) {
        // what is attached to the image stored: for one platform of an index, that platform's image
        CarriedAttachments.carry(new RegistrySignatureStore(client, name), new StoreSignatureStore(store, name), pulled,
            "pull " + name, "pulled", log);
      }
    }
    if (!quiet) {
      spec.commandLine().getErr().println("Digest: " + pulled.descriptor().digest());
    }
    spec.commandLine().getOut().println(name.tag().isPresent() ? name.withoutDigest() : name.withDigest(pulled.descriptor().digest()));
    return ExitCode.OK.code();
  }

  /** A registry image name from NAME or docker://NAME; other transports are refused. */
  static ImageName registryName(String text, String command) throws OciException {
    ImageReference ref = ImageReference.parse(text);
    if (ref instanceof RegistryReference remote) {
      return remote.name();
    }
    if (ref instanceof StoreReference stored && stored.name().isPresent()) {
      return stored.name().get();
    }
    throw OciException.badInput(command + " \"" + text + "\"", "expected a registry image name such as registry.example.com/team/app:1.4");
  }
}
