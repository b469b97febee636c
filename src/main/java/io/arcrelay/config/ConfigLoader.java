package io.arcrelay.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link RelayConfig} from layered sources: defaults, then the config file, then the
 * environment, then flags. Every value is read as text and parsed in one place, so a bad value
 * gives the same one-line error whichever layer it came from.
 */
public final class ConfigLoader {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

  private ConfigLoader() {}

  /**
   * @param flags       values given on the command line
   * @param environment the process environment (only {@code ARC_RELAY_*} variables are read)
   * @param configFile  JSON file to read, or null for none; a missing file is an error
   */
  public static RelayConfig load(Map<Setting, String> flags, Map<String, String> environment,
      Path configFile) {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    Map<Setting, String> origins = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      values.put(s, s.defaultValue());
      origins.put(s, s.flag());
    }
    if (configFile != null) {
      JsonObject json = readJson(configFile);
      for (String key : json.fieldNames()) {
        Setting s = byKey(key, configFile);
        values.put(s, String.valueOf(json.getValue(key)));
        origins.put(s, configFile + ": " + key);
      }
    }
    for (Setting s : Setting.values()) {
      String v = environment.get(s.env());
      if (v != null) {
        values.put(s, v);
        origins.put(s, s.env());
      }
    }
    flags.forEach((s, v) -> {
      values.put(s, v);
      origins.put(s, s.flag());
    });
    return build(new Reader(values, origins));
  }

  /** Builds each part by name: every setting is set on the component named after it. */
  private static RelayConfig build(Reader r) {
    PairingConfig pairing = PairingConfig.builder()
        .pairTtl(r.duration(Setting.PAIR_TTL))
        .minCodeLength((int) r.integer(Setting.MIN_CODE_LENGTH))
        .build();
    LimitsConfig limits = LimitsConfig.builder()
        .pingInterval(r.duration(Setting.PING_INTERVAL))
        .holdLimit(r.size(Setting.HOLD_LIMIT))
        .maxMessageSize((int) Math.min(Integer.MAX_VALUE, r.size(Setting.MAX_MESSAGE_SIZE)))
        .maxFrameSize((int) Math.min(Integer.MAX_VALUE, r.size(Setting.MAX_FRAME_SIZE)))
        .queueLimit(r.size(Setting.QUEUE_LIMIT))
        .memoryBudget(r.size(Setting.MEMORY_BUDGET))
        .stallTimeout(r.duration(Setting.STALL_TIMEOUT))
        .build();
    LifecycleConfig lifecycle = LifecycleConfig.builder()
        .eventLoops((int) r.integer(Setting.EVENT_LOOPS))
        .drainDelay(r.duration(Setting.DRAIN_DELAY))
        .shutdownGrace(r.duration(Setting.SHUTDOWN_GRACE))
        .build();
    EdgeConfig edge = EdgeConfig.builder()
        .maxConnections(maxConnections((int) r.integer(Setting.MAX_CONNECTIONS)))
        .maxConnectionsPerIp((int) r.integer(Setting.MAX_CONNECTIONS_PER_IP))
        .upgradesPerIp((int) r.integer(Setting.UPGRADES_PER_IP))
        .refusalsPerIp((int) r.integer(Setting.REFUSALS_PER_IP))
        .requestTimeout(r.duration(Setting.REQUEST_TIMEOUT))
        .trustedProxies(r.list(Setting.TRUSTED_PROXIES))
        .proxyProtocol(r.bool(Setting.PROXY_PROTOCOL))
        .accessSecret(r.text(Setting.ACCESS_SECRET))
        .allowedOrigins(r.list(Setting.ALLOWED_ORIGINS))
        .build();
    ListenConfig listen = ListenConfig.builder()
        .host(r.text(Setting.HOST))
        .port((int) r.integer(Setting.PORT))
        .managementHost(r.text(Setting.MANAGEMENT_HOST).isEmpty() ? r.text(Setting.HOST) : r.text(Setting.MANAGEMENT_HOST))
        .managementPort((int) r.integer(Setting.MANAGEMENT_PORT))
        .tlsCert(r.text(Setting.TLS_CERT))
        .tlsKey(r.text(Setting.TLS_KEY))
        .build();
    ClusterConfig cluster = ClusterConfig.builder()
        .enabled(r.bool(Setting.CLUSTER))
        .host(r.text(Setting.CLUSTER_HOST))
        .port((int) r.integer(Setting.CLUSTER_PORT))
        .dns(r.text(Setting.CLUSTER_DNS))
        .quorum((int) r.integer(Setting.CLUSTER_QUORUM))
        .hazelcastConfig(r.text(Setting.CLUSTER_CONFIG))
        .tlsCert(r.text(Setting.CLUSTER_TLS_CERT))
        .tlsKey(r.text(Setting.CLUSTER_TLS_KEY))
        .tlsCa(r.text(Setting.CLUSTER_TLS_CA))
        .build();
    TunnelConfig tunnel = TunnelConfig.builder()
        .domain(r.text(Setting.TUNNEL_DOMAIN))
        .tokens(r.list(Setting.TUNNEL_TOKENS))
        .connectTimeout(r.duration(Setting.TUNNEL_CONNECT_TIMEOUT))
        .responseTimeout(r.duration(Setting.TUNNEL_RESPONSE_TIMEOUT))
        .linksPerTunnel((int) r.integer(Setting.TUNNEL_LINKS_PER_TUNNEL))
        .namesPerToken((int) r.integer(Setting.TUNNEL_NAMES_PER_TOKEN))
        .build();
    return new RelayConfig(listen, limits, edge, pairing, lifecycle, cluster, tunnel);
  }

  /**
   * 0 means: as many as the process may open files, less 1,024 kept for the cluster, the JVM, and
   * the health and metrics requests that must still be answered when the node is full.
   */
  private static int maxConnections(int configured) {
    if (configured != 0) return configured;
    long files = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount() : 4096;
    return (int) Math.max(64, Math.min(Integer.MAX_VALUE, files - 1024));
  }

  private static JsonObject readJson(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such config file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
    } catch (DecodeException e) {
      throw new ConfigException(file + ": not a JSON object");
    }
  }

  private static Setting byKey(String key, Path file) {
    for (Setting s : Setting.values()) {
      if (s.key().equals(key)) return s;
    }
    throw new ConfigException(file + ": unknown setting '" + key + "'");
  }

  /** Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) throw new IllegalArgumentException("expected a duration like 250ms, 30s, 5m or 1h");
    try {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration too large");
    }
  }

  /**
   * A duration as a setting would be written, in the largest unit that holds it whole: {@code 5m},
   * {@code 2s}, {@code 250ms}, {@code 1h}, {@code 0s}. {@link #parseDuration} reads it back.
   */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) return "0s";
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1_000 == 0) return ms / 1_000 + "s";
    return ms + "ms";
  }

  /** Parses a byte count: {@code 65536}, {@code 64KiB}, {@code 1MiB}, {@code 2g} (units are powers of 1024). */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) throw new IllegalArgumentException("expected a size like 65536, 64KiB or 16MiB");
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    int shift = switch (unit.charAt(0)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      default -> 0;
    };
    if (n > (Long.MAX_VALUE >> shift)) throw new IllegalArgumentException("size too large");
    return n << shift;
  }

  /** Reads values and names the layer a bad one came from. */
  private record Reader(Map<Setting, String> values, Map<Setting, String> origins) {

    String text(Setting s) {
      return values.get(s).trim();
    }

    long integer(Setting s) {
      try {
        return Long.parseLong(text(s));
      } catch (NumberFormatException e) {
        throw bad(s, "expected a whole number");
      }
    }

    /** Comma-separated; a JSON array in the config file arrives as its text form {@code [a,b]}. */
    List<String> list(Setting s) {
      String text = text(s);
      if (text.startsWith("[") && text.endsWith("]")) text = text.substring(1, text.length() - 1);
      return Arrays.stream(text.split(","))
          .map(item -> item.trim().replaceAll("^\"|\"$", ""))
          .filter(item -> !item.isEmpty())
          .toList();
    }

    boolean bool(Setting s) {
      return switch (text(s).toLowerCase(Locale.ROOT)) {
        case "true", "yes", "1" -> true;
        case "false", "no", "0" -> false;
        default -> throw bad(s, "expected true or false");
      };
    }

    Duration duration(Setting s) {
      try {
        return parseDuration(text(s));
      } catch (IllegalArgumentException e) {
        throw bad(s, e.getMessage());
      }
    }

    long size(Setting s) {
      try {
        return parseSize(text(s));
      } catch (IllegalArgumentException e) {
        throw bad(s, e.getMessage());
      }
    }

    private ConfigException bad(Setting s, String why) {
      return new ConfigException(origins.get(s) + ": " + why + ", got '" + values.get(s) + "'");
    }
  }
}
