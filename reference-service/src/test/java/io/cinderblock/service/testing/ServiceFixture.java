package io.cinderblock.service.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.driver.sim.SimulatedArrayServer;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.service.ReferenceService;
import io.cinderblock.service.config.IniFile;
import io.cinderblock.service.config.ServiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Starts the real service (real HTTP on a free loopback port, real database) over SIMULATED arrays
 * and scripted fakes, and breaks and heals their devices. The methods a conformance kit needs are
 * {@link #simulatedDevice(String, Map)} ("start the device and give me a driver config for it"),
 * {@link #breakDevice(String, String)} and {@link #healDevice(String)}.
 */
public final class ServiceFixture implements AutoCloseable {
    /** The service host name used in the tests' configuration. */
    public static final String HOST = "test-host";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final DatabaseFixture database;
    private final SimulatedArrayServer simulator;
    private final Map<String, Map<String, String>> backends = new LinkedHashMap<>();
    private final Map<String, String> defaults = new LinkedHashMap<>();
    private final List<ServerSocket> stallingServers = new CopyOnWriteArrayList<>();
    private final List<Socket> stalledClients = new CopyOnWriteArrayList<>();
    private final List<String> scripts = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ReferenceService service;

    private ServiceFixture(Path directory, DatabaseFixture database) throws IOException {
        this.directory = directory;
        this.database = database;
        this.simulator = SimulatedArrayServer.start(0, Optional.empty());
        defaults.put("host", HOST);
        defaults.put("report_interval", "0.5");
        defaults.put("service_down_time", "5");
        defaults.put("backend_state_interval", "0.2");
        defaults.put("backend_stats_polling_interval", "1");
        defaults.put("backend_probe_threads", "8");
        defaults.put("osapi_volume_listen", "127.0.0.1");
        defaults.put("osapi_volume_listen_port", "0");
    }

    /** A fixture with a simulator running and no backends yet. */
    public static ServiceFixture create(Path directory, DatabaseFixture database) {
        try {
            return new ServiceFixture(directory, database);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Adds a device to the SIMULATED array and returns the driver configuration that reaches it:
     * the reusable "start the device and give me a driver config for it".
     */
    public Map<String, String> simulatedDevice(String device, Map<String, Long> poolsGib) {
        simulator.addDevice(device, poolsGib);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("volume_driver", "sim");
        config.put("sim_host", "127.0.0.1");
        config.put("sim_port", String.valueOf(simulator.port()));
        config.put("sim_device", device);
        config.put("sim_timeout", "300ms");
        return config;
    }

    /** Adds a backend on a new simulated device of the same name. */
    public ServiceFixture simBackend(String section, Map<String, Long> poolsGib) {
        backends.put(section, simulatedDevice(section, poolsGib));
        return this;
    }

    /**
     * Adds a backend on a new simulated device of the same name, with the simulator's answer
     * timeout {@code simTimeout} (e.g. {@code 2s} where a loaded machine must not blip a backend down).
     */
    public ServiceFixture simBackend(String section, Map<String, Long> poolsGib, String simTimeout) {
        Map<String, String> config = simulatedDevice(section, poolsGib);
        config.put("sim_timeout", simTimeout);
        backends.put(section, config);
        return this;
    }

    /** Adds a backend driven by the scripted fake; returns its script. */
    public ScriptedDriverProvider.Script scriptedBackend(String section) {
        String name = section + "-" + System.identityHashCode(this);
        scripts.add(name);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("volume_driver", ScriptedDriverProvider.ID);
        config.put("script", name);
        config.put("api_password", "s3cret-" + name);
        backends.put(section, config);
        return ScriptedDriverProvider.script(name);
    }

    /** Adds a sim backend whose "array" accepts connections and never answers (a hung device). */
    public ServiceFixture stalledBackend(String section) {
        try {
            ServerSocket stall = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            stallingServers.add(stall);
            Thread acceptor = new Thread(() -> {
                while (!stall.isClosed()) {
                    try {
                        stalledClients.add(stall.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "stalled-array-" + section);
            acceptor.setDaemon(true);
            acceptor.start();
            Map<String, String> config = new LinkedHashMap<>();
            config.put("volume_driver", "sim");
            config.put("sim_port", String.valueOf(stall.getLocalPort()));
            config.put("sim_device", section);
            config.put("sim_timeout", "300ms");
            backends.put(section, config);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets a {@code [DEFAULT]} key. */
    public ServiceFixture defaultKey(String key, String value) {
        defaults.put(key, value);
        return this;
    }

    /** Switches a simulated device down: the reusable "break the device". */
    public void breakDevice(String device, String reason) {
        simulator.setDeviceUp(device, false, reason);
    }

    /** Switches a simulated device back up: the reusable "heal the device". */
    public void healDevice(String device) {
        simulator.setDeviceUp(device, true, "");
    }

    /** The simulator's port. */
    public int simulatorPort() {
        return simulator.port();
    }

    /** Writes the configuration file and returns its path. */
    public Path writeConfig() {
        StringBuilder text = new StringBuilder("[DEFAULT]\n");
        defaults.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        text.append("enabled_backends = ").append(String.join(", ", backends.keySet())).append("\n\n");
        backends.forEach((section, options) -> {
            text.append('[').append(section).append("]\n");
            options.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
            text.append('\n');
        });
        Path file = directory.resolve("cinder.conf");
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** The parsed configuration, with the fixture's database. */
    public ServiceConfig config() {
        Path file = writeConfig();
        return ServiceConfig.from(IniFile.read(file), directory, w -> { }).withDatabase(database.settings());
    }

    /** Starts (or restarts) the service. */
    public ServiceFixture start() {
        if (service != null) {
            service.close();
        }
        service = ReferenceService.start(config(), drivers(), Clock.systemUTC());
        return this;
    }

    /** Stops the service, keeping the database and the devices. */
    public void stop() {
        if (service != null) {
            service.close();
            service = null;
        }
    }

    /** The drivers on the test class path: the simulator and the scripted fake. */
    public static DriverRegistry drivers() {
        return DriverRegistry.builder().classLoader(ServiceFixture.class.getClassLoader()).build();
    }

    /** The running service. */
    public ReferenceService service() {
        return service;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String origin() {
        return "http://127.0.0.1:" + service.port();
    }

    /** Sends a request with a noauth admin token; {@code version} may be null for none. */
    public HttpResponse<String> send(String method, String path, String version, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(origin() + path))
                .timeout(Duration.ofSeconds(10))
                .header("X-Auth-Token", "admin:admin")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (version != null) {
            request.header("OpenStack-API-Version", "volume " + version);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET with a noauth admin token. */
    public HttpResponse<String> get(String path, String version) {
        return send("GET", path, version, null, null);
    }

    /** The {@code services} of {@code GET /v3/os-services} at a version. */
    public List<Map<String, Object>> services(String version) {
        HttpResponse<String> response = get("/v3/os-services", version);
        if (response.statusCode() != 200) {
            throw new AssertionError("os-services answered " + response.statusCode() + ": " + response.body());
        }
        try {
            Map<String, List<Map<String, Object>>> body = JSON.readValue(response.body(),
                    new TypeReference<Map<String, List<Map<String, Object>>>>() {});
            return body.get("services");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code backend_state} the list shows at 3.49 for a backend section ({@code "null"} for null). */
    public String backendState(String section) {
        return services("3.49").stream().filter(s -> s.get("host").equals(HOST + "@" + section)).findFirst()
                .map(s -> String.valueOf(s.get("backend_state")))
                .orElseThrow(() -> new AssertionError("no service for backend " + section));
    }

    /** Polls until the condition holds; fails with the last value after {@code timeout}. */
    public static <T> T await(Duration timeout, Supplier<T> value, java.util.function.Predicate<T> done, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = value.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; last value: " + last);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
            last = value.get();
        }
        return last;
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            scripts.forEach(ScriptedDriverProvider::forget);
            simulator.close();
            for (ServerSocket s : stallingServers) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            for (Socket s : stalledClients) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }
}
