package io.jscan.signing.key;

import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import io.jscan.signing.SigningException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.Set;

/**
 * Key files on disk: {@code <prefix>.key} (encrypted, mode 0600) and {@code <prefix>.pub} (0644),
 * as {@code cosign generate-key-pair} writes them. Each file is written to a temporary file in the
 * same directory (created with its final mode, so the private key is never readable by others even
 * briefly) and renamed into place, so a crash leaves either the old file or the new one.
 */
public final class KeyFiles {
  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

  private KeyFiles() {}

  /** The two paths written for a key prefix such as {@code cosign} or {@code keys/release}. */
  public record KeyPairPaths(Path privateKey, Path publicKey) {
    public static KeyPairPaths forPrefix(Path prefix) {
      String name = prefix.getFileName().toString();
      return new KeyPairPaths(prefix.resolveSibling(name + ".key"), prefix.resolveSibling(name + ".pub"));
    }
  }

  /**
   * Writes {@code <prefix>.key} and {@code <prefix>.pub}. Refuses (BAD_INPUT) to replace existing
   * files unless {@code overwrite}: losing a private key is not undoable.
   */
  public static KeyPairPaths writeKeyPair(
      Path prefix, SigningKey key, char[] password, EncryptedKeyEnvelope.Strength strength, boolean overwrite)
      throws SigningException {
    KeyPairPaths paths = KeyPairPaths.forPrefix(prefix);
    if (!overwrite) {
      for (Path p : new Path[] {paths.privateKey(), paths.publicKey()}) {
        if (Files.exists(p)) {
          throw SigningException.badInput("writing key pair", p + " already exists (use --force to replace it)");
        }
      }
    }
    writeAtomically(paths.privateKey(), Keys.encryptedPrivateKeyPem(key, password, strength), PRIVATE);
    writeAtomically(paths.publicKey(), Keys.publicKeyPem(key.publicKey()), PUBLIC);
    return paths;
  }

  public static void writePublicKey(Path path, PublicKey key) throws SigningException {
    writeAtomically(path, Keys.publicKeyPem(key), PUBLIC);
  }

  public static SigningKey readPrivateKey(Path path, PasswordSource passwords) throws SigningException {
    return Keys.parsePrivateKey(read(path, InputLimit.KEY, "the private key"), passwords, path.toString());
  }

  public static PublicKey readPublicKey(Path path) throws SigningException {
    return Keys.parsePublicKey(read(path, InputLimit.KEY, "the public key"), path.toString());
  }

  /**
   * Reads an input file of the signing commands whole (a key, a signature, a bundle, a trusted
   * root, a predicate) through {@link BoundedFiles}: a regular file of at most {@code limit};
   * missing, special or oversized files are BAD_INPUT naming the file, other I/O errors UNEXPECTED.
   *
   * @param what what the file is, for the message ({@code the public key})
   */
  public static byte[] read(Path path, InputLimit limit, String what) throws SigningException {
    try {
      return BoundedFiles.read(path, limit, what);
    } catch (InputFileException e) {
      throw new SigningException(e.kind(), e.what(), e.detail(), e);
    }
  }

  static void writeAtomically(Path target, String content, Set<PosixFilePermission> mode) throws SigningException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
      String prefix = "." + target.getFileName() + ".";
      tmp = posix
          ? Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(mode))
          : Files.createTempFile(dir, prefix, ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      if (posix) {
        // the umask may have narrowed the mode given at creation; set it exactly
        Files.setPosixFilePermissions(tmp, mode);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (FileAlreadyExistsException e) {
      throw SigningException.badInput("writing " + target, "file exists");
    } catch (IOException e) {
      throw SigningException.io("writing " + target, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temp file holds only what we failed to install
        }
      }
    }
  }
}
