package io.cinderblock.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.service.config.AuthSettings;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The API without HTTP: state over time, and the rendered-list cache never serving a stale answer. */
class CinderApiTest {
    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-11-26T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static ApiRequest get(String path, String version) {
        Function<String, Optional<String>> headers = name -> name.equalsIgnoreCase("X-Auth-Token")
                ? Optional.of("admin:admin")
                : name.equalsIgnoreCase(Microversion.HEADER) ? Optional.of("volume " + version) : Optional.empty();
        return new ApiRequest("GET", path, Map.of(), headers, new byte[0], false, "http://127.0.0.1:1" + path,
                "http://127.0.0.1:1");
    }

    @Test
    void stateFollowsTheClockAndTheSnapshotDespiteTheCache() {
        MovableClock clock = new MovableClock();
        Instant heartbeat = clock.now;
        ServiceRecord volume = new ServiceRecord(2, "h@b", ServiceRecord.VOLUME, "nova", false, Optional.empty(),
                heartbeat, Optional.of(BackendState.Status.UP), Optional.empty(), "disabled");
        ServiceSnapshot[] current = {new ServiceSnapshot(List.of(volume), Map.of(), 1, heartbeat)};
        ServiceDirectory directory = new ServiceDirectory() {
            @Override
            public ServiceSnapshot snapshot() {
                return current[0];
            }

            @Override
            public ServiceRecord setDisabled(String host, String binary, boolean disabled, Optional<String> reason) {
                throw new UnsupportedOperationException();
            }
        };
        CinderApi api = new CinderApi(directory, Authenticator.from(new AuthSettings(AuthSettings.Strategy.NOAUTH,
                Optional.empty())), Duration.ofSeconds(60), clock);
        Function<String, String> list = v -> new String(api.handle(get("/v3/os-services", v)).body(),
                StandardCharsets.UTF_8);

        assertThat(list.apply("3.49")).contains("\"state\": \"up\"").contains("\"backend_state\": \"up\"");
        assertThat(list.apply("3.48")).doesNotContain("backend_state");
        clock.now = heartbeat.plusSeconds(60);
        assertThat(list.apply("3.49")).contains("\"state\": \"up\"");
        // No new snapshot, but the heartbeat is now too old: the cached body must not be served.
        clock.now = heartbeat.plusSeconds(61);
        assertThat(list.apply("3.49")).contains("\"state\": \"down\"");
        // A new snapshot (a probe saw the device fail) shows at once.
        current[0] = new ServiceSnapshot(List.of(volume.withUpdatedAt(clock.now)
                .withBackendState(Optional.of(BackendState.Status.DOWN), Optional.of("failed"))), Map.of(), 2, clock.now);
        assertThat(list.apply("3.49")).contains("\"state\": \"up\"").contains("\"backend_state\": \"down\"");
    }

    @Test
    void aSnapshotThatChangesOnlyPoolsKeepsTheRenderedListAndAChangedRowRendersAgain() {
        MovableClock clock = new MovableClock();
        Instant heartbeat = clock.now;
        ServiceRecord volume = new ServiceRecord(2, "h@b", ServiceRecord.VOLUME, "nova", false, Optional.empty(),
                heartbeat, Optional.of(BackendState.Status.UP), Optional.of("answers"), "disabled");
        ServiceSnapshot[] current = {new ServiceSnapshot(List.of(volume), Map.of(), 1, heartbeat)};
        ServiceDirectory directory = new ServiceDirectory() {
            @Override
            public ServiceSnapshot snapshot() {
                return current[0];
            }

            @Override
            public ServiceRecord setDisabled(String host, String binary, boolean disabled, Optional<String> reason) {
                throw new UnsupportedOperationException();
            }
        };
        CinderApi api = new CinderApi(directory, Authenticator.from(new AuthSettings(AuthSettings.Strategy.NOAUTH,
                Optional.empty())), Duration.ofSeconds(60), clock);
        Supplier<byte[]> list = () -> api.handle(get("/v3/os-services", "3.49")).body();
        byte[] first = list.get();

        // A stats round publishes snapshots whose rows are equal (new objects) and whose pools differ.
        PoolRecord pool = new PoolRecord("h@b", "h@b#pool-a", Map.of("free_capacity_gb", 39));
        current[0] = new ServiceSnapshot(List.of(volume.withUpdatedAt(heartbeat)), Map.of("h@b", List.of(pool)), 2,
                heartbeat.plusSeconds(1));
        clock.now = heartbeat.plusSeconds(1);

        assertThat(list.get()).isSameAs(first);
        current[0] = new ServiceSnapshot(List.of(volume.withBackendState(Optional.of(BackendState.Status.DOWN),
                Optional.of("failed"))), Map.of("h@b", List.of(pool)), 3, clock.now);
        byte[] changed = list.get();
        assertThat(changed).isNotSameAs(first);
        assertThat(new String(changed, StandardCharsets.UTF_8)).contains("\"backend_state\": \"down\"");
    }
}
