package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.service.store.Database;
import io.cinderblock.service.store.ServiceStore;
import io.cinderblock.service.store.StoredService;
import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.ScriptedDriverProvider;
import io.cinderblock.service.testing.ServiceFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service end to end: real HTTP on a free loopback port, a real database, SIMULATED arrays and
 * scripted fakes whose devices break and heal while it runs. Runs once per database (subclasses).
 */
abstract class ServiceSuite {
    /** State probe interval (0.2 s) plus the simulated driver's deadline (2 x 300 ms + 250 ms), with slack for a busy CI machine. */
    static final Duration WITHIN_PROBE_AND_DEADLINE = Duration.ofSeconds(6);

    @TempDir
    Path directory;

    DatabaseFixture database;
    ServiceFixture fixture;

    /** The database this run uses. */
    abstract DatabaseFixture database(Path dir);

    @BeforeEach
    void createFixture() {
        database = database(directory);
        fixture = ServiceFixture.create(directory, database);
    }

    @AfterEach
    void closeFixture() {
        try {
            if (fixture != null) {
                fixture.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    private void awaitState(String section, String expected) {
        ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, () -> fixture.backendState(section), expected::equals,
                "backend_state of " + section + " to be " + expected);
    }

    @Test
    @DisplayName("lists the scheduler and one cinder-volume row per backend, keys in Cinder's order per microversion")
    void listsServicesInCinderShape() {
        fixture.simBackend("gold", Map.of("a", 100L)).simBackend("silver", Map.of("b", 200L)).start();
        awaitState("gold", "up");
        awaitState("silver", "up");

        List<Map<String, Object>> at349 = fixture.services("3.49");
        assertThat(at349).extracting(s -> s.get("host"))
                .containsExactly(ServiceFixture.HOST, ServiceFixture.HOST + "@gold", ServiceFixture.HOST + "@silver");
        assertThat(at349.get(0).keySet()).containsExactly("binary", "host", "zone", "status", "state", "updated_at",
                "cluster", "disabled_reason");
        assertThat(at349.get(1).keySet()).containsExactly("binary", "host", "zone", "status", "state", "updated_at",
                "backend_state", "cluster", "disabled_reason", "replication_status", "active_backend_id", "frozen");
        assertThat(at349.get(1)).containsEntry("state", "up").containsEntry("status", "enabled")
                .containsEntry("binary", "cinder-volume").containsEntry("zone", "nova");
        assertThat((String) at349.get(1).get("updated_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");

        assertThat(fixture.services("3.48").get(1).keySet()).doesNotContain("backend_state").contains("cluster");
        assertThat(fixture.services("3.0").get(1).keySet()).doesNotContain("backend_state", "cluster");
        assertThat(fixture.services(null).get(1).keySet()).doesNotContain("backend_state", "cluster");

        HttpResponse<String> filtered = fixture.get("/v3/os-services?host=" + ServiceFixture.HOST
                + "&binary=cinder-volume", "3.49");
        assertThat(filtered.statusCode()).isEqualTo(200);
        assertThat(filtered.body()).contains("@gold").contains("@silver").doesNotContain("cinder-scheduler");
        assertThat(filtered.headers().firstValue("OpenStack-API-Version")).hasValue("volume 3.49");
        assertThat(filtered.headers().firstValue("Vary")).hasValue("OpenStack-API-Version");
        assertThat(filtered.headers().firstValue("X-Openstack-Request-Id").orElseThrow()).startsWith("req-");
        assertThat(filtered.headers().firstValue("X-Compute-Request-Id")).isPresent();
    }

    @Test
    @DisplayName("a device that turns down and back up shows in the list within one probe interval plus the deadline")
    void deviceDownAndBackUp() {
        fixture.simBackend("gold", Map.of("a", 100L)).simBackend("silver", Map.of("b", 200L)).start();
        awaitState("gold", "up");
        fixture.breakDevice("gold", "controller failed");
        awaitState("gold", "down");
        assertThat(fixture.backendState("silver")).isEqualTo("up");
        fixture.healDevice("gold");
        awaitState("gold", "up");
    }

    @Test
    @DisplayName("a hung device is reported down and never delays another backend or the API")
    void hungDeviceIsIsolated() {
        fixture.stalledBackend("hung").simBackend("gold", Map.of("a", 100L)).start();
        awaitState("hung", "down");
        awaitState("gold", "up");
        // While the hung device keeps stalling every probe, another backend's change still shows promptly.
        fixture.breakDevice("gold", "switched off");
        awaitState("gold", "down");
        fixture.healDevice("gold");
        awaitState("gold", "up");
        assertThat(fixture.backendState("hung")).isEqualTo("down");
    }

    @Test
    @DisplayName("a driver that throws, hangs or fails to open is reported down, and recovers")
    void faultyDrivers() {
        ScriptedDriverProvider.Script throwing = fixture.scriptedBackend("throws");
        ScriptedDriverProvider.Script hanging = fixture.scriptedBackend("hangs");
        ScriptedDriverProvider.Script failing = fixture.scriptedBackend("no-open")
                .behave(ScriptedDriverProvider.Behaviour.FAIL_OPEN);
        fixture.start();
        awaitState("throws", "up");
        awaitState("no-open", "down");

        throwing.behave(ScriptedDriverProvider.Behaviour.THROW);
        hanging.behave(ScriptedDriverProvider.Behaviour.HANG);
        awaitState("throws", "down");
        awaitState("hangs", "down");

        throwing.behave(ScriptedDriverProvider.Behaviour.UP);
        failing.behave(ScriptedDriverProvider.Behaviour.UP);
        awaitState("throws", "up");
        awaitState("no-open", "up");
        hanging.behave(ScriptedDriverProvider.Behaviour.UP);
        hanging.release();
        awaitState("hangs", "up");
    }

    @Test
    @DisplayName("a multi-pool backend reports the backend's state on every pool; stats without backend_state mean up")
    void multiPoolBackendState() {
        ScriptedDriverProvider.Script script = fixture.scriptedBackend("multi").pools(3);
        fixture.start();
        awaitState("multi", "up");
        String detail = ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE,
                () -> fixture.get("/v3/scheduler-stats/get_pools?detail=True", "3.49").body(),
                body -> body.contains("pool-2"), "three pools in get_pools");
        assertThat(detail).contains("\"name\": \"" + ServiceFixture.HOST + "@multi#pool-0\"");
        assertThat(countOf(detail, "\"backend_state\": \"up\"")).isEqualTo(3);
        // cinderblock's extension keys close each pool's capabilities (Cinder's clients ignore them).
        assertThat(countOf(detail, "\"cinderblock_stats_stale\": false}")).isEqualTo(3);

        script.behave(ScriptedDriverProvider.Behaviour.DOWN);
        awaitState("multi", "down");
        String down = fixture.get("/v3/scheduler-stats/get_pools?detail=True", "3.49").body();
        assertThat(countOf(down, "\"backend_state\": \"down\"")).isEqualTo(3);
        assertThat(countOf(down, "\"cinderblock_stats_stale\": true}")).isEqualTo(3);
        assertThat(down).doesNotContain("s3cret");
    }

    @Test
    @DisplayName("the operator view is the agents': transition time, lost push channel, stats age and node on an API node and after a restart")
    void operatorViewOnEveryNode() throws Exception {
        ScriptedDriverProvider.Script fake = fixture.scriptedBackend("fake").publishes();
        // Stats every 2 s, heartbeats every 1 s: capacity is stale after 5 s, well past an API node's
        // normal lag (one interval, one heartbeat, one refresh) on a loaded machine.
        fixture.simBackend("gold", Map.of("a", 100L), "2s").defaultKey("backend_stats_polling_interval", "2")
                .defaultKey("report_interval", "1").start();
        awaitState("gold", "up");
        awaitState("fake", "up");
        var listener = ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, fake::listener, java.util.Optional::isPresent,
                "the host to subscribe").orElseThrow();
        fixture.breakDevice("gold", "controller failed");
        awaitState("gold", "down");
        listener.pushLost("notification port closed");
        JsonNode gold = ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, () -> statusRow(fixture.origin(), "gold"),
                r -> r.path("stats_updated_at").isTextual(), "gold's stats time");
        String changed = gold.path("changed_at").asText();
        assertThat(changed).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(gold.path("stats_stale").asBoolean()).isTrue();
        assertThat(gold.path("stats_stale_reason").asText()).isEqualTo("backend down");
        assertThat(gold.path("role").asText()).isEqualTo("all");

        try (ReferenceService apiNode = ReferenceService.start(fixture.config(), ServiceFixture.drivers(),
                java.time.Clock.systemUTC(), ReferenceService.Role.API)) {
            String api = "http://127.0.0.1:" + apiNode.port();
            JsonNode fromApi = ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, () -> statusRow(api, "fake"),
                    r -> r.path("push_lost").asText("").contains("notification port closed"), "push_lost on the API node");
            assertThat(fromApi.path("node").asText()).isEqualTo(gold.path("node").asText());
            assertThat(fromApi.path("stats_stale").asBoolean()).isFalse();
            JsonNode goldFromApi = statusRow(api, "gold");
            assertThat(goldFromApi.path("changed_at").asText()).isEqualTo(changed);
            assertThat(goldFromApi.path("stats_stale").asBoolean()).isTrue();
            assertThat(goldFromApi.path("stats_updated_at").asText()).matches("\\d{4}-.*Z");
            // get_pools' extension keys, on the API node too.
            String pools = ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, () -> get(api,
                    "/v3/scheduler-stats/get_pools?detail=True"), b -> b.contains("@fake#pool-0"), "pools on the API node");
            assertThat(pools).contains("\"cinderblock_stats_stale\": false").contains("\"cinderblock_stats_updated_at\": \"");
            assertThat(fixture.get("/v3/scheduler-stats/get_pools?detail=True", "3.49").body())
                    .contains("\"cinderblock_stats_stale\": true");

            // A restart with the device still down keeps gold's transition time; the new run's push
            // channel starts afresh (the old one is gone with the old process).
            Thread.sleep(1100);
            fixture.stop();
            fixture.start();
            awaitState("gold", "down");
            assertThat(statusRow(fixture.origin(), "gold").path("changed_at").asText()).isEqualTo(changed);
            ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, () -> statusRow(api, "fake"),
                    r -> r.path("push_lost").isNull() && "up".equals(r.path("overall").asText()), "push_lost cleared");
            assertThat(statusRow(api, "gold").path("changed_at").asText()).isEqualTo(changed);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static String get(String origin, String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(origin + path)).header("X-Auth-Token", "admin:admin")
                    .header("OpenStack-API-Version", "volume 3.49").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One backend's row of {@code /status/data} on a node. */
    private static JsonNode statusRow(String origin, String backend) {
        try {
            for (JsonNode row : JSON.readTree(get(origin, "/status/data")).path("services")) {
                if (row.path("host").asText().equals(ServiceFixture.HOST + "@" + backend)) {
                    return row;
                }
            }
            throw new AssertionError("no row for " + backend + " on " + origin);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int countOf(String text, String part) {
        int count = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            count++;
        }
        return count;
    }

    @Test
    @DisplayName("disable and enable are durable: rows, status and reason survive a restart; state returns within seconds")
    void statusSurvivesRestart() {
        fixture.simBackend("gold", Map.of("a", 100L)).simBackend("silver", Map.of("b", 200L)).start();
        awaitState("gold", "up");
        HttpResponse<String> disabled = fixture.send("PUT", "/v3/os-services/disable-log-reason", "3.49",
                "application/json", "{\"host\": \"" + ServiceFixture.HOST + "@gold\", \"binary\": \"cinder-volume\","
                        + " \"disabled_reason\": \"maintenance\"}");
        assertThat(disabled.statusCode()).isEqualTo(200);
        assertThat(disabled.body()).isEqualTo("{\"disabled_reason\": \"maintenance\", \"disabled\": true, \"host\": \""
                + ServiceFixture.HOST + "@gold\", \"service\": \"\", \"binary\": \"cinder-volume\", \"status\": \"disabled\"}");
        Map<String, Object> gold = fixture.services("3.49").get(1);
        assertThat(gold).containsEntry("status", "disabled").containsEntry("disabled_reason", "maintenance")
                // We differ from Cinder on purpose: a disabled service's backend state stays known.
                .containsEntry("backend_state", "up");
        assertThat(fixture.get("/v3/scheduler-stats/get_pools", "3.49").body()).doesNotContain("@gold#")
                .contains("@silver#");

        ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, () -> fixture.get("/v3/scheduler-stats/get_pools", "3.49").body(),
                body -> body.contains("@silver#b"), "silver's stats");
        fixture.stop();
        // What survives in the database: rows, heartbeats, the operator's status, the last state and stats.
        try (Database stored = Database.open(database.settings())) {
            List<StoredService> rows = new ServiceStore(stored).services();
            assertThat(rows).extracting(StoredService::host).containsExactly(ServiceFixture.HOST,
                    ServiceFixture.HOST + "@gold", ServiceFixture.HOST + "@silver");
            assertThat(rows.get(1).disabled()).isTrue();
            assertThat(rows.get(1).disabledReason()).hasValue("maintenance");
            assertThat(rows.get(2).backendState()).hasValue("up");
            assertThat(rows.get(2).statsJson().orElseThrow()).contains("\"volume_backend_name\":\"silver\"");
            assertThat(rows.get(2).statsCollectedAt()).isPresent();
        }
        fixture.start();
        List<Map<String, Object>> after = fixture.services("3.49");
        assertThat(after).extracting(s -> s.get("host"))
                .containsExactly(ServiceFixture.HOST, ServiceFixture.HOST + "@gold", ServiceFixture.HOST + "@silver");
        assertThat(after.get(1)).containsEntry("status", "disabled").containsEntry("disabled_reason", "maintenance");
        awaitState("gold", "up");

        HttpResponse<String> enabled = fixture.send("PUT", "/v3/os-services/enable", "3.49", "application/json",
                "{\"host\": \"" + ServiceFixture.HOST + "@gold\", \"binary\": \"cinder-volume\"}");
        assertThat(enabled.statusCode()).isEqualTo(200);
        assertThat(fixture.services("3.49").get(1)).containsEntry("status", "enabled")
                .containsEntry("disabled_reason", null);
    }

    @Test
    @DisplayName("bad input gets Cinder's status and error body, changes nothing, and the service keeps serving")
    void badInput() {
        fixture.simBackend("gold", Map.of("a", 100L)).start();
        awaitState("gold", "up");
        String host = "{\"host\": \"" + ServiceFixture.HOST + "@gold\", \"binary\": \"cinder-volume\"}";

        assertError(fixture.get("/v3/os-services", "3.x"), 400, "badRequest",
                "API Version String 3.x is of invalid format. Must be of format MajorNum.MinorNum.");
        assertError(fixture.get("/v3/os-services", "3.71"), 406, "computeFault",
                "Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.");
        assertError(fixture.get("/v3/abc123/os-services", "3.49"), 400, "badRequest", "Malformed request url");
        assertThat(fixture.get("/v3/not-a-project/os-services", "3.49").statusCode()).isEqualTo(404);
        assertError(fixture.send("PUT", "/v3/os-services/reboot", "3.49", "application/json", host), 400,
                "badRequest", "Invalid input received: Unknown action");
        assertError(fixture.send("PUT", "/v3/os-services/disable", "3.49", "application/json", "{\"host\": "), 400,
                "badRequest", "Malformed request body");
        assertError(fixture.send("PUT", "/v3/os-services/disable", "3.49", "text/plain", host), 400,
                "badRequest", "Unsupported Content-Type");
        assertError(fixture.send("PUT", "/v3/os-services/disable", "3.49", "application/json",
                "{\"host\": \"" + "x".repeat(200_000) + "\"}"), 413, "overLimit", "Request is too large.");
        assertError(fixture.send("PUT", "/v3/os-services/disable", "3.49", "application/json",
                "{\"host\": \"nowhere@x\", \"binary\": \"cinder-volume\"}"), 404, "itemNotFound",
                "Service cinder-volume could not be found on host nowhere@x.");
        assertError(fixture.get("/v3/scheduler-stats/get_pools?detail=maybe", "3.49"), 400, "badRequest",
                "Value 'maybe' for 'detail' is not a boolean.");
        assertError(fixture.send("POST", "/v3/os-services", "3.49", "application/json", "{}"), 404, "itemNotFound",
                "The resource could not be found.");

        // Nothing changed, and the service still answers.
        assertThat(fixture.services("3.49").get(1)).containsEntry("status", "enabled");
        assertThat(fixture.backendState("gold")).isEqualTo("up");
    }

    private static void assertError(HttpResponse<String> response, int status, String fault, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).isEqualTo("{\"" + fault + "\": {\"code\": " + status + ", \"message\": \""
                + message + "\"}}");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("X-Openstack-Request-Id")).isPresent();
    }

    @Test
    @DisplayName("serves /healthz, /readyz and Prometheus /metrics beside the API (one process, role all)")
    void operationsEndpoints() {
        fixture.simBackend("gold", Map.of("a", 100L)).start();
        awaitState("gold", "up");
        // The first stats collection must land before the device breaks (a down device has none):
        // on a loaded machine it can come after the first probe.
        ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, () -> fixture.get("/v3/scheduler-stats/get_pools", "3.49")
                .body(), body -> body.contains("@gold#a"), "gold's first stats");
        fixture.breakDevice("gold", "controller failed");
        awaitState("gold", "down");
        assertThat(fixture.get("/healthz", null).body()).isEqualTo("ok\n");
        // The database check runs every second in the background; the first passes within a few.
        ServiceFixture.await(Duration.ofSeconds(5), () -> fixture.get("/readyz", null).statusCode(), c -> c == 200,
                "/readyz 200");
        String metrics = ServiceFixture.await(WITHIN_PROBE_AND_DEADLINE, () -> fixture.get("/metrics", null).body(),
                m -> m.contains("cinderblock_stats_duration_seconds_count"), "stats duration recorded");
        assertThat(fixture.get("/metrics", null).headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics)
                .contains("cinderblock_backend_state{backend=\"" + ServiceFixture.HOST + "@gold\"} 0.0")
                .contains("cinderblock_service_up{binary=\"cinder-scheduler\",host=\"" + ServiceFixture.HOST
                        + "\"} 1.0")
                .contains("cinderblock_pool_total_capacity_gb{backend=\"" + ServiceFixture.HOST + "@gold\",pool=\""
                        + ServiceFixture.HOST + "@gold#a\"} 100.0")
                .contains("cinderblock_probe_duration_seconds_bucket{backend=\"" + ServiceFixture.HOST + "@gold\"")
                .contains("jvm_memory_used_bytes").contains("process_resident_memory_bytes");
        assertThat(fixture.send("POST", "/metrics", null, "text/plain", "x").statusCode()).isEqualTo(405);
        assertThat(fixture.get("/status", null).body()).contains("<title>cinderblock status</title>");
    }
}
