package io.jscan.cli;

import io.jscan.core.image.Artifact;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.dockerarchive.DockerArchiveWriter;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan save IMAGE... -o FILE}: write images as a docker-archive. */
@Command(
    name = "save",
    description = {
      "Save images to a docker-archive tarball (docker/podman load, skopeo docker-archive: read it).",
      "",
      "The file is written to a temp file and renamed, so it is complete or absent."
    })
final class SaveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images to save (any reference).")
  List<String> images;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The archive to write.")
  Path file;

  @Override
  public Integer call() throws Exception {
    String target = file.toString();
    if (target.startsWith("oci:") || target.startsWith("docker-archive:") || target.startsWith("docker://")) {
      // docker save's -o names a file; a transport here would become a file called "oci:dir:tag"
      throw OciException.badInput("--output " + target,
          "jscan save writes a docker-archive to the FILE given (no transport prefix); 'jscan build -o oci:DIR' writes an OCI layout");
    }
    List<ImageReference> refs = new ArrayList<>();
    for (String image : images) {
      refs.add(ImageReference.parse(image));
    }
    try (LocalStore store = StoreAccess.openStore()) {
      Transports transports = new Transports(store);
      List<DockerArchiveWriter.Item> items = new ArrayList<>();
      for (ImageReference ref : refs) {
        Artifact artifact = transports.read(ref);
        Optional<ImageName> name = StoreAccess.nameOf(ref);
        items.add(new DockerArchiveWriter.Item(artifact, name.map(List::of).orElse(List.of())));
      }
      DockerArchiveWriter.write(file, items, Platform.host(), store.diffIdRecords());
    }
    spec.commandLine().getErr().println("Saved " + refs.size() + (refs.size() == 1 ? " image" : " images") + " to " + file);
    return ExitCode.OK.code();
  }
}
