package io.jscan.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jscan.core.transport.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's class-data training run must really run the commands it names (it ignores their exit codes). */
class StartupTrainingTest {
  @TempDir Path tmp;

  @Test
  void main_buildsSavesAndLoadsTheTrainingImage_inItsOwnStore_neverTheUsers() throws Exception {
    Path usersStore = tmp.resolve("users-store");
    Path training = tmp.resolve("training");
    System.setProperty(LocalStore.HOME_PROPERTY, usersStore.toString());
    try {
      StartupTraining.main(new String[] {training.toString()});
    } finally {
      System.clearProperty(LocalStore.HOME_PROPERTY);
    }
    assertFalse(Files.exists(usersStore), "nothing written to the store the user had chosen");
    String index = Files.readString(training.resolve("home/index.json"));
    assertTrue(index.contains("training:1"), "the built (and re-loaded) image is in the training store: " + index);
    assertTrue(Files.size(training.resolve("image.tar")) > 0, "save wrote the docker-archive");
  }
}
