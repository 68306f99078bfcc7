package io.jscan.builder.steps;

import io.jscan.core.oci.ImageConfig.ContainerConfig;
import io.jscan.core.oci.ImageConfig.HealthCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The image config's {@code config} section while a stage changes it; {@link #build()} gives the record. */
final class MutableContainerConfig {
  Optional<String> user;
  SortedSet<String> exposedPorts;
  List<String> env;
  Optional<List<String>> entrypoint;
  Optional<List<String>> cmd;
  SortedSet<String> volumes;
  Optional<String> workingDir;
  SortedMap<String, String> labels;
  Optional<String> stopSignal;
  Optional<Boolean> argsEscaped;
  Optional<HealthCheck> healthcheck;
  List<String> onBuild;
  Optional<List<String>> shell;

  MutableContainerConfig(ContainerConfig c) {
    user = c.user();
    exposedPorts = new TreeSet<>(c.exposedPorts());
    env = new ArrayList<>(c.env());
    entrypoint = c.entrypoint();
    cmd = c.cmd();
    volumes = new TreeSet<>(c.volumes());
    workingDir = c.workingDir();
    labels = new TreeMap<>(c.labels());
    stopSignal = c.stopSignal();
    argsEscaped = c.argsEscaped();
    healthcheck = c.healthcheck();
    onBuild = new ArrayList<>(c.onBuild());
    shell = c.shell();
  }

  /** Sets {@code key} in Env: in place when it is there (keeping the order, as BuildKit's addEnv does), else appended. */
  void setEnv(String key, String value) {
    for (int i = 0; i < env.size(); i++) {
      String e = env.get(i);
      int eq = e.indexOf('=');
      String k = eq < 0 ? e : e.substring(0, eq);
      if (k.equals(key)) {
        env.set(i, key + "=" + value);
        return;
      }
    }
    env.add(key + "=" + value);
  }

  Optional<String> getEnv(String key) {
    for (String e : env) {
      int eq = e.indexOf('=');
      if ((eq < 0 ? e : e.substring(0, eq)).equals(key)) {
        return Optional.of(eq < 0 ? "" : e.substring(eq + 1));
      }
    }
    return Optional.empty();
  }

  ContainerConfig build() {
    return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels, stopSignal, argsEscaped,
        healthcheck, onBuild, shell);
  }
}
