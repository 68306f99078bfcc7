package io.jscan.core.transport.store;

import io.jscan.core.image.Image;
import io.jscan.core.testing.TestImages;
import io.jscan.core.transport.ImageName;
import io.jscan.core.transport.ImageReference.StoreReference;
import java.nio.file.Path;
import java.util.List;

/**
 * A separate process using a store, for the concurrency and crash tests:
 * {@code write HOME PREFIX COUNT} writes COUNT distinct images named PREFIX-i:1 (and removes every
 * second one again, to give garbage collection work), {@code gc HOME COUNT} collects COUNT times.
 * Prints "started" once the store is open and "wrote I" after each image, so a test knows when to
 * kill it.
 */
public final class StoreWorker {
  private StoreWorker() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path home = Path.of(args[1]);
    try (LocalStore store = LocalStore.open(home)) {
      System.out.println("started");
      System.out.flush();
      if (mode.equals("write")) {
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        for (int i = 0; i < count; i++) {
          Image image = TestImages.withLayers(prefix + "-" + i + "-a", prefix + "-" + i + "-b");
          ImageName name = ImageName.parse(prefix + "-" + i + ":1");
          store.write(image, List.of(name));
          System.out.println("wrote " + i);
          System.out.flush();
          if (i % 2 == 1) {
            store.remove(List.of(StoreReference.byName(name)));
          }
        }
      } else if (mode.equals("gc")) {
        int count = Integer.parseInt(args[2]);
        for (int i = 0; i < count; i++) {
          store.gc();
        }
      } else {
        throw new IllegalArgumentException(mode);
      }
    }
    System.out.println("done");
  }
}
