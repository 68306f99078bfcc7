package io.jscan.core.testing;

import io.jscan.core.image.Image;
import io.jscan.core.image.ImageBuilder;
import io.jscan.core.image.Layer;
import io.jscan.core.image.Layers;
import io.jscan.core.oci.Digest;
import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.History;
import io.jscan.core.oci.MediaTypes;
import io.jscan.core.oci.OciException;
import io.jscan.core.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Layers whose bytes match their descriptor (digest and size) but whose content is corrupt, made
 * by a recipe (nothing binary is committed): the defects a registry, a disk or a hostile image
 * can carry past the digest check, which every command must report as an integrity failure (exit
 * 4) naming the layer. The tar under each is a tiny Debian-like root (os-release, a dpkg status
 * with one package, 200 kB of random bytes so that the gzip stream is long).
 */
public final class CorruptLayers {
  private CorruptLayers() {}

  /** The defects. */
  public enum Defect {
    /** One byte in the middle of the gzip stream flipped (XOR 0xff): a CRC or deflate error. */
    FLIPPED_GZIP_BYTE,
    /** The gzip stream cut in half. */
    TRUNCATED_GZIP,
    /** A valid gzip of a tar whose first header's checksum field is wrong. */
    BAD_TAR_CHECKSUM
  }

  /** The uncompressed tar every defect starts from. */
  public static byte[] baseTar() {
    byte[] random = new byte[200_000];
    new Random(16).nextBytes(random);
    return TarBuilder.tar()
        .dir("etc")
        .file("etc/os-release", "ID=debian\nVERSION_ID=12\n")
        .dir("var").dir("var/lib").dir("var/lib/dpkg")
        .file("var/lib/dpkg/status", "Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n\n")
        .dir("bin")
        .file("bin/blob", random)
        .build();
  }

  /** A gzip layer with {@code defect}; its descriptor and diff_id match the bytes given. */
  public static Layer layer(Defect defect) {
    byte[] tar = baseTar();
    return switch (defect) {
      case FLIPPED_GZIP_BYTE -> {
        byte[] gz = gzip(tar);
        gz[gz.length / 2] ^= (byte) 0xff;
        yield Layers.fromBytes(gz, MediaTypes.OCI_LAYER_GZIP, Digest.sha256(tar));
      }
      case TRUNCATED_GZIP -> Layers.fromBytes(Arrays.copyOf(gzip(tar), gzip(tar).length / 2), MediaTypes.OCI_LAYER_GZIP, Digest.sha256(tar));
      case BAD_TAR_CHECKSUM -> {
        byte[] bad = tar.clone();
        // the checksum field of the first header (ustar: bytes 148-155, octal): a wrong value
        byte[] field = "0000001\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, bad, 148, field.length);
        yield Layers.fromBytes(gzip(bad), MediaTypes.OCI_LAYER_GZIP, Digest.sha256(bad));
      }
    };
  }

  /** A one-layer image (non-root, with a maintainer) whose layer has {@code defect}. */
  public static Image image(Defect defect) throws OciException {
    ImageBuilder b = ImageBuilder.fromScratch(Platform.LINUX_AMD64).created(Instant.parse("2026-05-20T00:00:00Z"));
    b.addLayer(layer(defect), new History(Optional.empty(), Optional.of("ADD rootfs.tar /"), Optional.empty(), Optional.empty(), false));
    b.containerConfig(c -> new ContainerConfig(Optional.of("65534"), c.exposedPorts(), List.of(), c.entrypoint(), Optional.of(List.of("/bin/sh")),
        c.volumes(), c.workingDir(), new TreeMap<>(java.util.Map.of("org.opencontainers.image.authors", "tests")), c.stopSignal(),
        c.argsEscaped(), c.healthcheck(), c.onBuild(), c.shell()));
    return b.build();
  }

  /**
   * Writes {@link #image} as {@code oci:DIR:app}, as another tool would ({@link
   * DefectiveImages#writeLayout}): jscan's own writers check layers as they copy and refuse it.
   */
  public static Path layout(Defect defect, Path dir) throws OciException {
    try {
      DefectiveImages.writeLayout(image(defect), dir, "app");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
