package io.jscan.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.text.Printable;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.Rfc3339;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.store.LocalStore;
import io.jscan.core.transport.store.StoreEntry;
import io.jscan.signing.oci.Conventions;
import io.jscan.signing.oci.FoundEvidence;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jscan images}: the local store's images. */
@Command(
    name = "images",
    description = {"List the images in the local store ($JSCAN_HOME).",
        "",
        "Each row has the repository, tag, digest, created, size, and what is attached to the image (signatures, attestations,"
            + " other artifacts such as SBOMs and provenance: counted, not verified).",
        "What is attached is not listed as an image (cosign's sha256-<hex>.sig/.att/.sbom tags, referrers) unless --all."})
final class ImagesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); json prints one document.",
      defaultValue = "text")
  StoreAccess.OutputFormat output;

  @Option(names = {"-a", "--all"}, description = "Also list what is attached to images (signature, attestation and SBOM tags, referrers).")
  boolean all;

  /** One row of the listing. */
  private record Row(Optional<ImageName> name, String digest, String mediaType, Optional<Instant> created, long size, Attached attached) {
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

  /**
   * What is attached to an image in the store, counted as a user of cosign thinks of it (nothing
   * here is verified: {@code jscan verify} says whether a signature counts).
   *
   * @param signatures layers of the repository's {@code .sig} manifest, and Sigstore bundle signatures
   * @param attestations layers of the {@code .att} manifest, and Sigstore bundle attestations
   * @param artifacts other referrers (unsigned SBOM and provenance statements, ...) and a {@code .sbom} tag
   */
  private record Attached(int signatures, int attestations, int artifacts) {
    static final Attached NONE = new Attached(0, 0, 0);

    String describe() {
      List<String> parts = new ArrayList<>();
      count(parts, signatures, "signature");
      count(parts, attestations, "attestation");
      count(parts, artifacts, "artifact");
      return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private static void count(List<String> parts, int n, String noun) {
      if (n > 0) {
        parts.add(n + " " + noun + (n == 1 ? "" : "s"));
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    List<Row> rows = new ArrayList<>();
    try (LocalStore store = StoreAccess.openStore()) {
      Map<Digest, List<Descriptor>> referrers = store.referrers().bySubject();
      List<StoreEntry> entries = store.list();
      Map<String, Descriptor> named = new java.util.HashMap<>();
      for (StoreEntry e : entries) {
        e.name().ifPresent(n -> named.put(n.toString(), e.descriptor()));
      }
      for (StoreEntry e : entries) {
        boolean attachment = LocalStore.isAttachment(e);
        if (attachment && !all) {
          continue; // a signature, attestation, SBOM or referrer of an image, not an image
        }
        Artifact artifact = store.layout().artifact(e.descriptor());
        Optional<Instant> created = artifact instanceof Image image && runnable(image) ? image.config().created() : Optional.empty();
        Attached attached = attachment ? Attached.NONE : attached(store, e, named, referrers);
        rows.add(new Row(e.name(), e.descriptor().digest().toString(), e.descriptor().mediaType(), created, StoreAccess.size(artifact),
            attached));
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
        ObjectNode attached = o.putObject("attached");
        attached.put("signatures", r.attached().signatures());
        attached.put("attestations", r.attached().attestations());
        attached.put("artifacts", r.attached().artifacts());
      }
      out.println(StoreAccess.JSON.writeValueAsString(root));
    } else {
      List<String[]> table = new ArrayList<>();
      table.add(new String[] {"REPOSITORY", "TAG", "DIGEST", "CREATED", "SIZE", "ATTACHED"});
      for (Row r : rows) {
        table.add(
            new String[] {
              r.familiarRepository(),
              r.tag(),
              r.digest().substring(0, Math.min(r.digest().length(), "sha256:".length() + 12)),
              r.created().map(Rfc3339::format).orElse("-"),
              StoreAccess.humanSize(r.size()),
              r.attached().describe()
            });
      }
      printTable(out, table);
    }
    out.flush();
    return ExitCode.OK.code();
  }

  /**
   * What is attached to the image of entry {@code e}: its repository's {@code .sig}, {@code .att}
   * and {@code .sbom} tags (cosign keeps them per repository) and the referrers of its digest.
   */
  private static Attached attached(LocalStore store, StoreEntry e, Map<String, Descriptor> named, Map<Digest, List<Descriptor>> referrers)
      throws OciException {
    Digest digest = e.descriptor().digest();
    int signatures = 0;
    int attestations = 0;
    int artifacts = 0;
    if (e.name().isPresent()) {
      ImageName name = e.name().get();
      signatures += layers(store, named.get(name.withTag(Conventions.signatureTag(digest)).toString()));
      attestations += layers(store, named.get(name.withTag(Conventions.attestationTag(digest)).toString()));
      artifacts += named.containsKey(name.withTag(Conventions.sbomTag(digest)).toString()) ? 1 : 0;
    }
    for (Descriptor r : referrers.getOrDefault(digest, List.of())) {
      Optional<FoundEvidence.Kind> kind = Conventions.bundleKind(r);
      if (kind.isEmpty()) {
        artifacts++;
      } else if (kind.get() == FoundEvidence.Kind.SIGNATURE) {
        signatures++;
      } else {
        attestations++;
      }
    }
    return new Attached(signatures, attestations, artifacts);
  }

  /** The layers of a {@code .sig}/{@code .att} manifest (each a signature or attestation), 0 when there is none. */
  private static int layers(LocalStore store, Descriptor tagged) throws OciException {
    if (tagged == null || !(store.layout().artifact(tagged) instanceof Image manifest)) {
      return 0;
    }
    return manifest.manifest().layers().size();
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

  /** Aligned columns; every cell escaped ({@link Printable}): names and tags come from stores and archives. */
  static void printTable(PrintWriter out, List<String[]> rawTable) {
    List<String[]> table = rawTable.stream().map(row -> java.util.Arrays.stream(row).map(Printable::escape).toArray(String[]::new)).toList();
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
