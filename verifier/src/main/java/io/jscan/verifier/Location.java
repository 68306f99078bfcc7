package io.jscan.verifier;

import io.jscan.core.oci.Digest;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** Where a finding is: in an image (part, layer, path) or in a Dockerfile (file and line). */
public sealed interface Location permits Location.InImage, Location.InDockerfile {

  /** A short human form: {@code layer 2 sha256:…/etc/passwd} or {@code Dockerfile:3}. */
  String describe();

  /**
   * A place in an image.
   *
   * @param part {@code index}, {@code manifest}, {@code config}, {@code layer} or {@code image}
   * @param layer the layer's position in the manifest, from 1, for layer findings
   * @param digest the digest of the blob the finding is about (layer, config or manifest)
   * @param path a file path inside the layer, absolute ({@code /etc/shadow})
   * @param line a 1-based line inside that file (secrets)
   */
  record InImage(String part, OptionalInt layer, Optional<Digest> digest, Optional<String> path, OptionalInt line)
      implements Location {
    public InImage {
      Objects.requireNonNull(part, "part");
      if (layer.isPresent() && layer.getAsInt() < 1) {
        throw new IllegalArgumentException("layer positions start at 1, got " + layer.getAsInt());
      }
      if (line.isPresent() && line.getAsInt() < 1) {
        throw new IllegalArgumentException("line numbers start at 1, got " + line.getAsInt());
      }
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(path, "path");
    }

    public static InImage part(String part, Digest digest) {
      return new InImage(part, OptionalInt.empty(), Optional.of(digest), Optional.empty(), OptionalInt.empty());
    }

    public static InImage part(String part) {
      return new InImage(part, OptionalInt.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty());
    }

    public static InImage layer(int layer, Digest digest) {
      return new InImage("layer", OptionalInt.of(layer), Optional.of(digest), Optional.empty(), OptionalInt.empty());
    }

    public static InImage file(int layer, Digest digest, String path) {
      return new InImage("layer", OptionalInt.of(layer), Optional.of(digest), Optional.of(path), OptionalInt.empty());
    }

    public InImage withLine(int newLine) {
      return new InImage(part, layer, digest, path, OptionalInt.of(newLine));
    }

    @Override
    public String describe() {
      StringBuilder b = new StringBuilder();
      if (layer.isPresent()) {
        b.append("layer ").append(layer.getAsInt());
        digest.ifPresent(d -> b.append(' ').append(d.algorithm()).append(':').append(d.shortHex()));
      } else {
        b.append(part);
        digest.ifPresent(d -> b.append(' ').append(d.algorithm()).append(':').append(d.shortHex()));
      }
      path.ifPresent(p -> b.append(' ').append(p));
      if (line.isPresent()) {
        b.append(':').append(line.getAsInt());
      }
      return b.toString();
    }
  }

  /** Lines of a Dockerfile, as the user named the file. */
  record InDockerfile(String file, int startLine, int endLine) implements Location {
    public InDockerfile {
      Objects.requireNonNull(file, "file");
      if (startLine < 1 || endLine < startLine) {
        throw new IllegalArgumentException("bad line range " + startLine + "-" + endLine);
      }
    }

    @Override
    public String describe() {
      return file + ":" + startLine;
    }
  }
}
