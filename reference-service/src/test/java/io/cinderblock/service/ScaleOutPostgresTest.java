package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.driver.sim.SimulatedArrayServer;
import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.PrivatePostgres;
import io.cinderblock.service.testing.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out with real processes on a real PostgreSQL: agents ({@code serve --role agent}) for two
 * hosts and an API node ({@code serve --role api}), each its own JVM started from this test's class
 * path, over SIMULATED arrays (one {@code driver-sim} simulator in the test JVM, reached over TCP).
 */
class ScaleOutPostgresTest {
    /** Short times so the test stays well under a minute. */
    private static final int SERVICE_DOWN_TIME_S = 3;
    private static final Duration START = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<ServiceProcess> processes = new ArrayList<>();
    private SimulatedArrayServer simulator;

    @BeforeEach
    void startSimulator() throws IOException {
        simulator = SimulatedArrayServer.start(0, Optional.empty());
        for (String device : List.of("a1", "a2", "b1", "b2")) {
            simulator.addDevice(device, Map.of("pool", 100L));
        }
    }

    @AfterEach
    void stopAll() {
        processes.forEach(ServiceProcess::close);
        simulator.close();
    }

    @Test
    void agentsOnTwoHostsAndAnApiNodeShareOnePostgresql() throws Exception {
        try (DatabaseFixture db = DatabaseFixture.postgresql("scaleout")) {
            String url = db.settings().jdbcUrl();
            String user = db.settings().user().orElseThrow();
            String password = db.settings().password().orElseThrow();
            Path agentA = config("node-a", List.of("a1", "a2"), url, user, password);
            Path agentB = config("node-b", List.of("b1", "b2"), url, user, password);
            Path api = config("api-1", List.of(), url, user, password);

            // All three at once on an empty schema: the migrations run once, under their lock.
            ServiceProcess a = start("agent-a", agentA, "agent");
            ServiceProcess b = start("agent-b", agentB, "agent");
            ServiceProcess apiNode = start("api", api, "api");
            int apiPort = apiNode.awaitPort(START);
            a.awaitPort(START);
            b.awaitPort(START);

            awaitList(apiPort, "all four backends up", services -> count(services, s -> isVolume(s)
                    && "up".equals(text(s, "backend_state")) && "up".equals(text(s, "state"))) == 4);

            // A second agent for node-a is refused, naming the host and the holder.
            ServiceProcess duplicate = start("agent-a-duplicate", agentA, "agent");
            assertThat(duplicate.awaitExit(START)).isEqualTo(2);
            assertThat(duplicate.output()).contains("host 'node-a' is already served by another agent (process "
                    + a.pid());

            // A device failing on one host reaches the API node within one probe interval plus one refresh.
            long failed = System.nanoTime();
            simulator.setDeviceUp("b1", false, "controller failed");
            awaitList(apiPort, "node-b@b1 down", services -> "down".equals(text(find(services, "node-b@b1"),
                    "backend_state")));
            assertThat(Duration.ofNanos(System.nanoTime() - failed)).isLessThan(Duration.ofSeconds(3));
            // The API node's status page shows what the agent process recorded: the transition time of
            // the failure, and which node, role and version serve the row.
            JsonNode status = get(apiPort, "/status/data");
            assertThat(status.path("this_node").path("role").asText()).isEqualTo("api");
            JsonNode b1 = findRow(status, "node-b@b1");
            assertThat(b1.path("overall").asText()).isEqualTo("down");
            assertThat(Instant.parse(b1.path("changed_at").asText())).isAfter(Instant.now().minusSeconds(5));
            assertThat(b1.path("role").asText()).isEqualTo("agent");
            assertThat(b1.path("node").asText()).isEqualTo(status.path("this_node").path("node").asText());
            assertThat(b1.path("stats_stale_reason").asText()).isEqualTo("backend down");
            simulator.setDeviceUp("b1", true, "");

            // SIGKILL agent A: its rows turn down after service_down_time and backend_state reads null,
            // never a frozen 'up'; agent B's rows stay up.
            a.kill();
            long killed = System.nanoTime();
            List<JsonNode> afterKill = awaitList(apiPort, "node-a's services down with backend_state null",
                    services -> services.stream().filter(s -> text(s, "host").startsWith("node-a"))
                            .allMatch(s -> "down".equals(text(s, "state"))
                                    && (!isVolume(s) || s.get("backend_state").isNull())));
            assertThat(Duration.ofNanos(System.nanoTime() - killed))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(SERVICE_DOWN_TIME_S - 1));
            assertThat(afterKill.stream().filter(s -> text(s, "host").startsWith("node-b@")))
                    .allSatisfy(s -> assertThat(text(s, "state")).isEqualTo("up"));
            // Its pools leave get_pools with it.
            JsonNode pools = get(apiPort, "/v3/scheduler-stats/get_pools");
            assertThat(pools.get("pools").findValuesAsText("name")).noneMatch(n -> n.startsWith("node-a"))
                    .anyMatch(n -> n.startsWith("node-b@b2"));

            // Restarted, it takes node-a back at once (the old holder is a dead process on this machine)
            // and reuses its rows: no duplicates.
            ServiceProcess restarted = start("agent-a-restarted", agentA, "agent");
            restarted.awaitPort(START);
            List<JsonNode> back = awaitList(apiPort, "node-a back up", services -> count(services,
                    s -> text(s, "host").startsWith("node-a@") && "up".equals(text(s, "backend_state"))) == 2);
            Set<String> keys = new HashSet<>();
            for (JsonNode s : back) {
                assertThat(keys.add(text(s, "host") + " " + text(s, "binary"))).as("duplicate row %s", s).isTrue();
            }
            assertThat(keys).containsExactlyInAnyOrder("node-a cinder-scheduler", "node-a@a1 cinder-volume",
                    "node-a@a2 cinder-volume", "node-b cinder-scheduler", "node-b@b1 cinder-volume",
                    "node-b@b2 cinder-volume");

            // The operations endpoints of both kinds of node.
            assertThat(plain(apiPort, "/healthz").statusCode()).isEqualTo(200);
            assertThat(plain(apiPort, "/readyz").statusCode()).isEqualTo(200);
            String metrics = plain(apiPort, "/metrics").body();
            assertThat(metrics).contains("cinderblock_backend_state{backend=\"node-b@b2\"} 1.0")
                    .contains("cinderblock_pool_total_capacity_gb{backend=\"node-a@a1\",pool=\"node-a@a1#pool\"} 100.0")
                    .contains("jvm_memory_used_bytes");
            int agentPort = restarted.awaitPort(START);
            String agentMetrics = plain(agentPort, "/metrics").body();
            assertThat(agentMetrics).contains("cinderblock_probe_duration_seconds_count{backend=\"node-a@a1\"}")
                    .contains("cinderblock_stats_last_success_timestamp_seconds{backend=\"node-a@a2\"}")
                    .doesNotContain("node-b@");
            assertThat(plain(agentPort, "/v3/").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void apiNodeKeepsAnsweringWhileTheDatabaseRestarts() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start()) {
            Path agentB = config("node-b", List.of("b1", "b2"), pg.jdbcUrl(), pg.user(), pg.password());
            Path api = config("api-1", List.of(), pg.jdbcUrl(), pg.user(), pg.password());
            ServiceProcess b = start("agent-b", agentB, "agent");
            ServiceProcess apiNode = start("api", api, "api");
            int apiPort = apiNode.awaitPort(START);
            b.awaitPort(START);
            awaitList(apiPort, "both backends up", services -> count(services,
                    s -> isVolume(s) && "up".equals(text(s, "backend_state"))) == 2);

            pg.stopServer();
            // Answers from the snapshot, at once, for longer than the readiness limit...
            long stopped = System.nanoTime();
            boolean sawNotReady = false;
            while (System.nanoTime() - stopped < Duration.ofSeconds(5).toNanos()) {
                long asked = System.nanoTime();
                HttpResponse<String> list = plain(apiPort, "/v3/os-services");
                assertThat(list.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofMillis(500));
                assertThat(JSON.readTree(list.body()).get("services")).hasSize(3);
                sawNotReady |= plain(apiPort, "/readyz").statusCode() == 503;
                Thread.sleep(100);
            }
            // ...while /readyz tells the load balancer the picture is getting old.
            assertThat(sawNotReady).as("/readyz went 503 while the database was down").isTrue();
            assertThat(plain(apiPort, "/healthz").statusCode()).isEqualTo(200);

            pg.startServer();
            // Recovers by itself: ready again, and new reports flow.
            awaitStatus(apiPort, "/readyz", 200, Duration.ofSeconds(20));
            simulator.setDeviceUp("b2", false, "shelf failed");
            awaitList(apiPort, "node-b@b2 down after the restart",
                    services -> "down".equals(text(find(services, "node-b@b2"), "backend_state")));
        }
    }

    // ------------------------------------------------------------------ helpers

    private Path config(String host, List<String> backends, String url, String user, String password)
            throws IOException {
        StringBuilder conf = new StringBuilder();
        conf.append("[DEFAULT]\nhost = ").append(host).append('\n')
                .append("enabled_backends = ").append(String.join(",", backends)).append('\n')
                .append("report_interval = 0.5\nservice_down_time = ").append(SERVICE_DOWN_TIME_S).append('\n')
                .append("backend_state_interval = 0.2\nbackend_stats_polling_interval = 1\n")
                .append("osapi_volume_listen = 127.0.0.1\nosapi_volume_listen_port = 0\n")
                .append("[database]\nconnection = ").append(url).append("\nuser = ").append(user)
                .append("\npassword = ").append(password).append("\nmax_pool_size = 4\n");
        for (String backend : backends) {
            conf.append('[').append(backend).append("]\nvolume_driver = sim\nsim_host = 127.0.0.1\nsim_port = ")
                    .append(simulator.port()).append("\nsim_device = ").append(backend)
                    .append("\nsim_timeout = 300ms\n");
        }
        Path file = directory.resolve(host + "-" + System.nanoTime() + ".conf");
        // The file holds the test database's generated password: owner-only.
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        return file;
    }

    private ServiceProcess start(String name, Path config, String role) {
        ServiceProcess process = ServiceProcess.start(name, config, role, directory);
        processes.add(process);
        return process;
    }

    private List<JsonNode> awaitList(int port, String what, Predicate<List<JsonNode>> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<JsonNode> services = List.of();
        while (System.nanoTime() < deadline) {
            services = new ArrayList<>();
            JsonNode list = get(port, "/v3/os-services");
            list.get("services").forEach(services::add);
            if (condition.test(services)) {
                return services;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("Not reached within 20 s: " + what + "; last list: " + services + "\n"
                + processLogs());
    }

    private void awaitStatus(int port, String path, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = plain(port, path).statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " answered " + last + ", not " + status + ", for " + timeout + "\n"
                + processLogs());
    }

    private String processLogs() {
        StringBuilder logs = new StringBuilder();
        for (ServiceProcess p : processes) {
            String output = p.output();
            logs.append("---- ").append(p).append('\n')
                    .append(output.length() > 4000 ? output.substring(output.length() - 4000) : output);
        }
        return logs.toString();
    }

    private JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = plain(port, path);
        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> plain(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Auth-Token", "admin:admin").header("OpenStack-API-Version", "volume 3.49")
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode findRow(JsonNode statusData, String host) {
        for (JsonNode row : statusData.path("services")) {
            if (row.path("host").asText().equals(host)) {
                return row;
            }
        }
        throw new AssertionError("no row " + host + " in " + statusData);
    }

    private static JsonNode find(List<JsonNode> services, String host) {
        return services.stream().filter(s -> text(s, "host").equals(host) && isVolume(s)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume service " + host + " in " + services));
    }

    private static long count(List<JsonNode> services, Predicate<JsonNode> condition) {
        return services.stream().filter(condition).count();
    }

    private static boolean isVolume(JsonNode service) {
        return "cinder-volume".equals(text(service, "binary"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
