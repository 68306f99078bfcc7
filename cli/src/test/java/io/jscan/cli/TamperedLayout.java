package io.jscan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.image.Image;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Recipes that damage an OCI image layout on disk the way a faulty registry, disk or attacker
 * would, keeping everything else consistent so that each defect is the only one: a rewritten
 * config or manifest gets a new blob and the documents that point at it are updated to match.
 */
final class TamperedLayout {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String REF = "app";

  final Path dir;

  private TamperedLayout(Path dir) {
    this.dir = dir;
  }

  /** Writes {@code image} as {@code oci:DIR:app}. */
  static TamperedLayout write(Image image, Path dir) throws OciException {
    OciLayout.create(dir).write(image, Optional.of(REF));
    return new TamperedLayout(dir);
  }

  String reference() {
    return "oci:" + dir + ":" + REF;
  }

  Path blob(String digest) {
    Digest d = Digest.parse(digest);
    return dir.resolve("blobs").resolve(d.algorithm()).resolve(d.encoded());
  }

  ObjectNode index() throws IOException {
    return (ObjectNode) JSON.readTree(dir.resolve("index.json").toFile());
  }

  ObjectNode manifestDescriptor() throws IOException {
    return (ObjectNode) index().get("manifests").get(0);
  }

  ObjectNode manifest() throws IOException {
    return (ObjectNode) JSON.readTree(blob(manifestDescriptor().get("digest").asText()).toFile());
  }

  ObjectNode config() throws IOException {
    return (ObjectNode) JSON.readTree(blob(manifest().get("config").get("digest").asText()).toFile());
  }

  /** The blob file of layer {@code position} (from 1). */
  Path layerBlob(int position) throws IOException {
    return blob(manifest().get("layers").get(position - 1).get("digest").asText());
  }

  private String writeBlob(byte[] bytes) throws IOException {
    Digest d = Digest.sha256(bytes);
    Files.write(blob(d.toString()), bytes);
    return d.toString();
  }

  /** Rewrites the manifest and points index.json at the new one. */
  void editManifest(Consumer<ObjectNode> change) throws IOException {
    ObjectNode m = manifest();
    change.accept(m);
    byte[] bytes = JSON.writeValueAsBytes(m);
    String digest = writeBlob(bytes);
    ObjectNode index = index();
    ObjectNode d = (ObjectNode) index.get("manifests").get(0);
    d.put("digest", digest);
    d.put("size", bytes.length);
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
  }

  /** Rewrites the config, then the manifest that names it. */
  void editConfig(Consumer<ObjectNode> change) throws IOException {
    ObjectNode c = config();
    change.accept(c);
    byte[] bytes = JSON.writeValueAsBytes(c);
    String digest = writeBlob(bytes);
    editManifest(m -> {
      ObjectNode cd = (ObjectNode) m.get("config");
      cd.put("digest", digest);
      cd.put("size", bytes.length);
    });
  }

  /** Changes what index.json says the manifest's media type is, leaving the manifest alone. */
  void editIndexEntryMediaType(String mediaType) throws IOException {
    ObjectNode index = index();
    ((ObjectNode) index.get("manifests").get(0)).put("mediaType", mediaType);
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
  }

  static void reverse(ArrayNode array) {
    java.util.List<JsonNode> items = new java.util.ArrayList<>();
    array.forEach(items::add);
    array.removeAll();
    for (int i = items.size() - 1; i >= 0; i--) {
      array.add(items.get(i));
    }
  }
}
