package io.jscan.builder;

import static io.jscan.builder.testing.RunFixtures.assertNoLeftovers;
import static io.jscan.builder.testing.RunFixtures.buildOk;
import static io.jscan.builder.testing.RunFixtures.context;
import static io.jscan.builder.testing.TestBuilds.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.builder.testing.RunFixtures;
import io.jscan.builder.testing.TestBuilds;
import io.jscan.core.JscanException;
import io.jscan.core.image.Layer;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN's mounts (cache, secret, bind, tmpfs), its command forms (exec, heredocs), networks, users
 * and working directories, each checked by what the command wrote into the layer.
 */
class RunMountsTest {
  @TempDir Path tmp;
  String base;
  Path home;

  @BeforeEach
  void needRun() throws Exception {
    RunFixtures.requireRun();
    base = RunFixtures.busybox();
    home = tmp.resolve("home");
  }

  /** The paths of a layer's entries, without the listing's other columns. */
  static List<String> paths(Layer layer) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : TestBuilds.listing(layer)) {
      out.add(line.split(" ", 6)[5]); // "type mode uid:gid size mtime path"
    }
    return out;
  }

  static String file(BuildResult r, int layer, String path) throws Exception {
    return TestBuilds.content(r.image().layers().get(layer), path);
  }

  @Test
  void run_cacheMount_keepsItsContentAcrossBuilds_andStaysOutOfTheLayer() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), "FROM " + base + "\n"
        + "RUN --mount=type=cache,target=/var/cache/app,id=app-cache echo run >> /var/cache/app/runs && wc -l < /var/cache/app/runs > /count\n");
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult first = buildOk(store, request(ctx));
      BuildResult second = buildOk(store, request(ctx).withNoCache(true));
      assertEquals("1\n", file(first, 1, "count"));
      assertEquals("2\n", file(second, 1, "count"), "the second run saw the first one's cache");
      assertEquals(List.of("count"), paths(second.image().layers().get(1)), "no mount point, no cache content");
    }
    assertNoLeftovers(home);
  }

  @Test
  void run_secret_isReadableInTheStep_neverInTheLayerOrTheKey() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), "FROM " + base + "\n"
        + "RUN --mount=type=secret,id=token,required --mount=type=secret,id=token,env=TOKEN,target=/other"
        + " cat /run/secrets/token > /seen && stat -c %a:%u /run/secrets/token >> /seen && echo ${#TOKEN} >> /seen\n");
    Path secret = tmp.resolve("token.txt");
    Files.writeString(secret, "s3cret");
    RunOptions withSecret = RunOptions.defaults().withSecrets(Map.of("token", new RunOptions.FileSecret("token", secret)));
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = buildOk(store, request(ctx).withRun(withSecret));
      assertEquals("s3cret400:0\n6\n", file(r, 1, "seen"));
      assertEquals(List.of("seen"), paths(r.image().layers().get(1)), "no /run/secrets, no /other");
      Files.writeString(secret, "changed");
      BuildResult again = buildOk(store, request(ctx).withRun(withSecret));
      assertEquals(0, again.layersBuilt(), "a secret's content is not part of the cache key (BuildKit's rule)");
      JscanException e = assertThrows(JscanException.class, () -> TestBuilds.build(store, request(ctx).withNoCache(true)));
      assertEquals("Dockerfile:2: secret token not found: pass it with --secret id=token,src=FILE", e.getMessage());
    }
    assertNoLeftovers(home);
  }

  @Test
  void run_bindMounts_showContextAndStageFiles_andDiscardWrites() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), String.join("\n",
        "FROM " + base + " AS tools",
        "RUN echo tool > /tool.txt",
        "FROM " + base,
        "RUN --mount=type=bind,source=data,target=/mnt cat /mnt/a.txt > /from-context",
        "RUN --mount=type=bind,target=/src,rw echo scribble > /src/data/a.txt && cat /src/data/a.txt > /scribbled",
        "RUN --mount=type=bind,from=tools,source=/tool.txt,target=/t cat /t > /from-stage",
        ""), "data/a.txt", "from the context\n", ".dockerignore", "secret.txt\n", "secret.txt", "ignored\n");
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = buildOk(store, request(ctx));
      assertEquals("from the context\n", file(r, 1, "from-context"));
      assertEquals("scribble\n", file(r, 2, "scribbled"));
      assertEquals("tool\n", file(r, 3, "from-stage"));
      assertEquals(List.of("scribbled"), paths(r.image().layers().get(2)), "a bind mount's target is not in the layer");
      assertEquals("from the context\n", Files.readString(ctx.resolve("data/a.txt")), "the context is never written");
      Files.writeString(ctx.resolve("data/a.txt"), "changed\n");
      BuildResult changed = buildOk(store, request(ctx));
      assertNotEquals(r.manifestDigest(), changed.manifestDigest());
      assertEquals("changed\n", file(changed, 1, "from-context"), "the mounted content is in the cache key");
    }
    assertNoLeftovers(home);
  }

  @Test
  void run_tmpfsMount_isEmptyAndNotInTheLayer() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), "FROM " + base + "\n"
        + "RUN --mount=type=tmpfs,target=/scratch,size=1m echo x > /scratch/f && grep -c ' /scratch tmpfs ' /proc/mounts > /mounted\n");
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = buildOk(store, request(ctx));
      assertEquals("1\n", file(r, 1, "mounted"));
      assertEquals(List.of("mounted"), paths(r.image().layers().get(1)));
    }
  }

  @Test
  void run_execFormAndHeredocs_runAsBuildKitRunsThem() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), String.join("\n",
        "FROM " + base,
        "RUN [\"/bin/sh\", \"-c\", \"echo exec $0 > /e\"]",
        "RUN <<EOF",
        "echo one > /h1",
        "echo two >> /h1",
        "EOF",
        "RUN <<EOF",
        "#!/bin/sh",
        "echo \"script $0\" > /h2",
        "EOF",
        "RUN cat <<EOF > /h3",
        "hello heredoc",
        "EOF",
        ""));
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = buildOk(store, request(ctx));
      assertEquals("exec /bin/sh\n", file(r, 1, "e"));
      assertEquals("one\ntwo\n", file(r, 2, "h1"));
      assertEquals("script /dev/pipes/EOF\n", file(r, 3, "h2"));
      assertEquals("hello heredoc\n", file(r, 4, "h3"));
    }
  }

  @Test
  void run_networkNone_hasOnlyLoopback_defaultHasTheHostsInterfaces() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), String.join("\n",
        "FROM " + base,
        "RUN --network=none ls /sys/class/net > /none",
        "RUN ls /sys/class/net > /default && cat /etc/hosts > /hosts && hostname > /hostname",
        ""));
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = buildOk(store, request(ctx));
      assertEquals("lo\n", file(r, 1, "none"));
      assertTrue(file(r, 2, "default").lines().count() > 1, file(r, 2, "default"));
      assertEquals("127.0.0.1\tlocalhost jscan\n::1\tlocalhost ip6-localhost ip6-loopback\n", file(r, 2, "hosts"));
      assertEquals("jscan\n", file(r, 2, "hostname"));
      assertFalse(paths(r.image().layers().get(2)).contains("etc/hosts"), "the runtime's mount point is not in the layer");
    }
  }

  @Test
  void run_userAndWorkdir_resolveInTheImage() throws Exception {
    Path ctx = context(tmp.resolve("ctx"), String.join("\n",
        "FROM " + base,
        "RUN echo 'builder:x:1000:1000::/home/builder:/bin/sh' >> /etc/passwd && echo 'builder:x:1000:' >> /etc/group"
            + " && echo 'extra:x:2000:builder' >> /etc/group && mkdir -p /home/builder && chown 1000:1000 /home/builder",
        "USER builder",
        "WORKDIR /home/builder/work",
        "RUN id > ids && pwd >> ids && echo $HOME >> ids && touch mine",
        "USER 4242",
        "WORKDIR /",
        "RUN id -u > /tmp/nobody && id -g >> /tmp/nobody",
        ""));
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult r = buildOk(store, request(ctx));
      List<Layer> layers = r.image().layers();
      Layer builder = layers.get(layers.size() - 2);
      assertEquals("uid=1000(builder) gid=1000(builder) groups=2000(extra)\n/home/builder/work\n/home/builder\n",
          TestBuilds.content(builder, "home/builder/work/ids"));
      assertTrue(TestBuilds.listing(builder).contains("f 644 1000:1000 0 1700000000 home/builder/work/mine"),
          TestBuilds.listing(builder).toString());
      assertEquals("4242\n0\n", TestBuilds.content(layers.get(layers.size() - 1), "tmp/nobody"));
    }
  }
}
