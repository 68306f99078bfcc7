package io.jscan.builder.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jscan.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code config.json} of a RUN step's bundle (OCI runtime-spec 1.0, config.md and
 * config-linux.md), written by jscan rather than by {@code runc spec}, with what Docker and BuildKit
 * give a build step:
 *
 * <ul>
 *   <li>new mount, PID, IPC and UTS namespaces; a new network namespace (loopback only) for
 *       {@code --network=none}, the host's for {@code default} and {@code host} (see
 *       {@link Network});
 *   <li>{@code /proc}, a tmpfs {@code /dev} (the runtime adds the standard devices), {@code /dev/pts},
 *       {@code /dev/shm}, {@code /dev/mqueue}, {@code /sys} read-only, and {@code /etc/hosts},
 *       {@code /etc/resolv.conf} bound from files of the bundle; then the step's own mounts;
 *   <li>Docker's default capabilities (moby's oci/caps/defaults.go) as bounding, effective and
 *       permitted sets, no inheritable or ambient ones; {@code noNewPrivileges} false, as Docker
 *       (set-user-ID programs such as apt's sandbox helper work);
 *   <li>Docker's masked and read-only {@code /proc} and {@code /sys} paths; device access denied
 *       except what the runtime allows by default;
 *   <li>{@code RLIMIT_NOFILE} at the limit this process has, never above it: raising a hard limit
 *       needs CAP_SYS_RESOURCE, which root lacks on some machines (the runtime would refuse).
 * </ul>
 * No seccomp profile is applied (BuildKit applies Docker's; a build runs the Dockerfile's own
 * commands, which jscan trusts as much as the Dockerfile).
 */
public final class RuntimeConfig {
  /** moby/oci/caps DefaultCapabilities: what a container gets unless told otherwise. */
  static final List<String> DEFAULT_CAPABILITIES = List.of(
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

  /** moby's default masked paths: kernel information a build has no business reading. */
  static final List<String> MASKED_PATHS = List.of(
      "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
      "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

  static final List<String> READONLY_PATHS = List.of(
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  /** The host name a step sees (BuildKit's is "buildkitsandbox"); fixed, so no host name reaches a layer. */
  static final String HOSTNAME = "jscan";

  /** The mounts every step gets, in the order the runtime makes them. */
  static final List<String> STANDARD_DESTINATIONS = List.of(
      "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/etc/hosts", "/etc/resolv.conf");

  /** {@code RUN --network}: BuildKit's modes, and which network namespace each gets here. */
  public enum Network {
    /**
     * BuildKit's default is a private network through a bridge or slirp. jscan uses the host's
     * network namespace (as {@code buildah --network host}): no daemon, bridge or slirp helper is
     * needed, and builds reach the same mirrors and proxies the host does.
     */
    DEFAULT,
    /** a new network namespace with only the loopback interface (the runtime brings it up) */
    NONE,
    HOST
  }

  /** One entry of {@code mounts} (config.md "Mounts"). */
  public record Mount(String destination, String type, String source, List<String> options) {
    public Mount {
      Objects.requireNonNull(destination, "destination");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(source, "source");
      options = List.copyOf(options);
      if (!destination.startsWith("/")) {
        throw new IllegalArgumentException("mount destination must be absolute: " + destination);
      }
    }

    public static Mount bind(String destination, Path source, boolean readOnly) {
      return new Mount(destination, "bind", source.toString(), List.of("rbind", readOnly ? "ro" : "rw"));
    }
  }

  /**
   * The process (config.md "Process").
   *
   * @param cwd absolute; the runtime creates it when it is missing
   */
  public record Process(List<String> args, List<String> env, String cwd, long uid, long gid, List<Long> additionalGids) {
    public Process {
      args = List.copyOf(args);
      env = List.copyOf(env);
      additionalGids = List.copyOf(additionalGids);
      if (args.isEmpty()) {
        throw new IllegalArgumentException("no command");
      }
      if (!cwd.startsWith("/")) {
        throw new IllegalArgumentException("cwd must be absolute: " + cwd);
      }
    }
  }

  private RuntimeConfig() {}

  /**
   * Writes {@code bundle/config.json}, {@code bundle/hosts} and {@code bundle/resolv.conf}.
   *
   * @param rootfs the root file system the runtime runs in (absolute)
   * @param extraMounts the step's own mounts, after the standard ones
   * @param nofile the RLIMIT_NOFILE to set (soft = hard)
   */
  static void write(Path bundle, Path rootfs, Process process, Network network, List<Mount> extraMounts, long nofile,
      byte[] resolvConf) throws IOException {
    Path hosts = bundle.resolve("hosts");
    AtomicFiles.write(hosts, ("127.0.0.1\tlocalhost " + HOSTNAME + "\n::1\tlocalhost ip6-localhost ip6-loopback\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII), bundle);
    Path resolv = bundle.resolve("resolv.conf");
    AtomicFiles.write(resolv, resolvConf, bundle);

    ObjectMapper json = new ObjectMapper();
    ObjectNode c = json.createObjectNode();
    c.put("ociVersion", "1.0.2");
    ObjectNode p = c.putObject("process");
    p.put("terminal", false);
    ObjectNode user = p.putObject("user");
    user.put("uid", process.uid());
    user.put("gid", process.gid());
    if (!process.additionalGids().isEmpty()) {
      ArrayNode gids = user.putArray("additionalGids");
      process.additionalGids().forEach(gids::add);
    }
    strings(p.putArray("args"), process.args());
    strings(p.putArray("env"), process.env());
    p.put("cwd", process.cwd());
    ObjectNode caps = p.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      strings(caps.putArray(set), DEFAULT_CAPABILITIES);
    }
    ObjectNode rlimit = p.putArray("rlimits").addObject();
    rlimit.put("type", "RLIMIT_NOFILE");
    rlimit.put("hard", nofile);
    rlimit.put("soft", nofile);
    p.put("noNewPrivileges", false);

    ObjectNode root = c.putObject("root");
    root.put("path", rootfs.toString());
    root.put("readonly", false);
    c.put("hostname", HOSTNAME);

    ArrayNode mounts = c.putArray("mounts");
    mount(mounts, new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
    mount(mounts, new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
    mount(mounts, new Mount("/dev/pts", "devpts", "devpts",
        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
    mount(mounts, new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
    mount(mounts, new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
    mount(mounts, new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
    mount(mounts, Mount.bind("/etc/hosts", hosts, false));
    mount(mounts, Mount.bind("/etc/resolv.conf", resolv, false));
    for (Mount m : extraMounts) {
      mount(mounts, m);
    }

    ObjectNode linux = c.putObject("linux");
    ArrayNode namespaces = linux.putArray("namespaces");
    for (String ns : List.of("pid", "ipc", "uts", "mount")) {
      namespaces.addObject().put("type", ns);
    }
    if (network == Network.NONE) {
      namespaces.addObject().put("type", "network");
    }
    strings(linux.putArray("maskedPaths"), MASKED_PATHS);
    strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
    ObjectNode deny = linux.putObject("resources").putArray("devices").addObject();
    deny.put("allow", false);
    deny.put("access", "rwm");

    byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(c);
    AtomicFiles.write(bundle.resolve("config.json"), bytes, bundle);
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  private static void mount(ArrayNode mounts, Mount m) {
    ObjectNode o = mounts.addObject();
    o.put("destination", m.destination());
    o.put("type", m.type());
    o.put("source", m.source());
    strings(o.putArray("options"), m.options());
  }

  /** The RLIMIT_NOFILE hard limit of this process ({@code /proc/self/limits}), if it can be read. */
  static Optional<Long> openFilesLimit() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] f = line.substring("Max open files".length()).trim().split("\\s+");
          return Optional.of(f[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
