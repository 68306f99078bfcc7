package io.jscan.signing.bundle;

import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.core.oci.Digest;
import io.jscan.signing.SigningException;
import io.jscan.signing.key.KeyFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * What a bundle is verified against: a file (its SHA-256, and its bytes when a scheme such as
 * Ed25519 needs the whole message) or only a digest ({@code --digest}, an image manifest digest).
 */
public record Artifact(Digest sha256, Optional<Path> file) {
  public Artifact {
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(file, "file");
    if (!sha256.algorithm().equals(Digest.SHA256)) {
      throw new IllegalArgumentException("bundles are verified against a sha256 digest, got " + sha256.algorithm());
    }
  }

  public static Artifact ofDigest(Digest sha256) {
    return new Artifact(sha256, Optional.empty());
  }

  /**
   * Hashes the file (streaming, so large artifacts are not held in memory). It must be a regular
   * file: a FIFO would block and a device such as {@code /dev/zero} would never end.
   */
  public static Artifact ofFile(Path file) throws SigningException {
    MessageDigest md = Digest.sha256Digest();
    try {
      BoundedFiles.requireRegularFile(file, "the artifact");
    } catch (InputFileException e) {
      throw new SigningException(e.kind(), e.what(), e.detail(), e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw SigningException.badInput("reading artifact " + file, "no such file");
    } catch (IOException e) {
      throw SigningException.io("reading artifact " + file, e);
    }
    return new Artifact(Digest.ofSha256(md.digest()), Optional.of(file));
  }

  public byte[] digestBytes() {
    return HexFormat.of().parseHex(sha256.encoded());
  }

  /**
   * The artifact's hash under {@code jcaName} (SHA-256, SHA-384, SHA-512); other than SHA-256 it is
   * computed from the file, so a digest-only artifact can only give SHA-256 (BAD_INPUT otherwise).
   */
  public byte[] digest(String jcaName) throws SigningException {
    if (jcaName.equals("SHA-256")) {
      return digestBytes();
    }
    Path p = file.orElseThrow(() -> SigningException.badInput("verifying signature", "the bundle uses " + jcaName + ", which needs the artifact itself, not only its sha256 digest"));
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance(jcaName);
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return md.digest();
    } catch (IOException e) {
      throw SigningException.io("reading artifact " + p, e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("JCA lacks " + jcaName, e);
    }
  }

  /**
   * The artifact's bytes, at most {@link InputLimit#SIGNED_BLOB} (the schemes that need them sign
   * the whole message); BAD_INPUT when only its digest is known.
   */
  public byte[] content() throws SigningException {
    Path p = file.orElseThrow(() -> SigningException.badInput("verifying signature", "this signature scheme needs the artifact itself, not only its digest"));
    return KeyFiles.read(p, InputLimit.SIGNED_BLOB, "the artifact");
  }
}
