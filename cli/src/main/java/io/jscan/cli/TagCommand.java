package io.jscan.cli;

import io.jscan.core.text.Printable;
import io.jscan.core.image.Artifact;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.signing.oci.ImagePlaces;
import io.jscan.signing.oci.SignatureStore;
import io.jscan.signing.oci.StoreSignatureStore;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan tag SOURCE TARGET}: name an image in the local store. */
@Command(
    name = "tag",
    description = {
      "Give an image a name in the local store.",
      "",
      "SOURCE is a local image or any reference (oci:…, docker-archive:…), which is then copied into the store,"
          + " each layer checked against its digest, compression and diff_id as it is copied.",
      "The image's signatures, attestations and other attachments come with it to the new name (as for jscan push),"
          + " so TARGET verifies and pushes with them; each is said on standard error."
    })
final class TagCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SOURCE")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET", description = "The new name, e.g. myapp:1.0.")
  String target;

  @Override
  public Integer call() throws Exception {
    ImageReference from = ImageReference.parse(source);
    ImageName to = StoreAccess.targetName(target);
    PrintWriter err = spec.commandLine().getErr();
    try (LocalStore store = StoreAccess.openStore()) {
      Transports transports = new Transports(store);
      Artifact artifact;
      if (from instanceof StoreReference stored) {
        artifact = store.read(stored);
        store.tag(stored, to);
      } else {
        artifact = transports.read(from);
        store.write(artifact, List.of(to));
      }
      // the store keeps attachments per repository, as a registry does: a new name in another
      // repository would otherwise lose the signatures that `jscan push` then carries
      Optional<SignatureStore> attached = ImagePlaces.source(from, transports, to);
      StoreSignatureStore named = new StoreSignatureStore(store, to);
      if (attached.isPresent() && !attached.get().location().equals(named.location())) {
        CarriedAttachments.carry(attached.get(), named, artifact, "tag " + to, "tagged", line -> {
          err.println("jscan: " + Printable.escape(line));
          err.flush();
        });
      }
    }
    return ExitCode.OK.code();
  }
}
