package io.jscan.cli;

import io.jscan.core.image.Artifact;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.store.LocalStore;
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
      "SOURCE is a local image or any reference (oci:…, docker-archive:…), which is then copied into the store."
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
    try (LocalStore store = StoreAccess.openStore()) {
      if (from instanceof StoreReference stored) {
        store.tag(stored, to);
      } else {
        Artifact artifact = new Transports(store).read(from);
        store.write(artifact, List.of(to));
      }
    }
    return ExitCode.OK.code();
  }
}
