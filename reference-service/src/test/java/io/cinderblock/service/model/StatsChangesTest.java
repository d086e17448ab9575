package io.cinderblock.service.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.PoolStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A stats round stores and republishes only what changed; pool records are rebuilt only on change. */
class StatsChangesTest {
    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
    private static final String UP = "up";
    private static final String REASON = "device answers";

    private static BackendStats stats(Instant collectedAt, double freeGib) {
        return BackendStats.builder().backendName("gold").vendorName("vendor").driverVersion("1.0")
                .storageProtocol("iSCSI").backendState(BackendState.Status.UP).collectedAt(collectedAt)
                .pool(PoolStats.builder("pool-a").totalCapacity(Capacity.ofGib(100)).freeCapacity(Capacity.ofGib(freeGib))
                        .build())
                .build();
    }

    @Test
    void firstStatsOfABackendAreWritten() {
        StatsChanges changes = new StatsChanges(Duration.ofMinutes(10));
        BackendStats first = stats(T0, 40);

        StatsChanges.Decision decision = changes.offer(1, first, UP, REASON);

        assertThat(decision.write()).isTrue();
        assertThat(decision.current()).isSameAs(first);
    }

    @Test
    void unchangedStatsAreNotWrittenAgainAndTheEarlierObjectStaysCurrent() {
        StatsChanges changes = new StatsChanges(Duration.ofMinutes(10));
        BackendStats first = stats(T0, 40);
        changes.written(1, first, UP, REASON);

        StatsChanges.Decision decision = changes.offer(1, stats(T0.plusSeconds(60), 40), UP, REASON);

        assertThat(decision.write()).isFalse();
        assertThat(decision.current()).isSameAs(first);
    }

    @Test
    void changedFiguresStateOrReasonAreWritten() {
        StatsChanges changes = new StatsChanges(Duration.ofMinutes(10));
        changes.written(1, stats(T0, 40), UP, REASON);
        BackendStats lessFree = stats(T0.plusSeconds(60), 39);

        StatsChanges.Decision figures = changes.offer(1, lessFree, UP, REASON);

        assertThat(figures.write()).isTrue();
        assertThat(figures.current()).isSameAs(lessFree);
        assertThat(changes.offer(1, stats(T0.plusSeconds(60), 40), "down", REASON).write()).isTrue();
        assertThat(changes.offer(1, stats(T0.plusSeconds(60), 40), UP, "another reason").write()).isTrue();
    }

    @Test
    void backendsAreComparedWithTheirOwnLastStats() {
        StatsChanges changes = new StatsChanges(Duration.ofMinutes(10));
        changes.written(1, stats(T0, 40), UP, REASON);

        assertThat(changes.offer(2, stats(T0.plusSeconds(60), 40), UP, REASON).write()).isTrue();
    }

    @Test
    void unchangedStatsAreRewrittenOnceOlderThanTheRefreshBound() {
        StatsChanges changes = new StatsChanges(Duration.ofMinutes(10));
        changes.written(1, stats(T0, 40), UP, REASON);

        assertThat(changes.offer(1, stats(T0.plus(Duration.ofMinutes(9)), 40), UP, REASON).write()).isFalse();
        assertThat(changes.offer(1, stats(T0.plus(Duration.ofMinutes(10)), 40), UP, REASON).write()).isTrue();
    }

    @Test
    void afterAFailedWriteTheNextStatsAreWritten() {
        StatsChanges changes = new StatsChanges(Duration.ofMinutes(10));
        changes.written(1, stats(T0, 40), UP, REASON);

        changes.forget(1);

        assertThat(changes.offer(1, stats(T0.plusSeconds(60), 40), UP, REASON).write()).isTrue();
    }

    @Test
    void aNegativeRefreshBoundIsRefusedNamingIt() {
        assertThatThrownBy(() -> new StatsChanges(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refreshAfter").hasMessageContaining("PT-1S");
    }

    @Test
    void poolRecordsAreRebuiltOnlyWhenStatsOrStateChange() {
        PoolRecords.Cache cache = new PoolRecords.Cache();
        BackendStats first = stats(T0, 40);

        List<PoolRecord> built = cache.of("h@b", "gold", BackendState.Status.UP, first);

        assertThat(cache.of("h@b", "gold", BackendState.Status.UP, first)).isSameAs(built);
        assertThat(built).isEqualTo(PoolRecords.of("h@b", "gold", BackendState.Status.UP, first));
        List<PoolRecord> down = cache.of("h@b", "gold", BackendState.Status.DOWN, first);
        assertThat(down).isNotSameAs(built);
        assertThat(down.get(0).capabilities()).containsEntry("backend_state", "down");
        BackendStats second = stats(T0.plusSeconds(60), 39);
        assertThat(cache.of("h@b", "gold", BackendState.Status.DOWN, second).get(0).capabilities())
                .containsEntry("free_capacity_gb", 39.0);
    }
}
