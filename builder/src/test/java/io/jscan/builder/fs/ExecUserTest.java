package io.jscan.builder.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** USER for RUN resolves as runc resolves it (libcontainer/user GetExecUser), in the image's own files. */
class ExecUserTest {
  static final UserDatabase DB = UserDatabase.parse(
      Optional.of("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnohome:x:1001:1001:::/bin/sh\n"
          .getBytes(StandardCharsets.UTF_8)),
      Optional.of("root:x:0:\napp:x:1000:\nstaff:x:50:app,other\nwheel:x:10:app\ndocker:x:999:\n".getBytes(StandardCharsets.UTF_8)));

  @Test
  void resolveExec_name_takesPrimaryGroupHomeAndMemberships() {
    assertEquals(new UserDatabase.ExecUser(1000, 1000, List.of(50L, 10L), "/home/app"), DB.resolveExec("app"));
  }

  @Test
  void resolveExec_explicitGroup_dropsMemberships() {
    assertEquals(new UserDatabase.ExecUser(1000, 999, List.of(), "/home/app"), DB.resolveExec("app:docker"));
    assertEquals(new UserDatabase.ExecUser(1000, 7, List.of(), "/home/app"), DB.resolveExec("1000:7"));
  }

  @Test
  void resolveExec_uidWithoutEntry_runsWithGroupZeroAndRootHome() {
    assertEquals(new UserDatabase.ExecUser(4242, 0, List.of(), "/"), DB.resolveExec("4242"));
    assertEquals(new UserDatabase.ExecUser(1001, 1001, List.of(), "/"), DB.resolveExec("nohome"));
    assertEquals(new UserDatabase.ExecUser(0, 0, List.of(), "/root"), DB.resolveExec("0"));
  }

  @Test
  void resolveExec_unknownNames_useDockersWords() {
    assertEquals("unable to find user ghost: no matching entries in passwd file",
        assertThrows(IllegalArgumentException.class, () -> DB.resolveExec("ghost")).getMessage());
    assertEquals("unable to find group ghosts: no matching entries in group file",
        assertThrows(IllegalArgumentException.class, () -> DB.resolveExec("app:ghosts")).getMessage());
  }
}
