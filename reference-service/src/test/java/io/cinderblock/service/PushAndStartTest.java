package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.ScriptedDriverProvider;
import io.cinderblock.service.testing.ServiceFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushed states end to end and serving at once, through real HTTP and SQLite: the SIMULATED array
 * pushes over its {@code WATCH} connection; the FAKE scripted driver stands in for a push channel
 * that breaks and for a device whose first probe hangs. Probe and stats intervals are long (60 s,
 * 600 s) wherever a change must come from a push, so only a push can show it within the waits.
 */
class PushAndStartTest {
    /** Well below the 60 s probe interval and its 12 s fast interval: only a push fits. */
    private static final Duration PUSH_WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private DatabaseFixture database;
    private ServiceFixture fixture;

    @BeforeEach
    void create() {
        database = DatabaseFixture.sqlite(directory);
        fixture = ServiceFixture.create(directory, database);
    }

    @AfterEach
    void close() {
        try {
            fixture.close();
        } finally {
            database.close();
        }
    }

    private ServiceFixture slowPolling() {
        return fixture.defaultKey("backend_state_interval", "60").defaultKey("backend_stats_polling_interval", "600");
    }

    @Test
    @DisplayName("sim: a device failure pushed over WATCH shows 'down' in GET /v3/os-services long before the 60 s probe, and its recovery too")
    void pushedDownShowsAtOnce() {
        slowPolling().simBackend("gold", Map.of("a", 100L)).start();
        await("gold", "up", Duration.ofSeconds(20));

        fixture.breakDevice("gold", "controller A failed");
        await("gold", "down", PUSH_WAIT);
        assertThat(row("gold").path("reason").asText()).contains("controller A failed");

        fixture.healDevice("gold");
        await("gold", "up", PUSH_WAIT);
        assertThat(metric("cinderblock_pushed_states_total{backend=\"test-host@gold\"}"))
                .as("pushed states counted").isGreaterThanOrEqualTo(2);
        assertThat(metric("cinderblock_push_lost{backend=\"test-host@gold\"}")).isZero();
    }

    @Test
    @DisplayName("a lost push channel is shown on the status page and in cinderblock_push_lost, and cleared when restored")
    void pushLostIsVisible() {
        ScriptedDriverProvider.Script script = fixture.scriptedBackend("fake").publishes();
        slowPolling().start();
        var listener = ServiceFixture.await(Duration.ofSeconds(10), script::listener, Optional::isPresent,
                "the host to subscribe").orElseThrow();
        await("fake", "up", Duration.ofSeconds(20));
        assertThat(row("fake").path("push_lost").isNull()).isTrue();

        listener.pushLost("notification port 16200 closed");
        ServiceFixture.await(PUSH_WAIT, () -> row("fake").path("push_lost").asText(""),
                v -> v.contains("notification port 16200 closed"), "push_lost on the status page");
        assertThat(metric("cinderblock_push_lost{backend=\"test-host@fake\"}")).isEqualTo(1);

        listener.pushRestored();
        ServiceFixture.await(PUSH_WAIT, () -> row("fake").path("push_lost").isNull(), v -> v,
                "push_lost cleared");
        assertThat(metric("cinderblock_push_lost{backend=\"test-host@fake\"}")).isZero();
    }

    @Test
    @DisplayName("serve at once: a backend whose first probe hangs reads backend_state null and /readyz is 503 until it answers")
    void servesBeforeTheFirstRoundEnds() {
        ScriptedDriverProvider.Script slow = fixture.scriptedBackend("slow").deadline(Duration.ofSeconds(30))
                .hangStatsToo().behave(ScriptedDriverProvider.Behaviour.HANG);
        fixture.simBackend("gold", Map.of("a", 100L)).start();
        try {
            // Answered while the slow backend's first probe is still running.
            assertThat(fixture.backendState("slow")).isEqualTo("null");
            HttpResponse<String> ready = fixture.get("/readyz", null);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("not probed yet").contains("first probe round");
            await("gold", "up", Duration.ofSeconds(20));
            assertThat(fixture.backendState("slow")).isEqualTo("null");
            assertThat(fixture.get("/readyz", null).statusCode()).isEqualTo(503);
            assertThat(fixture.get("/v3/scheduler-stats/get_pools?detail=True", null).statusCode()).isEqualTo(200);
        } finally {
            slow.release();
        }
        await("slow", "down", Duration.ofSeconds(20));
        ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.get("/readyz", null).statusCode(), s -> s == 200,
                "/readyz ready once every backend answered");
    }

    private void await(String section, String state, Duration within) {
        ServiceFixture.await(within, () -> fixture.backendState(section), state::equals,
                "backend_state of " + section + " to be " + state);
    }

    private JsonNode row(String section) {
        HttpResponse<String> response = fixture.get("/status/data", null);
        assertThat(response.statusCode()).isEqualTo(200);
        try {
            for (JsonNode row : JSON.readTree(response.body()).path("services")) {
                if (row.path("host").asText().equals(ServiceFixture.HOST + "@" + section)) {
                    return row;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no status row for " + section);
    }

    private double metric(String sample) {
        String body = fixture.get("/metrics", null).body();
        return body.lines().filter(l -> l.startsWith(sample + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(sample.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no sample " + sample + " in /metrics"));
    }
}
