package io.jscan.core.transport.registry;

import io.jscan.core.text.FileExcerpts;
import io.jscan.core.text.Printable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.io.AtomicFiles;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import io.jscan.core.transport.ImageName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code jscan.lock}: the digests a build's base images were pinned to, kept beside the
 * Dockerfile so that later builds (and provenance) use exactly those bytes.
 *
 * <pre>{@code
 * {
 *   "lockVersion": 1,
 *   "images": {
 *     "docker.io/library/alpine:3.19": {
 *       "digest": "sha256:…",                         // what the tag named: index or manifest
 *       "platforms": { "linux/amd64": "sha256:…" }    // the image manifest used per platform
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Keys are fully normalised names; the file is written sorted and indented, so the same pins
 * always give the same bytes (and clean diffs), atomically (temp file, rename). Values are
 * immutable: {@link #with} returns a new lock.
 */
public final class ImageLock {
  public static final String FILE_NAME = "jscan.lock";
  public static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One pinned reference. */
  public record Entry(Digest digest, Map<String, Digest> platforms) {
    public Entry {
      if (digest == null) {
        throw new IllegalArgumentException("a lock entry needs a digest");
      }
      platforms = Map.copyOf(new TreeMap<>(platforms));
    }

    public Optional<Digest> forPlatform(Platform platform) {
      return Optional.ofNullable(platforms.get(platform.normalized().toString()));
    }

    public Entry withPlatform(Platform platform, Digest image) {
      Map<String, Digest> p = new TreeMap<>(platforms);
      p.put(platform.normalized().toString(), image);
      return new Entry(digest, p);
    }
  }

  private final Map<String, Entry> entries;

  private ImageLock(Map<String, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  public static ImageLock empty() {
    return new ImageLock(Map.of());
  }

  public Map<String, Entry> entries() {
    return new TreeMap<>(entries);
  }

  public Optional<Entry> get(ImageName reference) {
    return Optional.ofNullable(entries.get(reference.toString()));
  }

  public ImageLock with(ImageName reference, Entry entry) {
    Map<String, Entry> e = new TreeMap<>(entries);
    e.put(reference.toString(), entry);
    return new ImageLock(e);
  }

  /** The lock in {@code file}; empty when there is no such file. */
  public static Optional<ImageLock> read(Path file) throws OciException {
    byte[] bytes;
    try {
      Optional<byte[]> read = BoundedFiles.readIfExists(file, InputLimit.IMAGE_LOCK);
      if (read.isEmpty()) {
        return Optional.empty();
      }
      bytes = read.get();
    } catch (InputFileException e) {
      throw new OciException(e.kind(), e.what(), e.detail(), e);
    }
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.isObject()) {
        throw OciException.badInput(file.toString(), "not a JSON object");
      }
      JsonNode version = root.get("lockVersion");
      if (version == null || !version.isInt() || version.asInt() != VERSION) {
        throw OciException.badInput(file.toString(), "unsupported lockVersion (expected " + VERSION + ")");
      }
      Map<String, Entry> entries = new TreeMap<>();
      JsonNode images = root.get("images");
      if (images != null && !images.isObject()) {
        throw OciException.badInput(file.toString(), "\"images\" is not an object");
      }
      if (images != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = images.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String where = file + ": images[" + Printable.excerpt(e.getKey(), FileExcerpts.MAX) + "]";
          ImageName name;
          try {
            name = ImageName.parse(e.getKey());
          } catch (IllegalArgumentException bad) {
            throw OciException.badInput(where, bad.getMessage());
          }
          if (!name.toString().equals(e.getKey())) {
            throw OciException.badInput(where, "not a normalised name (expected \"" + name + "\")");
          }
          JsonNode value = e.getValue();
          Map<String, Digest> platforms = new TreeMap<>();
          JsonNode p = value.get("platforms");
          if (p != null) {
            for (Iterator<Map.Entry<String, JsonNode>> pi = p.fields(); pi.hasNext(); ) {
              Map.Entry<String, JsonNode> pe = pi.next();
              platforms.put(Platform.parse(pe.getKey()).toString(), Digest.parse(pe.getValue().asText()));
            }
          }
          entries.put(e.getKey(), new Entry(Digest.parse(value.path("digest").asText()), platforms));
        }
      }
      return Optional.of(new ImageLock(entries));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw OciException.badInput(file.toString(), FileExcerpts.jsonProblem(e));
    } catch (IOException e) {
      throw OciException.badInput(file.toString(), "not valid JSON");
    } catch (IllegalArgumentException e) {
      // a value of the file (a digest, a platform) quoted by its parser: only for the file named
      throw OciException.badInput(file.toString(), FileExcerpts.quotable(file)
          ? Printable.escape(e.getMessage()) : "an invalid name, digest or platform (" + FileExcerpts.notQuotedBecause(file) + ")");
    }
  }

  /** Writes the lock to {@code file}, sorted and indented, atomically. */
  public void write(Path file) throws OciException {
    ObjectNode root = JSON.createObjectNode();
    root.put("lockVersion", VERSION);
    ObjectNode images = root.putObject("images");
    for (Map.Entry<String, Entry> e : new TreeMap<>(entries).entrySet()) {
      ObjectNode entry = images.putObject(e.getKey());
      entry.put("digest", e.getValue().digest().toString());
      ObjectNode platforms = entry.putObject("platforms");
      for (Map.Entry<String, Digest> p : new TreeMap<>(e.getValue().platforms()).entrySet()) {
        platforms.put(p.getKey(), p.getValue().toString());
      }
    }
    try {
      byte[] bytes = (JSON.writeValueAsString(root) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      AtomicFiles.write(file, bytes, file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw OciException.io("writing " + file, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageLock other && other.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }
}
