package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jscan.core.transport.store.LocalStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --secret} and {@code --runtime} as buildx reads them; mistakes are one line with exit code 2, before anything runs. */
class BuildRunFlagsTest {
  @TempDir Path tmp;
  Path ctx;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void context() throws Exception {
    System.setProperty(LocalStore.HOME_PROPERTY, tmp.resolve("home").toString());
    ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nRUN --mount=type=secret,id=token,required true\n");
  }

  @AfterEach
  void restore() {
    System.clearProperty(LocalStore.HOME_PROPERTY);
  }

  static Result jscan(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Jscan.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void secret_withoutId_orFromAnUnsetVariable_isBadInput() {
    Result noId = jscan(Map.of(), "build", "--secret", "src=/etc/hostname", ctx.toString());
    assertEquals(2, noId.code());
    assertEquals("jscan: --secret src=/etc/hostname: no id=\n", noId.err());
    Result unset = jscan(Map.of(), "build", "--secret", "id=token", ctx.toString());
    assertEquals(2, unset.code());
    assertEquals("jscan: --secret id=token: the environment variable token is not set\n", unset.err());
    Result unknownKey = jscan(Map.of(), "build", "--secret", "id=token,path=/x", ctx.toString());
    assertEquals(2, unknownKey.code());
    assertEquals("jscan: --secret id=token,path=/x: unexpected key path\n", unknownKey.err());
  }

  @Test
  void runtime_thatIsNotAnExecutable_isBadInputNamingTheFlag() throws Exception {
    TutorialBuildTest.requireRoot(); // without root, RUN stops earlier, at the root check
    Path notExecutable = Files.writeString(tmp.resolve("runtime"), "not a runtime\n");
    Result r = jscan(Map.of("TOKEN", "t"), "build", "-q", "--secret", "id=token,env=TOKEN", "--runtime", notExecutable.toString(),
        ctx.toString());
    assertEquals(2, r.code(), r.err());
    assertEquals("jscan: --runtime " + notExecutable + ": not an executable file\n", r.err());
  }
}
