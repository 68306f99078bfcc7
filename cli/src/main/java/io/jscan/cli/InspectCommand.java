package io.jscan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.image.Artifact;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageIndex;
import io.jscan.core.image.Images;
import io.jscan.core.image.Layer;
import io.jscan.core.text.Printable;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.ImageConfig;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.oci.json.Rfc3339;
import io.jscan.core.transport.ImageCopy;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.Transports;
import io.jscan.core.transport.registry.TransferListener;
import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jscan inspect IMAGE}: manifest, config, layers and history of an image from any source. */
@Command(
    name = "inspect",
    description = {
      "Show an image's manifest, config, layers and history.",
      "",
      "IMAGE is a local image name (myapp:1.0, sha256:…), oci:DIR[:REF|@DIGEST], docker-archive:FILE[:NAME:TAG]"
          + " or docker://NAME. A name is looked up in the local store first, then in its registry; the output says which"
          + " copy it shows and, for the store's copy of registry.example/app:1, what the registry's tag names."
    })
final class InspectCommand implements Callable<Integer>, Jscan.EnvironmentAware {
  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin RegistryMixin registry;

  @picocli.CommandLine.Mixin TimeoutMixin time;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> environment) {
    this.env = environment;
  }

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to inspect.")
  String image;

  @Option(
      names = "--output",
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); json prints one document.",
      defaultValue = "text")
  StoreAccess.OutputFormat output;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "For an index: inspect the image of this platform.")
  String platform;

  @Override
  public Integer call() throws Exception {
    io.jscan.core.Deadline deadline = time.start(env);
    ImageReference ref = ImageReference.parse(image);
    Platform wanted = null;
    if (platform != null) {
      try {
        wanted = Platform.parse(platform);
      } catch (IllegalArgumentException e) {
        throw OciException.badInput("--platform", e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    try (LocalStore store = StoreAccess.openStore()) {
      Transports transports = new Transports(store, registry.client(env, TransferListener.NONE, deadline));
      Transports.Resolved resolved = transports.resolve(ref);
      CompletableFuture<ImageCopy> comparing = transports.compareInBackground(resolved);
      Artifact artifact = resolved.artifact();
      if (wanted != null) {
        artifact = Images.forPlatform(artifact, wanted);
      }
      if (output == StoreAccess.OutputFormat.json) {
        ObjectNode root = json(ref, artifact);
        root.set("copy", StoreAccess.JSON.valueToTree(comparing.join().toJson()));
        out.println(StoreAccess.JSON.writeValueAsString(root));
      } else if (artifact instanceof Image img) {
        text(out, ref, img, comparing.join());
      } else {
        text(out, ref, (ImageIndex) artifact, comparing.join());
      }
      StoreAccess.warnAboutCopy(spec.commandLine().getErr(), comparing.join(), "inspected");
    }
    out.flush();
    spec.commandLine().getErr().flush();
    return ExitCode.OK.code();
  }

  private static ObjectNode json(ImageReference ref, Artifact artifact) throws Exception {
    ObjectNode root = StoreAccess.JSON.createObjectNode();
    root.put("reference", ref.toString());
    root.put("digest", artifact.descriptor().digest().toString());
    root.put("mediaType", artifact.descriptor().mediaType());
    root.put("size", artifact.descriptor().size());
    JsonNode manifest = StoreAccess.JSON.readTree(artifact.manifestBytes());
    if (artifact instanceof Image img) {
      root.set("manifest", manifest);
      root.set("config", StoreAccess.JSON.readTree(img.configBytes()));
      ArrayNode layers = root.putArray("layers");
      for (Layer layer : img.layers()) {
        ObjectNode l = layers.addObject();
        l.put("digest", layer.descriptor().digest().toString());
        l.put("mediaType", layer.descriptor().mediaType());
        l.put("size", layer.descriptor().size());
        l.put("diffId", layer.diffId().toString());
      }
      ArrayNode history = root.putArray("history");
      for (History h : img.config().history()) {
        ObjectNode o = history.addObject();
        h.created().ifPresent(c -> o.put("created", Rfc3339.format(c)));
        h.createdBy().ifPresent(c -> o.put("createdBy", c));
        h.author().ifPresent(c -> o.put("author", c));
        h.comment().ifPresent(c -> o.put("comment", c));
        o.put("emptyLayer", h.emptyLayer());
      }
    } else {
      root.set("index", manifest);
    }
    return root;
  }

  /** Which copy was read (the local store's or the registry's, ...) and, for the store's, what the registry holds. */
  private static void copy(PrintWriter out, ImageCopy copy) {
    line(out, "Copy:       " + copy.describe());
    if (copy.origin() == ImageCopy.Origin.STORE) {
      line(out, "Registry:   " + copy.comparisonSummary());
    }
  }

  private static void text(PrintWriter out, ImageReference ref, Image img, ImageCopy from) throws OciException {
    ImageConfig config = img.config();
    line(out, "Reference:  " + ref);
    copy(out, from);
    line(out, "Digest:     " + img.descriptor().digest());
    line(out, "MediaType:  " + img.descriptor().mediaType());
    line(out, "Platform:   " + config.platform());
    line(out, "Created:    " + config.created().map(Rfc3339::format).orElse("-"));
    config.author().ifPresent(a -> line(out, "Author:     " + a));
    Descriptor c = img.manifest().config();
    line(out, "Config:     " + c.digest() + " (" + c.mediaType() + ", " + c.size() + " bytes)");
    ContainerConfig cc = config.config();
    cc.user().ifPresent(u -> line(out, "  User:        " + u));
    if (!cc.env().isEmpty()) {
      line(out, "  Env:");
      cc.env().forEach(e -> line(out, "    " + e));
    }
    cc.entrypoint().ifPresent(e -> line(out, "  Entrypoint:  " + e));
    cc.cmd().ifPresent(e -> line(out, "  Cmd:         " + e));
    cc.workingDir().ifPresent(w -> line(out, "  WorkingDir:  " + w));
    if (!cc.exposedPorts().isEmpty()) {
      line(out, "  Ports:       " + String.join(" ", cc.exposedPorts()));
    }
    if (!cc.volumes().isEmpty()) {
      line(out, "  Volumes:     " + String.join(" ", cc.volumes()));
    }
    cc.stopSignal().ifPresent(s -> line(out, "  StopSignal:  " + s));
    if (!cc.labels().isEmpty()) {
      line(out, "  Labels:");
      for (Map.Entry<String, String> e : cc.labels().entrySet()) {
        line(out, "    " + e.getKey() + "=" + e.getValue());
      }
    }
    List<Layer> layers = img.layers();
    line(out, "Layers:     " + layers.size());
    for (int i = 0; i < layers.size(); i++) {
      Descriptor d = layers.get(i).descriptor();
      line(out, 
          "  " + (i + 1) + "  " + d.digest() + "  " + d.mediaType() + "  " + StoreAccess.humanSize(d.size())
              + "  diff_id " + layers.get(i).diffId());
    }
    line(out, "History:    " + config.history().size());
    for (History h : config.history()) {
      line(out, 
          "  " + h.created().map(Rfc3339::format).orElse("-") + "  " + h.createdBy().orElse("")
              + (h.emptyLayer() ? "  (no layer)" : ""));
    }
  }

  private static void text(PrintWriter out, ImageReference ref, ImageIndex index, ImageCopy from) throws OciException {
    line(out, "Reference:  " + ref);
    copy(out, from);
    line(out, "Digest:     " + index.descriptor().digest());
    line(out, "MediaType:  " + index.descriptor().mediaType());
    List<Descriptor> manifests = index.index().manifests();
    line(out, "Manifests:  " + manifests.size());
    for (Descriptor d : manifests) {
      line(out, "  " + d.digest() + "  " + d.platform().map(Platform::toString).orElse("-") + "  " + d.mediaType());
    }
  }

  /**
   * One line of the text output. Everything in it may come from the image (labels, environment,
   * history, media types, the registry's answers): escaped ({@link Printable}), so that nothing an
   * image holds acts on the terminal. The JSON output keeps the exact strings.
   */
  private static void line(PrintWriter out, String text) {
    out.println(Printable.escape(text));
  }
}
