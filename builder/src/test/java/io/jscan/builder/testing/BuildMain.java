package io.jscan.builder.testing;

import io.jscan.builder.BuildRequest;
import io.jscan.builder.BuildResult;
import io.jscan.builder.Builder;
import io.jscan.builder.SourceDateEpoch;
import io.jscan.core.transport.ImageReference;
import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A small main for tests that build in another process (another JDK, umask, TZ, LANG, or a
 * process to kill): {@code BuildMain STORE_HOME CONTEXT [--no-cache] [--output REF]}, with
 * SOURCE_DATE_EPOCH from the environment (else the context's last git commit, else 0, as jscan build). Prints the manifest digest on the last line of stdout.
 */
public final class BuildMain {
  private BuildMain() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    Path context = Path.of(args[1]);
    boolean noCache = false;
    Optional<ImageReference> output = Optional.empty();
    for (int i = 2; i < args.length; i++) {
      if (args[i].equals("--no-cache")) {
        noCache = true;
      } else if (args[i].equals("--output")) {
        output = Optional.of(ImageReference.parse(args[++i]));
      }
    }
    BuildRequest request = BuildRequest.of(context)
        .withNoCache(noCache)
        .withOutput(output)
        .withSourceDateEpoch(SourceDateEpoch.resolve(Map.of(), System.getenv(), context).epoch());
    try (LocalStore store = LocalStore.open(home)) {
      BuildResult result = Builder.withStore(store, System.err::println).build(request);
      System.out.println(result.manifestDigest());
    }
  }
}
