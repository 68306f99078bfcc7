package io.jscan.core.transport.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.core.image.ArtifactBlobs;
import io.jscan.core.image.DiffIdRecords;
import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Descriptor;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.json.OciJson;
import io.jscan.core.transport.ocilayout.OciLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The builder's layer cache: a content-addressed index from a key (a digest the builder computes
 * from a build step's inputs) to a layer blob kept in the store, with its diff_id.
 *
 * <p>Each entry is a small file {@code .jscan/layer-cache/<alg>/<encoded>.json}, written
 * atomically after its blob, so an entry never points at a missing blob because of a crash. Entries
 * are roots of the store's garbage collection: a cached layer stays until its entry is removed.
 *
 * <pre>{@code
 * Digest key = ...;  // e.g. sha256 of the parent ChainID and the step's canonical description
 * Optional<LayerCache.CachedLayer> hit = store.layerCache().lookup(key);
 * Layer layer = hit.isPresent() ? hit.get().layer() : store.layerCache().put(key, buildLayer()).layer();
 * }</pre>
 */
public final class LayerCache {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A cache hit: the key and the layer, whose blob is in the store. */
  public record CachedLayer(Digest key, Layer layer) {
    public Descriptor descriptor() {
      return layer.descriptor();
    }

    public Digest diffId() {
      return layer.diffId();
    }
  }

  private final LocalStore store;
  private final Path dir;

  LayerCache(LocalStore store, Path dir) {
    this.store = store;
    this.dir = dir;
  }

  private Path entryFile(Digest key) {
    return dir.resolve(key.algorithm()).resolve(key.encoded() + ".json");
  }

  /** The layer cached under {@code key}, if its entry and blob are both there. */
  public Optional<CachedLayer> lookup(Digest key) throws OciException {
    Path file = entryFile(key);
    Optional<byte[]> read = readEntry(file);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = read.get();
    Entry entry = parse(bytes, "layer cache entry " + file);
    if (!entry.key().equals(key)) {
      throw OciException.integrity("layer cache entry " + file, "holds key " + entry.key() + ", not " + key);
    }
    OciLayout layout = store.layout();
    if (!layout.hasBlob(entry.layer().digest())) {
      return Optional.empty();
    }
    return Optional.of(
        new CachedLayer(key, Layers.fromFile(layout.blobPath(entry.layer().digest()), entry.layer(), entry.diffId())));
  }

  /**
   * Stores {@code layer}'s blob (verified as it is copied) and records it under {@code key},
   * replacing an earlier entry. Safe against concurrent garbage collection and other writers.
   */
  public CachedLayer put(Digest key, Layer layer) throws OciException {
    Descriptor d = layer.descriptor().bare();
    try (FileLocks.Held gc = store.lockForWriting()) {
      // checked against its diff_id as it is copied (and recorded): the layer may come from anywhere
      Optional<ArtifactBlobs.LayerContent> content =
          MediaTypes.layerCompression(d.mediaType()).map(c -> new ArtifactBlobs.LayerContent(c, layer.diffId(), "layer"));
      store.layout().writeBlob(new ArtifactBlobs.Blob(d, layer::openCompressed, content));
      AtomicFiles.write(entryFile(key), render(new Entry(key, d, layer.diffId())), store.tempDir());
    } catch (IOException e) {
      throw OciException.io("layer cache " + key, e);
    }
    OciLayout layout = store.layout();
    return new CachedLayer(key, Layers.fromFile(layout.blobPath(d.digest()), d, layer.diffId()));
  }

  /**
   * As {@link #put}, for a layer whose blob was just written to {@code file} in the store's
   * {@link LocalStore#tempDir()} (same file system): the file is synced and renamed into place
   * instead of copied, which saves a second write of large layers. The caller vouches that the
   * file holds {@code layer}'s blob (it computed the digest while writing it); its size is checked.
   */
  public CachedLayer adopt(Digest key, Layer layer, Path file) throws OciException {
    Descriptor d = layer.descriptor().bare();
    OciLayout layout = store.layout();
    Path target = layout.blobPath(d.digest());
    try (FileLocks.Held gc = store.lockForWriting()) {
      if (Files.size(file) != d.size()) {
        throw OciException.integrity("layer file " + file, "size " + Files.size(file) + ", expected " + d.size());
      }
      if (Files.isRegularFile(target)) {
        Files.deleteIfExists(file);
      } else {
        Files.createDirectories(target.getParent());
        AtomicFiles.force(file);
        AtomicFiles.publish(file, target);
      }
      AtomicFiles.write(entryFile(key), render(new Entry(key, d, layer.diffId())), store.tempDir());
      remember(d, layer.diffId());
    } catch (IOException e) {
      throw OciException.io("layer cache " + key, e);
    }
    return new CachedLayer(key, Layers.fromFile(target, d, layer.diffId()));
  }

  /**
   * The builder made this layer ({@link #adopt}: it computed the diff_id from the tar it compressed, and the
   * digest from the bytes it wrote), so exporting or pushing an image with it need not decompress
   * it again to check it.
   */
  private void remember(Descriptor d, Digest diffId) {
    MediaTypes.layerCompression(d.mediaType()).ifPresent(c -> store.diffIdRecords().remember(d.digest(), new DiffIdRecords.Known(c, diffId)));
  }

  /** Forgets {@code key}; its blob goes at the next garbage collection unless an image uses it. */
  public boolean remove(Digest key) throws OciException {
    try {
      return Files.deleteIfExists(entryFile(key));
    } catch (IOException e) {
      throw OciException.io("layer cache " + key, e);
    }
  }

  /** Every entry's key. */
  public List<Digest> keys() throws OciException {
    List<Digest> keys = new ArrayList<>();
    for (Entry e : entries()) {
      keys.add(e.key());
    }
    return keys;
  }

  /** The blobs the cache keeps alive (garbage-collection roots). */
  List<Digest> roots() throws OciException {
    List<Digest> roots = new ArrayList<>();
    for (Entry e : entries()) {
      roots.add(e.layer().digest());
    }
    return roots;
  }

  private List<Entry> entries() throws OciException {
    List<Entry> result = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return result;
    }
    try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(dir)) {
      for (Path alg : algorithms) {
        if (!Files.isDirectory(alg)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(alg, "*.json")) {
          for (Path f : files) {
            Optional<byte[]> read = readEntry(f); // empty: removed meanwhile
            if (read.isPresent()) {
              result.add(parse(read.get(), "layer cache entry " + f));
            }
          }
        }
      }
    } catch (IOException e) {
      throw OciException.io("layer cache " + dir, e);
    }
    return result;
  }

  /** An entry file's bytes, empty when there is none; a FIFO or a device planted in the store is refused, never opened. */
  private static Optional<byte[]> readEntry(Path file) throws OciException {
    try {
      return BoundedFiles.readIfExists(file, InputLimit.LAYER_CACHE_ENTRY);
    } catch (InputFileException e) {
      throw new OciException(e.kind(), "layer cache entry " + file, e.detail(), e);
    }
  }

  private record Entry(Digest key, Descriptor layer, Digest diffId) {}

  private static byte[] render(Entry e) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("key", e.key().toString());
      g.writeFieldName("layer");
      g.writeRawValue(new String(OciJson.write(e.layer()), StandardCharsets.UTF_8));
      g.writeStringField("diffId", e.diffId().toString());
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static Entry parse(byte[] bytes, String what) throws OciException {
    try {
      JsonNode root = JSON.readTree(bytes);
      JsonNode key = root == null ? null : root.get("key");
      JsonNode layer = root == null ? null : root.get("layer");
      JsonNode diffId = root == null ? null : root.get("diffId");
      if (key == null || !key.isTextual() || layer == null || !layer.isObject() || diffId == null || !diffId.isTextual()) {
        throw OciException.badInput(what, "expected {key, layer, diffId}");
      }
      return new Entry(
          Digest.parse(key.textValue()),
          OciJson.parseDescriptor(JSON.writeValueAsBytes(layer), what + ": layer"),
          Digest.parse(diffId.textValue()));
    } catch (IOException | IllegalArgumentException e) {
      throw OciException.badInput(what, "unreadable: " + e.getMessage());
    }
  }
}
