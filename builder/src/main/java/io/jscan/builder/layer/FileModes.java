package io.jscan.builder.layer;

import java.util.regex.Pattern;

/**
 * The one rule for the modes of files jscan takes from a build context, and {@code --chmod}.
 *
 * <p><b>Rule (git's):</b> a regular file gets 0755 if any of its execute bits is set on disk, else
 * 0644; a directory gets 0755; a symbolic link 0777. Nothing else of the disk's mode is kept, so a
 * umask, a checkout tool or a file system that drops group bits cannot change a layer. Files taken
 * from an image (COPY --from, ADD of a tar archive) keep the mode their tar header states: those
 * are explicit values already. {@code --chmod} replaces the mode of every copied file and directory.
 */
public final class FileModes {
  private FileModes() {}

  public static final int EXECUTABLE_FILE = 0755;
  public static final int REGULAR_FILE = 0644;
  public static final int DIRECTORY = 0755;
  public static final int SYMLINK = 0777;
  /** ADD of a remote URL: the Dockerfile reference's rule. */
  public static final int DOWNLOADED_FILE = 0600;

  /** The mode of a regular file from a build context, from whether it is executable on disk. */
  public static int contextFile(boolean anyExecuteBit) {
    return anyExecuteBit ? EXECUTABLE_FILE : REGULAR_FILE;
  }

  // chmod(1) symbolic modes: [ugoa]*[-+=][rwxXst]* clauses, comma-separated
  private static final Pattern SYMBOLIC = Pattern.compile("[ugoa]*([-+=][rwxXst]*)+(,[ugoa]*([-+=][rwxXst]*)+)*");

  /** A parsed {@code --chmod}: octal ({@code 0755}, up to 07777) or symbolic ({@code u+x,go-w}). */
  public record Chmod(String spec) {
    public Chmod {
      if (!isOctal(spec) && !SYMBOLIC.matcher(spec).matches()) {
        throw new IllegalArgumentException(
            "invalid chmod parameter: '" + spec + "'. it should be octal string and between 0 and 07777, or a symbolic mode like u+x");
      }
    }

    private static boolean isOctal(String s) {
      if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '7')) {
        return false;
      }
      return Integer.parseInt(s, 8) <= 07777;
    }

    /** The mode {@code --chmod} gives an entry that would otherwise have {@code mode}. */
    public int apply(int mode, boolean directory) {
      if (isOctal(spec)) {
        return Integer.parseInt(spec, 8);
      }
      int result = mode & 07777;
      for (String clause : spec.split(",")) {
        int i = 0;
        int who = 0;
        while (i < clause.length() && "ugoa".indexOf(clause.charAt(i)) >= 0) {
          switch (clause.charAt(i)) {
            case 'u' -> who |= 04700;
            case 'g' -> who |= 02070;
            case 'o' -> who |= 01007;
            default -> who |= 07777;
          }
          i++;
        }
        if (who == 0) {
          who = 07777; // no umask: chmod without "who" means all (BuildKit applies a zero umask)
        }
        while (i < clause.length()) {
          char op = clause.charAt(i++);
          int bits = 0;
          while (i < clause.length() && "rwxXst".indexOf(clause.charAt(i)) >= 0) {
            switch (clause.charAt(i)) {
              case 'r' -> bits |= 0444;
              case 'w' -> bits |= 0222;
              case 'x' -> bits |= 0111;
              case 'X' -> {
                if (directory || (result & 0111) != 0) {
                  bits |= 0111;
                }
              }
              case 's' -> bits |= 06000;
              default -> bits |= 01000; // 't'
            }
            i++;
          }
          bits &= who;
          switch (op) {
            case '+' -> result |= bits;
            case '-' -> result &= ~bits;
            default -> result = (result & ~(who & 0777)) | bits;
          }
        }
      }
      return result & 07777;
    }
  }
}
