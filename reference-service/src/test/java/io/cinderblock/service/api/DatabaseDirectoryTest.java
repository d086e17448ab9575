package io.cinderblock.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.service.config.DatabaseSettings;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.store.Database;
import io.cinderblock.service.store.ServiceStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API node's snapshot of the shared database: change detection, stale agents, pools. */
class DatabaseDirectoryTest {
    @TempDir
    Path directory;

    @Test
    void followsWritesAndShowsADeadAgentsBackendStateAsUnknown() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-26T12:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        try (Database database = Database.open(new DatabaseSettings("jdbc:sqlite:" + directory.resolve("d.db"),
                Optional.empty(), Optional.empty(), 1))) {
            ServiceStore store = new ServiceStore(database);
            long id = store.register("node-a@gold", ServiceRecord.VOLUME, "nova", "disabled", now.get());
            store.recordState(id, "up", "fine", now.get());
            store.recordStats(id, "{\"volume_backend_name\": \"gold\", \"vendor_name\": \"v\", \"driver_version\":"
                    + " \"1\", \"storage_protocol\": \"iSCSI\", \"pools\": [{\"pool_name\": \"p1\","
                    + " \"total_capacity_gb\": 100, \"free_capacity_gb\": 40}]}", now.get(), "up", "Stats collected");
            try (DatabaseDirectory shared = new DatabaseDirectory(store, Duration.ofSeconds(10), clock)) {
                ServiceSnapshot first = shared.snapshot();
                assertThat(first.services()).singleElement().satisfies(s -> assertThat(s.backendState())
                        .contains(BackendState.Status.UP));
                assertThat(first.pools().get("node-a@gold")).singleElement().satisfies(p -> {
                    assertThat(p.name()).isEqualTo("node-a@gold#p1");
                    assertThat(p.capabilities()).containsEntry("free_capacity_gb", 40.0).containsEntry("backend_state", "up");
                });

                // Nothing written: the same snapshot object (the API's render cache stays valid).
                shared.refresh();
                assertThat(shared.snapshot()).isSameAs(first);

                // A write by an agent shows on the next refresh.
                now.set(now.get().plusSeconds(1));
                store.recordState(id, "down", "controller failed", now.get());
                shared.refresh();
                assertThat(shared.snapshot().services().get(0).backendState()).contains(BackendState.Status.DOWN);
                assertThat(shared.snapshot().services().get(0).stateReason()).contains("controller failed");

                // The agent dies: no heartbeat for longer than service_down_time. Nothing is written, yet
                // backend_state turns unknown and the pools leave, instead of a frozen last report.
                now.set(now.get().plusSeconds(11));
                shared.refresh();
                assertThat(shared.snapshot().services().get(0).backendState()).isEmpty();
                assertThat(shared.snapshot().pools()).isEmpty();

                // Disabling through the API node writes the database and answers from it.
                ServiceRecord disabled = shared.setDisabled("node-a@gold", ServiceRecord.VOLUME, true,
                        Optional.of("maintenance"));
                assertThat(disabled.disabled()).isTrue();
                assertThat(disabled.disabledReason()).contains("maintenance");
            }
        }
    }

    @Test
    void showsWhatTheAgentsRecordedForOperators() {
        Instant start = Instant.parse("2026-12-05T12:00:00Z");
        Clock clock = Clock.fixed(start.plusSeconds(30), ZoneOffset.UTC);
        try (Database database = Database.open(new DatabaseSettings("jdbc:sqlite:" + directory.resolve("o.db"),
                Optional.empty(), Optional.empty(), 1))) {
            ServiceStore store = new ServiceStore(database);
            store.hostClaims().claimHost("node-a", "owner-1", "machine-1", 4242, start, Duration.ofSeconds(60));
            store.hostClaims().describe("node-a", "owner-1", "agent", "9.9.9", Duration.ofSeconds(20));
            long id = store.register("node-a@gold", ServiceRecord.VOLUME, "nova", "disabled", start);
            store.recordStats(id, "{\"volume_backend_name\": \"gold\", \"vendor_name\": \"v\", \"driver_version\":"
                    + " \"1\", \"storage_protocol\": \"iSCSI\", \"total_capacity_gb\": 10, \"free_capacity_gb\": 5}",
                    start.plusSeconds(1), "up", "Stats collected", start.plusSeconds(1));
            store.recordState(id, "down", "controller failed", start.plusSeconds(5), start.plusSeconds(4));
            store.recordPushLost(id, Optional.of("notification port closed"), start.plusSeconds(6));
            // Unchanged stats collected again: only their time travels, with the heartbeat.
            store.heartbeat(List.of(id), start.plusSeconds(25), Map.of(id, start.plusSeconds(21)));
            try (DatabaseDirectory shared = new DatabaseDirectory(store, Duration.ofSeconds(60), clock)) {
                ServiceSnapshot snapshot = shared.snapshot();
                ServiceRecord gold = snapshot.services().get(0);
                assertThat(gold.stateChangedAt()).contains(start.plusSeconds(4));
                assertThat(gold.pushLost()).contains("notification port closed");
                assertThat(gold.statsUpdatedAt()).contains(start.plusSeconds(21));
                assertThat(snapshot.agents().get("node-a")).satisfies(a -> {
                    assertThat(a.node()).isEqualTo("machine-1");
                    assertThat(a.pid()).isEqualTo(4242);
                    assertThat(a.role()).contains("agent");
                    assertThat(a.version()).contains("9.9.9");
                    assertThat(a.statsInterval()).contains(Duration.ofSeconds(20));
                });

                // Restored push channel and a released claim: the next refresh shows both.
                store.recordPushLost(id, Optional.empty(), start.plusSeconds(26));
                store.hostClaims().releaseHost("node-a", "owner-1");
                shared.refresh();
                assertThat(shared.snapshot().services().get(0).pushLost()).isEmpty();
                assertThat(shared.snapshot().agents()).isEmpty();
            }
        }
    }
}
