package io.cinderblock.service.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When capacity is stale: explicit times, no sleeping. */
class StatsFreshnessTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final Duration STATS = Duration.ofSeconds(60);
    private static final Duration REPORT = Duration.ofSeconds(10);
    private static final Duration DOWN_TIME = Duration.ofSeconds(60);

    private static ServiceRecord backend(BackendState.Status state, Instant heartbeat, Instant stats) {
        return new ServiceRecord(2, "h@b", ServiceRecord.VOLUME, "nova", false, Optional.empty(), heartbeat,
                Optional.ofNullable(state), Optional.empty(), "disabled", Optional.empty(), Optional.ofNullable(stats),
                Optional.empty());
    }

    private static StatsFreshness of(ServiceRecord record, Optional<AgentRecord> agent) {
        return StatsFreshness.of(record, agent, STATS, REPORT, DOWN_TIME, NOW);
    }

    @Test
    void upToTwoIntervalsPlusOneReportIsCurrentAndOlderIsStale() {
        Instant heartbeat = NOW.minusSeconds(1);
        StatsFreshness current = of(backend(BackendState.Status.UP, heartbeat, NOW.minusSeconds(130)),
                Optional.empty());
        assertThat(current.stale()).isFalse();
        assertThat(current.age()).contains(Duration.ofSeconds(130));
        assertThat(current.why()).isEmpty();

        StatsFreshness old = of(backend(BackendState.Status.UP, heartbeat, NOW.minusSeconds(131)), Optional.empty());
        assertThat(old.stale()).isTrue();
        assertThat(old.why()).contains("a collection missed (stats interval 60 s)");
    }

    @Test
    void theAgentsOwnIntervalWins() {
        AgentRecord agent = new AgentRecord("h", "node-1", 42, Optional.of("agent"), Optional.of("1.0"), NOW,
                Optional.of(Duration.ofMillis(2500)));
        // 2 x 2.5 s + 10 s: current at 15 s, stale after.
        assertThat(of(backend(BackendState.Status.UP, NOW, NOW.minusSeconds(15)), Optional.of(agent)).stale()).isFalse();
        StatsFreshness old = of(backend(BackendState.Status.UP, NOW, NOW.minusSeconds(16)), Optional.of(agent));
        assertThat(old.stale()).isTrue();
        assertThat(old.why()).contains("a collection missed (stats interval 2.5 s)");
    }

    @Test
    void capacityOfABackendNotUpIsStaleHoweverFresh() {
        assertThat(of(backend(BackendState.Status.DOWN, NOW, NOW), Optional.empty()).why()).contains("backend down");
        assertThat(of(backend(null, NOW, NOW), Optional.empty()).why()).contains("backend state unknown");
        assertThat(of(backend(BackendState.Status.UP, NOW.minusSeconds(61), NOW), Optional.empty()).why())
                .contains("no heartbeat from its agent");
        StatsFreshness never = of(backend(BackendState.Status.UP, NOW, null), Optional.empty());
        assertThat(never.stale()).isTrue();
        assertThat(never.updatedAt()).isEmpty();
        assertThat(never.why()).contains("no stats collected yet");
    }
}
