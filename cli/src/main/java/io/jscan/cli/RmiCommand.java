package io.jscan.cli;

import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.ImageReference.StoreReference;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan rmi NAME...}: remove names from the local store and collect unused blobs. */
@Command(
    name = "rmi",
    description = {
      "Remove images from the local store.",
      "",
      "Each NAME is untagged (a digest removes every name of that image), then blobs no image and no cached layer"
          + " uses are deleted. Nothing is removed if a NAME is unknown."
    })
final class RmiCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Image names (myapp:1.0) or digests (sha256:…).")
  List<String> names;

  @Override
  public Integer call() throws Exception {
    List<StoreReference> refs = new ArrayList<>();
    for (String name : names) {
      ImageReference ref = ImageReference.parse(name);
      if (!(ref instanceof StoreReference stored)) {
        throw OciException.badInput("rmi " + name, "only images of the local store can be removed");
      }
      refs.add(stored);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (LocalStore store = StoreAccess.openStore()) {
      LocalStore.Removal removal = store.remove(refs);
      for (String untagged : removal.untagged()) {
        out.println("Untagged: " + untagged);
      }
      for (Digest deleted : removal.deletedBlobs()) {
        out.println("Deleted: " + deleted);
      }
    }
    out.flush();
    return ExitCode.OK.code();
  }
}
