package io.cinderblock.service.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.service.config.DatabaseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-agent-per-host claim (on SQLite; the multi-process test covers PostgreSQL). */
class HostClaimTest {
    private static final Duration STALE = Duration.ofSeconds(10);

    @TempDir
    Path directory;

    private Database open() {
        return Database.open(new DatabaseSettings("jdbc:sqlite:" + directory.resolve("claims.db"), Optional.empty(),
                Optional.empty(), 1));
    }

    @Test
    void aLiveHolderIsRefusedUntilItReleasesOrGoesStale() {
        long self = ProcessHandle.current().pid();
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        try (Database database = open()) {
            ServiceStore store = new ServiceStore(database);
            store.hostClaims().claimHost("node-a", "owner-1", "machine-1", self, now, STALE);
            // The same owner may claim again (a retried start).
            store.hostClaims().claimHost("node-a", "owner-1", "machine-1", self, now.plusSeconds(1), STALE);
            // Another process, alive (this one), on the same machine: refused, naming host and holder.
            assertThatThrownBy(() -> store.hostClaims().claimHost("node-a", "owner-2", "machine-1", self + 1, now.plusSeconds(2),
                    STALE)).isInstanceOf(HostClaimedException.class)
                    .hasMessageContaining("host 'node-a' is already served by another agent (process " + self
                            + " on machine-1, last heartbeat 1.0 s ago)");
            // Another host is free.
            store.hostClaims().claimHost("node-b", "owner-2", "machine-1", self + 1, now, STALE);
            // Renewing keeps it; a stale claim (no renewal for STALE) is taken over from any machine.
            assertThat(store.hostClaims().renewHost("node-a", "owner-1", now.plusSeconds(5))).isTrue();
            assertThatThrownBy(() -> store.hostClaims().claimHost("node-a", "owner-3", "machine-2", 42, now.plusSeconds(14), STALE))
                    .isInstanceOf(HostClaimedException.class);
            store.hostClaims().claimHost("node-a", "owner-3", "machine-2", 42, now.plusSeconds(16), STALE);
            // The old holder learns it lost the host, and cannot release the new holder's claim.
            assertThat(store.hostClaims().renewHost("node-a", "owner-1", now.plusSeconds(17))).isFalse();
            store.hostClaims().releaseHost("node-a", "owner-1");
            assertThatThrownBy(() -> store.hostClaims().claimHost("node-a", "owner-4", "machine-3", 7, now.plusSeconds(17), STALE))
                    .isInstanceOf(HostClaimedException.class);
            // Released on a clean stop: free at once.
            store.hostClaims().releaseHost("node-a", "owner-3");
            store.hostClaims().claimHost("node-a", "owner-4", "machine-3", 7, now.plusSeconds(17), STALE);
        }
    }

    @Test
    void aDeadHolderOnThisMachineIsTakenOverAtOnce() throws Exception {
        // A real process that has exited: its pid is not alive any more.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        try (Database database = open()) {
            ServiceStore store = new ServiceStore(database);
            store.hostClaims().claimHost("node-a", "crashed", "machine-1", gone.pid(), now, STALE);
            store.hostClaims().claimHost("node-a", "restarted", "machine-1", ProcessHandle.current().pid(), now.plusSeconds(1),
                    STALE);
            assertThat(store.hostClaims().renewHost("node-a", "restarted", now.plusSeconds(2))).isTrue();
            assertThat(store.hostClaims().renewHost("node-a", "crashed", now.plusSeconds(2))).isFalse();
        }
    }
}
