package io.cinderblock.service.config;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.auth.KeystoneSettings;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The service's configuration, read from a {@code cinder.conf}-style file. Everything is checked
 * here, before anything starts: a bad value stops start-up with the file, section and key named;
 * an unknown key is reported to the warning sink and ignored (a real {@code cinder.conf} carries many
 * keys this service has no use for).
 *
 * @param source the file it came from, for messages
 * @param host {@code [DEFAULT] host}: the service host name, default the machine's
 * @param availabilityZone {@code storage_availability_zone}, default {@code nova}
 * @param serviceDownTime {@code service_down_time}: a service whose heartbeat is older is {@code down}
 * @param reportInterval {@code report_interval}: heartbeat period (Cinder: 10 s)
 * @param stateInterval {@code backend_state_interval}: state probe period (default 5 s)
 * @param statsInterval {@code backend_stats_polling_interval}: full stats period (Cinder: 60 s)
 * @param probeThreads {@code backend_probe_threads}: the bounded pool that probes backends
 * @param listenAddress {@code osapi_volume_listen}, default 127.0.0.1
 * @param listenPort {@code osapi_volume_listen_port}, default 8776 (0: a free port)
 * @param maxRequestBodySize {@code osapi_max_request_body_size} in bytes (Cinder: 114688)
 * @param driversDirectory {@code drivers_dir}: a directory of driver jars, optional
 * @param database the {@code [database]} section
 * @param auth the {@code [auth]} section
 * @param backends the sections named in {@code enabled_backends}, in that order
 */
public record ServiceConfig(
        String source,
        String host,
        String availabilityZone,
        Duration serviceDownTime,
        Duration reportInterval,
        Duration stateInterval,
        Duration statsInterval,
        int probeThreads,
        String listenAddress,
        int listenPort,
        int maxRequestBodySize,
        Optional<Path> driversDirectory,
        DatabaseSettings database,
        AuthSettings auth,
        List<BackendSection> backends) {

    /** The section for service-wide keys. */
    public static final String DEFAULT_SECTION = "DEFAULT";
    /** Where the SQLite file goes when {@code [database] connection} is not set. */
    public static final String DEFAULT_DATABASE = "sqlite:///cinderblock-data/cinderblock.db";

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}");
    private static final Pattern BACKEND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Set<String> DEFAULT_KEYS = Set.of("host", "enabled_backends", "storage_availability_zone",
            "service_down_time", "report_interval", "backend_state_interval", "backend_stats_polling_interval",
            "backend_probe_threads", "osapi_volume_listen", "osapi_volume_listen_port", "osapi_max_request_body_size",
            "drivers_dir", "auth_strategy");
    private static final Set<String> DATABASE_KEYS = Set.of("connection", "user", "password", "max_pool_size");
    private static final Set<String> AUTH_KEYS = Set.of("strategy", "tokens_file");

    public ServiceConfig {
        requireNonNull(source, "source is null");
        requireNonNull(host, "host is null");
        requireNonNull(availabilityZone, "availabilityZone is null");
        requireNonNull(serviceDownTime, "serviceDownTime is null");
        requireNonNull(reportInterval, "reportInterval is null");
        requireNonNull(stateInterval, "stateInterval is null");
        requireNonNull(statsInterval, "statsInterval is null");
        requireNonNull(listenAddress, "listenAddress is null");
        requireNonNull(driversDirectory, "driversDirectory is null");
        requireNonNull(database, "database is null");
        requireNonNull(auth, "auth is null");
        backends = List.copyOf(requireNonNull(backends, "backends is null"));
    }

    /**
     * Reads a parsed file.
     *
     * @param baseDirectory relative paths in the file ({@code tokens_file}, {@code drivers_dir},
     *     a relative SQLite file) resolve against it
     * @param warnings receives one message per unknown key
     * @throws ConfigException naming file, section and key of the first bad value
     */
    public static ServiceConfig from(IniFile file, Path baseDirectory, Consumer<String> warnings) {
        Reader r = new Reader(file, warnings);
        String source = file.source();
        Map<String, String> defaults = file.section(DEFAULT_SECTION);
        r.warnUnknown(DEFAULT_SECTION, defaults, DEFAULT_KEYS);

        String host = r.string(DEFAULT_SECTION, "host").orElseGet(ServiceConfig::machineHostName);
        if (!HOST.matcher(host).matches()) {
            throw r.bad(DEFAULT_SECTION, "host", host, "must match " + HOST.pattern());
        }
        String zone = r.string(DEFAULT_SECTION, "storage_availability_zone").orElse("nova");
        if (zone.isBlank()) {
            throw r.bad(DEFAULT_SECTION, "storage_availability_zone", zone, "must not be blank");
        }
        Duration downTime = r.duration(DEFAULT_SECTION, "service_down_time", Duration.ofSeconds(60));
        Duration report = r.duration(DEFAULT_SECTION, "report_interval", Duration.ofSeconds(10));
        if (report.compareTo(downTime) >= 0) {
            throw r.bad(DEFAULT_SECTION, "report_interval", file.value(DEFAULT_SECTION, "report_interval").orElse("10"),
                    "must be shorter than service_down_time (" + downTime.toMillis() / 1000.0 + " s), or every"
                    + " service would flap down between heartbeats");
        }
        Duration state = r.duration(DEFAULT_SECTION, "backend_state_interval", Duration.ofSeconds(5));
        Duration stats = r.duration(DEFAULT_SECTION, "backend_stats_polling_interval", Duration.ofSeconds(60));
        int threads = r.integer(DEFAULT_SECTION, "backend_probe_threads", 16, 1, 1024);
        String listen = r.string(DEFAULT_SECTION, "osapi_volume_listen").orElse("127.0.0.1");
        int port = r.integer(DEFAULT_SECTION, "osapi_volume_listen_port", 8776, 0, 65535);
        int bodySize = r.integer(DEFAULT_SECTION, "osapi_max_request_body_size", 114688, 1, Integer.MAX_VALUE);
        Optional<Path> drivers = r.string(DEFAULT_SECTION, "drivers_dir").map(p -> baseDirectory.resolve(p).normalize());

        List<String> enabled = new ArrayList<>();
        for (String name : r.string(DEFAULT_SECTION, "enabled_backends").orElse("").split(",")) {
            String backend = name.strip();
            if (backend.isEmpty()) {
                continue;
            }
            if (!BACKEND.matcher(backend).matches()) {
                throw r.bad(DEFAULT_SECTION, "enabled_backends", backend, "each name must match " + BACKEND.pattern());
            }
            if (enabled.contains(backend)) {
                throw r.bad(DEFAULT_SECTION, "enabled_backends", backend, "names a backend twice");
            }
            if (!file.hasSection(backend)) {
                throw new ConfigException(source + ": [DEFAULT] enabled_backends names '" + backend
                        + "' but the file has no [" + backend + "] section");
            }
            enabled.add(backend);
        }

        Map<String, String> db = file.section("database");
        r.warnUnknown("database", db, DATABASE_KEYS);
        String connection = r.string("database", "connection").orElse(DEFAULT_DATABASE);
        DatabaseSettings database = DatabaseSettings.parse(connection, r.string("database", "user"),
                r.string("database", "password"), r.integer("database", "max_pool_size", 10, 1, 1000), baseDirectory,
                message -> new ConfigException(source + ": [database] connection: " + message));

        Map<String, String> authSection = file.section("auth");
        r.warnUnknown("auth", authSection, AUTH_KEYS);
        // Cinder's [DEFAULT] auth_strategy, or this service's older [auth] strategy; not both, differing.
        Optional<String> cinderStrategy = r.string(DEFAULT_SECTION, "auth_strategy");
        Optional<String> ownStrategy = r.string("auth", "strategy");
        if (cinderStrategy.isPresent() && ownStrategy.isPresent()
                && !cinderStrategy.get().equalsIgnoreCase(ownStrategy.get())) {
            throw new ConfigException(source + ": [DEFAULT] auth_strategy = '" + cinderStrategy.get()
                    + "' and [auth] strategy = '" + ownStrategy.get() + "' differ: set one of them");
        }
        String strategy = cinderStrategy.or(() -> ownStrategy).orElse("noauth").toLowerCase(Locale.ROOT);
        r.warnUnknown("oslo_policy", file.section("oslo_policy"), Set.of("policy_file"));
        Optional<Path> policyFile = r.string("oslo_policy", "policy_file")
                .map(p -> baseDirectory.resolve(p).normalize());
        AuthSettings auth;
        switch (strategy) {
            case "noauth":
                auth = new AuthSettings(AuthSettings.Strategy.NOAUTH, Optional.empty(), Optional.empty(), policyFile);
                break;
            case "tokens":
                Path tokens = r.string("auth", "tokens_file").map(p -> baseDirectory.resolve(p).normalize())
                        .orElseThrow(() -> new ConfigException(source + ": [auth] tokens_file is required with"
                                + " strategy = tokens"));
                auth = new AuthSettings(AuthSettings.Strategy.TOKENS, Optional.of(tokens), Optional.empty(), policyFile);
                break;
            case "keystone":
                auth = new AuthSettings(AuthSettings.Strategy.KEYSTONE, Optional.empty(), Optional.of(
                        KeystoneSettings.from(source, file.section(KeystoneSettings.SECTION), baseDirectory,
                                warnings)), policyFile);
                break;
            default:
                throw r.bad(cinderStrategy.isPresent() ? DEFAULT_SECTION : "auth",
                        cinderStrategy.isPresent() ? "auth_strategy" : "strategy", strategy,
                        "must be 'noauth', 'tokens' or 'keystone'");
        }

        List<BackendSection> backends = new ArrayList<>();
        for (String name : enabled) {
            Map<String, String> values = new LinkedHashMap<>(file.section(name));
            String driver = values.remove("volume_driver");
            if (driver == null || driver.isBlank()) {
                throw new ConfigException(source + ": [" + name + "] volume_driver is required (a driver id such as"
                        + " 'sim' or 'lvm')");
            }
            String backendName = Optional.ofNullable(values.remove("volume_backend_name")).orElse(name).strip();
            if (backendName.isEmpty()) {
                throw r.bad(name, "volume_backend_name", backendName, "must not be blank");
            }
            backends.add(new BackendSection(name, driver.strip(), backendName, values));
        }
        return new ServiceConfig(source, host, zone, downTime, report, state, stats, threads, listen, port, bodySize,
                drivers, database, auth, backends);
    }

    /** The service host name Cinder would use: the machine's host name. */
    static String machineHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return HOST.matcher(name).matches() ? name : "localhost";
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The same configuration listening on another port (tests pass 0 for a free one). */
    public ServiceConfig withListenPort(int port) {
        return new ServiceConfig(source, host, availabilityZone, serviceDownTime, reportInterval, stateInterval,
                statsInterval, probeThreads, listenAddress, port, maxRequestBodySize, driversDirectory, database, auth,
                backends);
    }

    /** The same configuration with another database. */
    public ServiceConfig withDatabase(DatabaseSettings value) {
        return new ServiceConfig(source, host, availabilityZone, serviceDownTime, reportInterval, stateInterval,
                statsInterval, probeThreads, listenAddress, listenPort, maxRequestBodySize, driversDirectory, value,
                auth, backends);
    }

    /** Reads typed values, producing errors that name file, section and key. */
    private static final class Reader {
        private final IniFile file;
        private final Consumer<String> warnings;

        Reader(IniFile file, Consumer<String> warnings) {
            this.file = file;
            this.warnings = warnings;
        }

        void warnUnknown(String section, Map<String, String> values, Set<String> known) {
            Set<String> unknown = new LinkedHashSet<>(values.keySet());
            unknown.removeAll(known);
            unknown.forEach(key -> warnings.accept(file.source() + ": [" + section + "] " + key
                    + ": unknown key, ignored"));
        }

        Optional<String> string(String section, String key) {
            return file.value(section, key).map(String::strip);
        }

        ConfigException bad(String section, String key, String value, String rule) {
            return new ConfigException(file.source() + ": [" + section + "] " + key + " = '" + value + "': " + rule);
        }

        int integer(String section, String key, int defaultValue, int min, int max) {
            Optional<String> text = string(section, key);
            if (text.isEmpty()) {
                return defaultValue;
            }
            try {
                int value = Integer.parseInt(text.get());
                if (value < min || value > max) {
                    throw bad(section, key, text.get(), "must be between " + min + " and " + max);
                }
                return value;
            } catch (NumberFormatException e) {
                throw bad(section, key, text.get(), "must be an integer");
            }
        }

        /** Seconds as oslo.config writes them ({@code 60}, {@code 0.5}), or with a unit ({@code 500ms}, {@code 2s}). */
        Duration duration(String section, String key, Duration defaultValue) {
            Optional<String> text = string(section, key);
            if (text.isEmpty()) {
                return defaultValue;
            }
            try {
                Duration value = parseDuration(text.get());
                if (value.isZero() || value.isNegative()) {
                    throw bad(section, key, text.get(), "must be positive");
                }
                return value;
            } catch (NumberFormatException | ArithmeticException e) {
                throw bad(section, key, text.get(), "must be a number of seconds (e.g. 60 or 0.5) or have a unit"
                        + " (500ms, 2s, 1m)");
            }
        }
    }

    static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        BigDecimal millisPerUnit = BigDecimal.valueOf(1000);
        if (t.endsWith("ms")) {
            millisPerUnit = BigDecimal.ONE;
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            millisPerUnit = BigDecimal.valueOf(60_000);
            t = t.substring(0, t.length() - 1);
        }
        BigDecimal millis = new BigDecimal(t.strip()).multiply(millisPerUnit);
        return Duration.ofMillis(millis.longValueExact());
    }
}
