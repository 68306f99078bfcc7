package io.jscan.builder;

import io.jscan.builder.run.RunSupport;
import io.jscan.core.io.BoundedFiles;
import io.jscan.core.io.InputFileException;
import io.jscan.core.io.InputLimit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How RUN steps run: {@code --runtime} and {@code --secret}.
 *
 * @param runtime {@code runc}, {@code crun} or a path; empty: runc when installed, else crun
 * @param secrets {@code --secret} values by id; their content never enters a layer, a cache key or a log
 * @param rootMode how root file systems are made; empty: overlayfs when it works here, else a copy
 */
public record RunOptions(Optional<String> runtime, Map<String, Secret> secrets, Optional<RunSupport.RootMode> rootMode) {
  public RunOptions {
    Objects.requireNonNull(runtime, "runtime");
    secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
    Objects.requireNonNull(rootMode, "rootMode");
    for (Map.Entry<String, Secret> e : secrets.entrySet()) {
      if (!e.getKey().equals(e.getValue().id())) {
        throw new IllegalArgumentException("secret " + e.getValue().id() + " filed under " + e.getKey());
      }
    }
  }

  /** The defaults: the default runtime, no secrets, overlayfs when it works. */
  public static RunOptions defaults() {
    return new RunOptions(Optional.empty(), Map.of(), Optional.empty());
  }

  public RunOptions withRuntime(Optional<String> newRuntime) {
    return new RunOptions(newRuntime, secrets, rootMode);
  }

  public RunOptions withSecrets(Map<String, Secret> newSecrets) {
    return new RunOptions(runtime, newSecrets, rootMode);
  }

  public RunOptions withRootMode(Optional<RunSupport.RootMode> newMode) {
    return new RunOptions(runtime, secrets, newMode);
  }

  /** A {@code --secret}: its content comes from a file or from an environment variable's value. */
  public sealed interface Secret permits FileSecret, ValueSecret {
    String id();

    /** The content, read when a step mounts it. */
    byte[] read() throws InputFileException;
  }

  /** {@code --secret id=ID,src=FILE}: read when a step uses it. */
  public record FileSecret(String id, Path file) implements Secret {
    public FileSecret {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(file, "file");
    }

    /** A regular file of at most BuildKit's 500 KiB ({@link InputLimit#SECRET}), read whole. */
    @Override
    public byte[] read() throws InputFileException {
      return BoundedFiles.read(file, InputLimit.SECRET, "secret id=" + id);
    }
  }

  /** {@code --secret id=ID,env=VAR}: the variable's value when jscan started; never printed. */
  public record ValueSecret(String id, String variable, String value) implements Secret {
    public ValueSecret {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(variable, "variable");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public byte[] read() {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "ValueSecret[id=" + id + ", variable=" + variable + ", value=(hidden)]";
    }
  }
}
