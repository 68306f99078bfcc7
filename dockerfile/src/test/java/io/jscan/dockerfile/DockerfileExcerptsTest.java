package io.jscan.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jscan.core.FailureKind;
import io.jscan.dockerfile.ignore.DockerIgnore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Dockerfile that is not one, or a link to another file, has none of its content echoed into
 * an error (CI logs are often public): the file, the line, what was expected.
 */
class DockerfileExcerptsTest {
  static final String PASSWD_LINE = "root:x:0:0:root:/root:/bin/bash\n";

  @TempDir Path tmp;

  @Test
  void parse_lineThatIsNoInstructionWord_isNamedWithoutQuotingIt() {
    DockerfileException e = assertThrows(DockerfileException.class, () -> Dockerfile.parse("Dockerfile", PASSWD_LINE + "daemon:x:1:1::/:/sbin/nologin\n"));
    assertEquals("Dockerfile:1: unknown instruction: the line does not start with an instruction word (is this a Dockerfile?)", e.getMessage());
    assertEquals(FailureKind.BAD_INPUT, e.kind());
  }

  @Test
  void parse_typoOfAnInstruction_isStillQuotedWithASuggestion() {
    DockerfileException e = assertThrows(DockerfileException.class, () -> Dockerfile.parse("Dockerfile", "FORM scratch\n"));
    assertEquals("Dockerfile:1: unknown instruction: FORM (did you mean from?)", e.getMessage());
  }

  @Test
  void read_symlinkOutOfItsDirectory_quotesNothingOfTheTarget() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("project"));
    // a file that would otherwise be quoted: its second line is an instruction-like word
    Path target = Files.writeString(tmp.resolve("notes.txt"), "FROM scratch\nSECRETWORD rest of line\n");
    Path link = Files.createSymbolicLink(project.resolve("Dockerfile"), target);
    assertEquals("Dockerfile:2: unknown instruction: SECRETWORD",
        assertThrows(DockerfileException.class, () -> Dockerfile.read(target)).getMessage().replace(target.toString(), "Dockerfile"));

    DockerfileException e = assertThrows(DockerfileException.class, () -> Dockerfile.read(link));

    assertEquals(link + ":2: not a valid Dockerfile (" + link + " is reached through a symlink that leads out of its directory, so none of"
        + " its content is shown)", e.getMessage());
    assertFalse(e.getMessage().contains("SECRETWORD"), e.getMessage());
  }

  @Test
  void read_symlinkToEtcPasswd_quotesNothing() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("Dockerfile"), Path.of("/etc/passwd"));
    DockerfileException e = assertThrows(DockerfileException.class, () -> Dockerfile.read(link));
    assertFalse(e.getMessage().contains("root"), e.getMessage());
    assertFalse(e.getMessage().contains("/bin/"), e.getMessage());
  }

  @Test
  void dockerignore_symlinkOutOfTheContext_quotesNoPattern() throws Exception {
    Path context = Files.createDirectories(tmp.resolve("context"));
    Path target = Files.writeString(tmp.resolve("secret-patterns"), "ok\nsecret[token\n");
    Files.createSymbolicLink(context.resolve(".dockerignore"), target);
    Path dockerfile = Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n");
    DockerfileException e = assertThrows(DockerfileException.class, () -> DockerIgnore.load(context, dockerfile).isExcluded("a"));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }
}
