package io.jscan.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The one way jscan reads a file whole: a Dockerfile, a policy, a key, a lock file, an OCI
 * layout's {@code index.json}, anything a user, a Dockerfile or a policy names.
 *
 * <ul>
 *   <li>Only a regular file is read. A symbolic link is followed, but to a regular file only: a
 *       FIFO would block the read (opening one waits for a writer), a device such as {@code
 *       /dev/zero} never ends, a directory is not a file. The type is checked with {@code stat}
 *       before the file is opened, so a FIFO is never opened.
 *   <li>Never more than the input's {@link InputLimit} is read: a file whose size is over the limit
 *       is refused before reading, and a file that grows while read (or whose size the kernel does
 *       not know, as in {@code /proc}) is refused when it passes the limit, having read one byte
 *       past it.
 *   <li>Every refusal is an {@link InputFileException} reading {@code FILE: reading WHAT: problem}
 *       (exit 2; an I/O error is exit 1).
 * </ul>
 */
public final class BoundedFiles {
  private BoundedFiles() {}

  /** Reads {@code file} whole; the message names it as {@link InputLimit#what()}. */
  public static byte[] read(Path file, InputLimit limit) throws InputFileException {
    return read(file, limit.bytes(), limit.what());
  }

  /** Reads {@code file} whole, naming it as {@code what} ({@code the public key}) in messages. */
  public static byte[] read(Path file, InputLimit limit, String what) throws InputFileException {
    return read(file, limit.bytes(), what);
  }

  /** Reads {@code file} whole if it exists; empty when there is no file at all (a dangling link included). */
  public static Optional<byte[]> readIfExists(Path file, InputLimit limit) throws InputFileException {
    try {
      return Optional.of(read(file, limit));
    } catch (InputFileException e) {
      if (e.problem() == InputFileException.Problem.MISSING) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Reads at most {@code limit} bytes of {@code file}: regular files only, refused when larger.
   *
   * @param what what the file is, for the message ({@code the Dockerfile})
   */
  public static byte[] read(Path file, long limit, String what) throws InputFileException {
    BasicFileAttributes attributes = requireRegularFile(file, what);
    if (attributes.size() > limit) {
      throw tooLarge(file, what, limit, Optional.of(attributes.size()));
    }
    try (InputStream in = Files.newInputStream(file)) {
      return readAtMost(in, file.toString(), what, limit);
    } catch (InputFileException e) {
      throw e;
    } catch (IOException e) {
      throw failure(file, what, e, false);
    }
  }

  /**
   * Reads a stream to its end, at most {@code limit} bytes (standard input given as {@code -}).
   *
   * @param name the stream's name in the message ({@code standard input})
   */
  public static byte[] read(InputStream in, String name, InputLimit limit) throws InputFileException {
    try {
      return readAtMost(in, name, limit.what(), limit.bytes());
    } catch (InputFileException e) {
      throw e;
    } catch (IOException e) {
      throw new InputFileException(
          InputFileException.Problem.IO_ERROR, name, "reading " + limit.what() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the first line of a stream (without its {@code \n}), at most {@code limit} bytes: for a
   * password typed or piped on standard input, where waiting for the end of the stream would wait
   * for a terminal's Ctrl-D. Empty at the end of the stream with nothing read.
   */
  public static Optional<byte[]> readLine(InputStream in, String name, InputLimit limit) throws InputFileException {
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    try {
      for (int b; (b = in.read()) >= 0; ) {
        if (b == '\n') {
          return Optional.of(line.toByteArray());
        }
        if (line.size() >= limit.bytes()) {
          throw tooLarge(name, limit.what(), limit.bytes(), Optional.empty());
        }
        line.write(b);
      }
    } catch (IOException e) {
      throw new InputFileException(
          InputFileException.Problem.IO_ERROR, name, "reading " + limit.what() + ": " + e.getMessage(), e);
    }
    return line.size() == 0 ? Optional.empty() : Optional.of(line.toByteArray());
  }

  /**
   * Checks, without opening it, that {@code file} is a regular file (a symbolic link is followed);
   * for inputs that are streamed rather than read whole, such as a file to hash or an archive.
   *
   * @return the file's attributes (of the link's target)
   */
  public static BasicFileAttributes requireRegularFile(Path file, String what) throws InputFileException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (FileSystemException e) {
      // the path does not lead to a file: missing, a loop of links, a component that is not a directory
      throw failure(file, what, e, true);
    } catch (IOException e) {
      throw failure(file, what, e, false);
    }
    if (!attributes.isRegularFile()) {
      throw new InputFileException(
          InputFileException.Problem.NOT_REGULAR, file.toString(), "reading " + what + ": not a regular file (" + describe(file) + ")", null);
    }
    return attributes;
  }

  /**
   * What kind of file {@code file} is, for messages: {@code a FIFO}, {@code a character device},
   * {@code a symbolic link to a directory}. Only {@code stat} is used: nothing is opened.
   */
  public static String describe(Path file) {
    try {
      boolean link = Files.isSymbolicLink(file);
      String kind = kind(file);
      return link ? "a symbolic link to " + kind : kind;
    } catch (IOException e) {
      return "unknown type";
    }
  }

  private static String kind(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    if (a.isRegularFile()) {
      return "a regular file";
    }
    if (a.isDirectory()) {
      return "a directory";
    }
    try {
      // st_mode's file type bits (POSIX sys/stat.h); the JDK's basic view only says "other"
      int type = ((Integer) Files.getAttribute(file, "unix:mode")) & 0170000;
      return switch (type) {
        case 0010000 -> "a FIFO";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        default -> "a special file";
      };
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return "a special file";
    }
  }

  private static byte[] readAtMost(InputStream in, String name, String what, long limit) throws IOException, InputFileException {
    // one byte past the limit tells a file that is too large from one that is exactly the limit
    int cap = (int) Math.min(Integer.MAX_VALUE - 8, limit + 1);
    byte[] bytes = in.readNBytes(cap);
    if (bytes.length > limit) {
      throw tooLarge(name, what, limit, Optional.empty());
    }
    return bytes;
  }

  private static InputFileException tooLarge(Path file, String what, long limit, Optional<Long> size) {
    return tooLarge(file.toString(), what, limit, size);
  }

  private static InputFileException tooLarge(String name, String what, long limit, Optional<Long> size) {
    return new InputFileException(InputFileException.Problem.TOO_LARGE, name,
        "reading " + what + ": larger than the limit of " + InputLimit.human(limit)
            + size.map(s -> " (" + s + " bytes)").orElse(""),
        null);
  }

  private static InputFileException failure(Path file, String what, IOException e, boolean resolving) {
    String name = file.toString();
    if (e instanceof NoSuchFileException) {
      return new InputFileException(InputFileException.Problem.MISSING, name, "reading " + what + ": no such file", e);
    }
    if (e instanceof AccessDeniedException) {
      return new InputFileException(InputFileException.Problem.NOT_PERMITTED, name, "reading " + what + ": permission denied", e);
    }
    if (resolving && e instanceof FileSystemException f && f.getReason() != null) {
      return new InputFileException(InputFileException.Problem.UNREACHABLE, name, "reading " + what + ": " + f.getReason(), e);
    }
    return new InputFileException(InputFileException.Problem.IO_ERROR, name, "reading " + what + ": " + e.getMessage(), e);
  }
}
