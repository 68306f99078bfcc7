package io.jscan.builder.steps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscan.builder.BuildException;
import io.jscan.core.JscanException;
import io.jscan.core.oci.ImageConfig.HealthCheck;
import io.jscan.dockerfile.instructions.ArgDefinition;
import io.jscan.dockerfile.instructions.ArgInstruction;
import io.jscan.dockerfile.instructions.CmdInstruction;
import io.jscan.dockerfile.instructions.CommandLine;
import io.jscan.dockerfile.instructions.EntrypointInstruction;
import io.jscan.dockerfile.instructions.EnvInstruction;
import io.jscan.dockerfile.instructions.ExposeInstruction;
import io.jscan.dockerfile.instructions.HealthcheckInstruction;
import io.jscan.dockerfile.instructions.Instruction;
import io.jscan.dockerfile.instructions.KeyValue;
import io.jscan.dockerfile.instructions.LabelInstruction;
import io.jscan.dockerfile.instructions.MaintainerInstruction;
import io.jscan.dockerfile.instructions.OnbuildInstruction;
import io.jscan.dockerfile.instructions.ShellInstruction;
import io.jscan.dockerfile.instructions.StopSignalInstruction;
import io.jscan.dockerfile.instructions.UserInstruction;
import io.jscan.dockerfile.instructions.VolumeInstruction;
import io.jscan.dockerfile.shell.WordExpander;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The instructions that change only the image config (and add a history entry without a layer):
 * ENV, ARG, LABEL, MAINTAINER, EXPOSE, CMD, ENTRYPOINT, USER, VOLUME, SHELL, STOPSIGNAL,
 * HEALTHCHECK and ONBUILD, with BuildKit's semantics (shell-form commands wrapped in the stage's
 * SHELL, ENTRYPOINT clearing an inherited CMD, ONBUILD recorded for builds that use this image).
 */
public final class ApplyConfigStep implements BuildStep {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The shell BuildKit wraps shell-form commands in when the stage has no SHELL (Linux). */
  static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");

  private final Instruction instruction;

  public ApplyConfigStep(Instruction instruction) {
    this.instruction = instruction;
  }

  @Override
  public void apply(StageState stage) throws JscanException {
    MutableContainerConfig c = stage.container();
    WordExpander expander = stage.expander();
    if (instruction instanceof EnvInstruction raw) {
      EnvInstruction env = raw.expand(expander);
      stage.env().applyEnv(env);
      StringBuilder msg = new StringBuilder("ENV");
      for (KeyValue kv : env.variables()) {
        c.setEnv(kv.key(), kv.value());
        msg.append(' ').append(kv.key()).append('=').append(kv.value());
      }
      stage.addHistory(msg.toString());
    } else if (instruction instanceof ArgInstruction arg) {
      stage.env().declareArg(arg);
      StringBuilder msg = new StringBuilder("ARG");
      for (ArgDefinition def : arg.arguments()) {
        Optional<String> value = stage.env().declaredArgs().getOrDefault(def.name(), Optional.empty());
        msg.append(' ').append(def.name()).append(value.map(v -> "=" + v).orElse(""));
      }
      stage.addHistory(msg.toString());
    } else if (instruction instanceof LabelInstruction raw) {
      LabelInstruction label = raw.expand(expander);
      StringBuilder msg = new StringBuilder("LABEL");
      for (KeyValue kv : label.labels()) {
        c.labels.put(kv.key(), kv.value());
        msg.append(' ').append(kv.key()).append('=').append(kv.value());
      }
      stage.addHistory(msg.toString());
    } else if (instruction instanceof MaintainerInstruction m) {
      stage.author(m.maintainer());
      stage.addHistory("MAINTAINER " + m.maintainer());
    } else if (instruction instanceof ExposeInstruction raw) {
      List<String> ports = raw.expand(expander).exposedPorts();
      c.exposedPorts.addAll(ports);
      stage.addHistory("EXPOSE " + String.join(" ", ports));
    } else if (instruction instanceof CmdInstruction cmd) {
      List<String> args = withShell(cmd.command(), c);
      c.cmd = Optional.of(args);
      stage.markCmdSet();
      stage.addHistory("CMD " + json(args));
    } else if (instruction instanceof EntrypointInstruction ep) {
      List<String> args = withShell(ep.command(), c);
      // ENTRYPOINT [] clears it; an inherited CMD goes unless this stage set one (BuildKit)
      c.entrypoint = ep.command().execForm() && args.isEmpty() ? Optional.empty() : Optional.of(args);
      if (!stage.cmdSet()) {
        c.cmd = Optional.empty();
      }
      stage.addHistory("ENTRYPOINT " + json(args));
    } else if (instruction instanceof UserInstruction raw) {
      UserInstruction user = raw.expand(expander);
      c.user = Optional.of(user.user());
      stage.addHistory("USER " + user.user());
    } else if (instruction instanceof VolumeInstruction raw) {
      VolumeInstruction volume = raw.expand(expander);
      for (String v : volume.volumes()) {
        if (v.isEmpty()) {
          throw BuildException.at(raw.location(), "VOLUME specified can not be an empty string");
        }
        c.volumes.add(v);
      }
      stage.addHistory("VOLUME " + json(volume.volumes()));
    } else if (instruction instanceof ShellInstruction shell) {
      c.shell = Optional.of(shell.shell());
      stage.addHistory("SHELL " + json(shell.shell()));
    } else if (instruction instanceof StopSignalInstruction raw) {
      StopSignalInstruction signal = raw.expand(expander);
      if (!isSignal(signal.signal())) {
        throw BuildException.at(raw.location(), "invalid signal: " + signal.signal());
      }
      c.stopSignal = Optional.of(signal.signal());
      stage.addHistory("STOPSIGNAL " + signal.signal());
    } else if (instruction instanceof HealthcheckInstruction hc) {
      c.healthcheck = Optional.of(new HealthCheck(
          hc.test(), nanos(hc.interval()), nanos(hc.timeout()), nanos(hc.startPeriod()), nanos(hc.startInterval()),
          hc.retries() == 0 ? Optional.empty() : Optional.of(hc.retries())));
      stage.addHistory("HEALTHCHECK " + json(hc.test()));
    } else if (instruction instanceof OnbuildInstruction onbuild) {
      c.onBuild.add(onbuild.expression());
    } else {
      throw new IllegalStateException("not a config instruction: " + instruction.keyword());
    }
  }

  /** Exec form as it is; shell form wrapped in the stage's SHELL (default {@code /bin/sh -c}). */
  private static List<String> withShell(CommandLine command, MutableContainerConfig c) {
    if (command.execForm()) {
      return command.arguments();
    }
    List<String> out = new ArrayList<>(c.shell.filter(s -> !s.isEmpty()).orElse(DEFAULT_SHELL));
    out.addAll(command.arguments());
    return out;
  }

  private static Optional<Long> nanos(Duration d) {
    return d.isZero() ? Optional.empty() : Optional.of(d.toNanos());
  }

  static String json(List<String> words) {
    try {
      return JSON.writeValueAsString(words);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Set<String> SIGNALS = Set.of(
      "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF",
      "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2",
      "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX");

  /** moby's signal.ParseSignal on Linux: a number from 1 to 64, or a name with or without SIG. */
  static boolean isSignal(String s) {
    if (s.matches("[0-9]+")) {
      return s.length() <= 2 && Integer.parseInt(s) >= 1 && Integer.parseInt(s) <= 64;
    }
    String name = s.toUpperCase(Locale.ROOT);
    if (name.startsWith("SIG")) {
      name = name.substring(3);
    }
    if (name.matches("RTMIN\\+([1-9]|1[0-5])") || name.matches("RTMAX-([1-9]|1[0-4])")) {
      return true;
    }
    return SIGNALS.contains(name);
  }
}
