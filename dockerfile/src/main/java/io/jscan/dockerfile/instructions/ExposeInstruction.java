package io.jscan.dockerfile.instructions;

import io.jscan.dockerfile.DockerfileException;
import io.jscan.dockerfile.SourceLocation;
import io.jscan.dockerfile.shell.WordExpander;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** {@code EXPOSE port[/proto] ...}; as written the ports are sorted, as BuildKit sorts them when parsing. */
public record ExposeInstruction(SourceLocation location, List<String> ports)
    implements Instruction, Expandable<ExposeInstruction> {
  public ExposeInstruction {
    Objects.requireNonNull(location, "location");
    ports = List.copyOf(ports);
    if (ports.isEmpty()) {
      throw new IllegalArgumentException("EXPOSE requires at least one argument");
    }
  }

  @Override
  public String keyword() {
    return "EXPOSE";
  }

  /** Each port word expanded and split into words, as BuildKit's dispatcher does. */
  @Override
  public ExposeInstruction expand(WordExpander expander) throws DockerfileException {
    List<String> out = new ArrayList<>();
    for (String port : ports) {
      out.addAll(expander.expandToWords(port, location));
    }
    if (out.isEmpty()) {
      throw DockerfileException.at(location, "EXPOSE requires at least one argument");
    }
    return new ExposeInstruction(location, out);
  }

  /**
   * The ports as an image config lists them ({@code 80/tcp}); a range {@code 8000-8002} gives one
   * entry per port. The deprecated {@code [ip:]hostPort:containerPort} forms are accepted and only
   * the container port kept, as in BuildKit. Call on the expanded instruction.
   */
  public List<String> exposedPorts() throws DockerfileException {
    List<String> out = new ArrayList<>();
    for (String raw : ports) {
      out.addAll(PortSpec.parse(raw, location));
    }
    return out;
  }

  /** BuildKit's port parsing (convert_expose.go), rewritten. */
  private static final class PortSpec {
    static List<String> parse(String raw, SourceLocation at) throws DockerfileException {
      String[] parts = raw.split(":", -1);
      String ip = "";
      String hostPort = "";
      String containerPort;
      if (parts.length == 1) {
        containerPort = parts[0];
      } else if (parts.length == 2) {
        hostPort = parts[0];
        containerPort = parts[1];
      } else {
        ip = String.join(":", java.util.Arrays.copyOf(parts, parts.length - 2));
        hostPort = parts[parts.length - 2];
        containerPort = parts[parts.length - 1];
      }
      int slash = containerPort.indexOf('/');
      String port = slash < 0 ? containerPort : containerPort.substring(0, slash);
      String proto = slash < 0 ? "" : containerPort.substring(slash + 1);
      if (port.isEmpty()) {
        throw DockerfileException.at(at, "invalid port: \"" + raw + "\": no port specified");
      }
      proto = switch (proto.toLowerCase(Locale.ROOT)) {
        case "" -> "tcp";
        case "tcp", "udp", "sctp" -> proto;
        default -> throw DockerfileException.at(at, "invalid port: \"" + raw + "\": invalid proto: " + proto);
      };
      if (ip.startsWith("[") && ip.endsWith("]")) {
        ip = ip.substring(1, ip.length() - 1);
      }
      if (!ip.isEmpty() && !isIpAddress(ip)) {
        throw DockerfileException.at(at, "invalid IP address: " + ip);
      }
      int[] range = range(port, at, "invalid containerPort: " + port);
      if (!hostPort.isEmpty()) {
        int[] hostRange = range(hostPort, at, "invalid hostPort: " + hostPort);
        if (range[1] - range[0] != hostRange[1] - hostRange[0] && range[1] != range[0]) {
          throw DockerfileException.at(
              at, "invalid ranges specified for container and host Ports: " + port + " and " + hostPort);
        }
      }
      List<String> out = new ArrayList<>();
      for (int p = range[0]; p <= range[1]; p++) {
        out.add(p + "/" + proto.toLowerCase(Locale.ROOT));
      }
      return out;
    }

    private static int[] range(String ports, SourceLocation at, String error) throws DockerfileException {
      int dash = ports.indexOf('-');
      String start = dash < 0 ? ports : ports.substring(0, dash);
      String end = dash < 0 ? start : ports.substring(dash + 1);
      int s = number(start, at, error);
      if (dash < 0 || start.equals(end)) {
        return new int[] {s, s};
      }
      int e = number(end, at, error);
      if (e < s) {
        throw DockerfileException.at(at, error);
      }
      return new int[] {s, e};
    }

    private static int number(String s, SourceLocation at, String error) throws DockerfileException {
      if (!s.matches("[+-]?[0-9]{1,18}")) {
        throw DockerfileException.at(at, error);
      }
      long v = Long.parseLong(s);
      if (v < 0 || v > 65535) {
        throw DockerfileException.at(at, error);
      }
      return (int) v;
    }

    private static boolean isIpAddress(String ip) {
      if (ip.contains(":")) {
        if (!ip.matches("[0-9A-Fa-f:.]+")) {
          return false;
        }
        try {
          // a literal with ':' is parsed, never looked up
          return java.net.InetAddress.getByName(ip) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
          return false;
        }
      }
      String[] octets = ip.split("\\.", -1);
      if (octets.length != 4) {
        return false;
      }
      for (String o : octets) {
        if (!o.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(o) > 255) {
          return false;
        }
      }
      return true;
    }
  }
}
