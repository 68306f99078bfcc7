package io.jscan.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run for the class-data sharing archive that {@code ./jscan} keeps (see the launcher
 * and BENCHMARKS.md): runs the everyday commands once, in one JVM, on a throwaway store and
 * context in {@code DIR}, so that {@code -XX:DumpLoadedClassList} lists the classes they load.
 *
 * <p>Why one JVM and not one per command: the JDK's class list records lambda and method-handle
 * shapes per run, and lists of several runs cannot simply be joined (JDK 17's dump crashed on a
 * joined list). Why a static archive at all: picocli is compiled for Java 5, and the JVM's
 * dynamic archive ({@code -XX:ArchiveClassesAtExit}) leaves out classes that old, which made
 * picocli's 180 classes most of a short command's start-up.
 *
 * <p>Not a user command: nothing in {@code jscan --help} leads here. Failures are ignored, since
 * a command that fails still loaded its classes; the exit code says only whether {@code DIR} was usable.
 */
public final class StartupTraining {
  private StartupTraining() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: StartupTraining DIR");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    Path context = dir.resolve("context");
    Files.createDirectories(context.resolve("app"));
    Files.writeString(context.resolve("Dockerfile"), String.join("\n",
        "FROM scratch",
        "ARG VERSION=1",
        "LABEL org.opencontainers.image.title=training maintainer=jscan",
        "COPY app/ /app/",
        "ENV PATH=/app",
        "WORKDIR /app",
        "USER 1000",
        "CMD [\"/app/run\"]",
        ""), StandardCharsets.UTF_8);
    for (int i = 0; i < 20; i++) {
      Files.writeString(context.resolve("app/file" + i + ".txt"), "training file " + i + "\n", StandardCharsets.UTF_8);
    }
    // the store comes from -Djscan.home before $JSCAN_HOME: the property keeps the training out of
    // the user's store whatever the environment says
    System.setProperty(io.jscan.core.transport.store.LocalStore.HOME_PROPERTY, dir.resolve("home").toString());
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SOURCE_DATE_EPOCH", "0");
    String archive = dir.resolve("image.tar").toString();
    List<String[]> commands = new ArrayList<>();
    commands.add(new String[] {"--version"});
    commands.add(new String[] {"build", "-q", "-t", "training:1", context.toString()});
    commands.add(new String[] {"build", "-q", "-t", "training:1", context.toString()}); // the cached path
    commands.add(new String[] {"images"});
    commands.add(new String[] {"inspect", "training:1"});
    commands.add(new String[] {"sbom", "training:1"});
    commands.add(new String[] {"verify", "training:1"});
    commands.add(new String[] {"verify", "--output", "json", "training:1"});
    commands.add(new String[] {"save", "training:1", "-o", archive});
    commands.add(new String[] {"load", "-i", archive});
    commands.add(new String[] {"tag", "training:1", "training:2"});
    commands.add(new String[] {"rmi", "training:2"});
    PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    for (String[] command : commands) {
      Jscan.run(discard, discard, env, command);
    }
  }
}
