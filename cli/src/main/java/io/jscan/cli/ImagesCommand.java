package io.jscan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.oci.json.Rfc3339;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.core.transport.store.StoreEntry;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jscan images}: the local store's images. */
@Command(
    name = "images",
    description = "List the images in the local store ($JSCAN_HOME): repository, tag, digest, created, size.")
final class ImagesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); json prints one document.",
      defaultValue = "text")
  StoreAccess.OutputFormat output;

  /** One row of the listing. */
  private record Row(Optional<ImageName> name, String digest, String mediaType, Optional<Instant> created, long size) {
    String repository() {
      return name.map(ImageName::repository).orElse("<none>");
    }

    String familiarRepository() {
      return name.map(n -> n.withoutDigest().familiar()).map(f -> f.substring(0, f.lastIndexOf(':'))).orElse("<none>");
    }

    String tag() {
      return name.flatMap(ImageName::tag).orElse("<none>");
    }
  }

  @Override
  public Integer call() throws Exception {
    List<Row> rows = new ArrayList<>();
    try (LocalStore store = StoreAccess.openStore()) {
      for (StoreEntry e : store.list()) {
        if (e.name().isEmpty() && e.descriptor().artifactType().isPresent()) {
          continue; // an SBOM or provenance attached to an image (LocalStore.referrers), not an image
        }
        Artifact artifact = store.layout().artifact(e.descriptor());
        Optional<Instant> created = artifact instanceof Image image && runnable(image) ? image.config().created() : Optional.empty();
        rows.add(
            new Row(e.name(), e.descriptor().digest().toString(), e.descriptor().mediaType(), created, StoreAccess.size(artifact)));
      }
    }
    rows.sort(Comparator.comparing(Row::repository).thenComparing(Row::tag).thenComparing(Row::digest));
    PrintWriter out = spec.commandLine().getOut();
    if (output == StoreAccess.OutputFormat.json) {
      ObjectNode root = StoreAccess.JSON.createObjectNode();
      ArrayNode images = root.putArray("images");
      for (Row r : rows) {
        ObjectNode o = images.addObject();
        if (r.name().isPresent()) {
          o.put("name", r.name().get().toString());
          o.put("repository", r.repository());
          o.put("tag", r.tag());
        } else {
          o.putNull("name");
          o.putNull("repository");
          o.putNull("tag");
        }
        o.put("digest", r.digest());
        o.put("mediaType", r.mediaType());
        if (r.created().isPresent()) {
          o.put("created", Rfc3339.format(r.created().get()));
        } else {
          o.putNull("created");
        }
        o.put("size", r.size());
      }
      out.println(StoreAccess.JSON.writeValueAsString(root));
    } else {
      List<String[]> table = new ArrayList<>();
      table.add(new String[] {"REPOSITORY", "TAG", "DIGEST", "CREATED", "SIZE"});
      for (Row r : rows) {
        table.add(
            new String[] {
              r.familiarRepository(),
              r.tag(),
              r.digest().substring(0, Math.min(r.digest().length(), "sha256:".length() + 12)),
              r.created().map(Rfc3339::format).orElse("-"),
              StoreAccess.humanSize(r.size())
            });
      }
      printTable(out, table);
    }
    out.flush();
    return ExitCode.OK.code();
  }

  /**
   * Whether an image manifest is a runnable image (an image config and filesystem layers), not an
   * artifact stored like one: cosign's signature and attestation manifests have a config with an
   * empty architecture and layers that are not tars, and have no creation time worth showing.
   */
  private static boolean runnable(Image image) throws io.jscan.core.oci.OciException {
    var m = image.manifest();
    boolean imageConfig = m.config().mediaType().equals(io.jscan.core.oci.MediaTypes.OCI_CONFIG)
        || m.config().mediaType().equals(io.jscan.core.oci.MediaTypes.DOCKER_CONFIG);
    return imageConfig && m.layers().stream().allMatch(l -> io.jscan.core.oci.MediaTypes.isLayer(l.mediaType()));
  }

  static void printTable(PrintWriter out, List<String[]> table) {
    int[] widths = new int[table.get(0).length];
    for (String[] row : table) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : table) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 3));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
