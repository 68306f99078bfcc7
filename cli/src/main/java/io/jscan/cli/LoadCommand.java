package io.jscan.cli;

import io.jscan.core.image.Image;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.dockerarchive.DockerArchive;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jscan load -i FILE}: import every image of a docker-archive into the local store. */
@Command(
    name = "load",
    description = {
      "Load the images of a docker-archive (docker save output, classic or Docker 25+) into the local store.",
      "",
      "Each blob is checked against its digest, and each layer against its compression and diff_id, as it is copied;"
          + " an image that fails is not named."
    })
final class LoadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE", description = "The archive to read.")
  Path file;

  @Override
  public Integer call() throws Exception {
    DockerArchive archive = DockerArchive.open(file);
    PrintWriter out = spec.commandLine().getOut();
    try (LocalStore store = StoreAccess.openStore()) {
      for (int i = 0; i < archive.entries().size(); i++) {
        Image image = archive.image(i);
        List<ImageName> names = archive.names(i);
        store.write(image, names);
        if (names.isEmpty()) {
          out.println("Loaded image: " + image.digest());
        }
        for (ImageName name : names) {
          out.println("Loaded image: " + name);
        }
      }
    }
    out.flush();
    return ExitCode.OK.code();
  }
}
