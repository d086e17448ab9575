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
}
