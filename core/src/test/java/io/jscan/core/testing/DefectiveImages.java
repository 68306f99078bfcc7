package io.jscan.core.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.io.Compressions;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.MediaTypes.Compression;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recipes for images whose every digest and size matches but which {@code jscan verify} rejects for
 * a layer's compression or diff_id, and a writer that puts them on disk without going through
 * jscan's sinks (which refuse them). Each image has a good first layer and the defect in the layer
 * its recipe names, so messages must name the right layer. {@code tag} makes the content unique, so
 * tests never share a blob by accident.
 */
public final class DefectiveImages {
  private DefectiveImages() {}

  static final ObjectMapper JSON = new ObjectMapper();

  /** A defective image and how {@code verify} and the copy commands must describe it. */
  public record Defect(Image image, int layer, Descriptor badLayer, String failure) {}

  private static byte[] tarOf(String tag, int layer) {
    return TarBuilder.tar().file("layer" + layer + ".txt", "layer " + layer + " of " + tag + "\n".repeat(200)).build();
  }

  private static byte[] compress(byte[] tar, Compression c) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream z = Compressions.compress(out, c)) {
        z.write(tar);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Image image(Layer... layers) throws OciException {
    ImageBuilder b = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(Instant.parse("2024-01-02T03:04:05Z"));
    for (Layer l : layers) {
      b.addLayer(l, new History(Optional.of(Instant.EPOCH), Optional.of("COPY . /"), Optional.empty(), Optional.empty(), false));
    }
    return b.build();
  }

  private static Layer good(String tag) throws OciException {
    return Layers.compress(tarOf(tag, 1), Compression.GZIP);
  }

  /** Layer 2's diff_id in the config is the digest of other content. */
  public static Defect wrongDiffId(String tag) throws OciException {
    byte[] tar = tarOf(tag, 2);
    Layer bad = Layers.fromBytes(compress(tar, Compression.GZIP), MediaTypes.OCI_LAYER_GZIP, Digest.sha256("not the layer " + tag));
    return new Defect(image(good(tag), bad), 2, bad.descriptor(), "digest mismatch: expected " + bad.diffId() + ", got " + Digest.sha256(tar));
  }

  /** Layer 2 is a gzip member cut short (its trailer and the end of its deflate data gone); the descriptor's digest is of the cut bytes. */
  public static Defect truncatedGzip(String tag) throws OciException {
    byte[] tar = tarOf(tag, 2);
    byte[] gzip = compress(tar, Compression.GZIP);
    byte[] cut = Arrays.copyOf(gzip, gzip.length - 20);
    Layer bad = Layers.fromBytes(cut, MediaTypes.OCI_LAYER_GZIP, Digest.sha256(tar));
    return new Defect(image(good(tag), bad), 2, bad.descriptor(), "the gzip data is truncated");
  }

  /** Layer 2 is zstd-compressed but its media type says gzip (its diff_id is right). */
  public static Defect zstdLabelledGzip(String tag) throws OciException {
    byte[] tar = tarOf(tag, 2);
    Layer bad = Layers.fromBytes(compress(tar, Compression.ZSTD), MediaTypes.OCI_LAYER_GZIP, Digest.sha256(tar));
    return new Defect(image(good(tag), bad), 2, bad.descriptor(),
        "compression mismatch: the media type declares gzip but the content is zstd");
  }

  /** Layer 2 is an uncompressed tar whose diff_id (which must be its digest) is another digest. */
  public static Defect uncompressedWithWrongDiffId(String tag) throws OciException {
    byte[] tar = tarOf(tag, 2);
    Layer bad = Layers.fromBytes(tar, MediaTypes.OCI_LAYER, Digest.sha256("not the layer " + tag));
    return new Defect(image(good(tag), bad), 2, bad.descriptor(), "digest mismatch: expected " + bad.diffId() + ", got " + Digest.sha256(tar));
  }

  /** Layer 2 is gzip-compressed but its media type says uncompressed. */
  public static Defect gzipLabelledUncompressed(String tag) throws OciException {
    byte[] tar = tarOf(tag, 2);
    byte[] gzip = compress(tar, Compression.GZIP);
    Layer bad = Layers.fromBytes(gzip, MediaTypes.OCI_LAYER, Digest.sha256(gzip));
    return new Defect(image(good(tag), bad), 2, bad.descriptor(),
        "compression mismatch: the media type declares uncompressed but the content is gzip");
  }

  /** The three defects issue 16 names, and the two of uncompressed layers. */
  public static List<Defect> all(String tag) throws OciException {
    return List.of(wrongDiffId(tag + "-diff-id"), truncatedGzip(tag + "-truncated"), zstdLabelledGzip(tag + "-zstd"),
        uncompressedWithWrongDiffId(tag + "-tar-diff-id"), gzipLabelledUncompressed(tag + "-gzip-as-tar"));
  }

  // ---------------------------------------------------------------- writing them without jscan's sinks

  /** Every blob of {@code image} (layers, config, manifest), by digest, read as they are. */
  public static Map<Digest, byte[]> blobs(Image image) throws OciException {
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    try {
      for (Descriptor d : image.manifest().layers()) {
        try (InputStream in = image.openBlob(d)) {
          blobs.put(d.digest(), in.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    blobs.put(image.manifest().config().digest(), image.configBytes());
    blobs.put(image.digest(), image.manifestBytes());
    return blobs;
  }

  /**
   * Adds {@code image} to the OCI layout at {@code dir} (created when missing) under {@code refName}
   * by writing its files directly, as another tool (or an older jscan) might have: blobs, then an
   * entry appended to index.json.
   */
  public static void writeLayout(Image image, Path dir, String refName) throws IOException, OciException {
    Path blobsDir = dir.resolve("blobs").resolve("sha256");
    Files.createDirectories(blobsDir);
    if (!Files.exists(dir.resolve("oci-layout"))) {
      Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }
    for (Map.Entry<Digest, byte[]> b : blobs(image).entrySet()) {
      Files.write(blobsDir.resolve(b.getKey().encoded()), b.getValue());
    }
    ObjectNode index = Files.exists(dir.resolve("index.json"))
        ? (ObjectNode) JSON.readTree(dir.resolve("index.json").toFile())
        : JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = index.has("manifests") ? (ArrayNode) index.get("manifests") : index.putArray("manifests");
    ObjectNode entry = manifests.addObject()
        .put("mediaType", image.descriptor().mediaType())
        .put("digest", image.digest().toString())
        .put("size", image.descriptor().size());
    entry.putObject("annotations").put("org.opencontainers.image.ref.name", refName);
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
  }

  /**
   * A docker-archive of {@code image} in Docker 25's layout (manifest.json beside an OCI layout), made
   * with {@link TarBuilder}, named {@code repoTag}.
   */
  public static void writeDockerArchive(Image image, Path file, String repoTag) throws IOException, OciException {
    TarBuilder tar = TarBuilder.tar().dir("blobs").dir("blobs/sha256");
    for (Map.Entry<Digest, byte[]> b : blobs(image).entrySet()) {
      tar.file("blobs/sha256/" + b.getKey().encoded(), b.getValue());
    }
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX);
    ObjectNode entry = index.putArray("manifests").addObject()
        .put("mediaType", image.descriptor().mediaType())
        .put("digest", image.digest().toString())
        .put("size", image.descriptor().size());
    entry.putObject("annotations")
        .put("io.containerd.image.name", repoTag)
        .put("org.opencontainers.image.ref.name", repoTag.substring(repoTag.lastIndexOf(':') + 1));
    tar.file("index.json", JSON.writeValueAsString(index));
    tar.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    ArrayNode manifestJson = JSON.createArrayNode();
    ObjectNode m = manifestJson.addObject();
    m.put("Config", "blobs/sha256/" + image.manifest().config().digest().encoded());
    m.putArray("RepoTags").add(repoTag);
    ArrayNode layers = m.putArray("Layers");
    for (Descriptor d : image.manifest().layers()) {
      layers.add("blobs/sha256/" + d.digest().encoded());
    }
    tar.file("manifest.json", new String(JSON.writeValueAsBytes(manifestJson), StandardCharsets.UTF_8));
    Files.write(file, tar.build());
  }
}
