package io.cinderblock.service.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The hand-off of pushed states, on a manual executor (tasks run when the test says). */
class PushedStatesTest {
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor manual = tasks::add;
    private final List<String> seen = new ArrayList<>();
    private final PushedStates listener = new PushedStates(manual, new PushedStates.Sink() {
        @Override
        public void pushed(BackendState state) {
            seen.add(state.status().wireValue() + " " + state.reason());
        }

        @Override
        public void lost(String reason) {
            seen.add("lost " + reason);
        }

        @Override
        public void restored() {
            seen.add("restored");
        }
    });

    private static BackendState at(boolean up, String reason, long second) {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L + second), ZoneOffset.UTC);
        return up ? BackendState.up(reason, clock) : BackendState.down(reason, clock);
    }

    private void runAll() {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }

    @Test
    @DisplayName("the driver's thread only queues: nothing is handled until the executor runs")
    void handsOffTheDriversThread() {
        listener.stateChanged(at(false, "trap", 1));
        assertThat(seen).isEmpty();
        assertThat(tasks).hasSize(1);
        runAll();
        assertThat(seen).containsExactly("down trap");
    }

    @Test
    @DisplayName("a burst of 1,000 states for one backend is handled once, with the newest")
    void burstIsCoalesced() {
        for (int i = 0; i < 1000; i++) {
            listener.stateChanged(at(i % 2 == 0, "event " + i, i));
        }
        assertThat(tasks).hasSize(1);
        runAll();
        assertThat(seen).containsExactly("down event 999");
    }

    @Test
    @DisplayName("an older state arriving after a newer one does not replace it")
    void olderStateLoses() {
        listener.stateChanged(at(false, "newer", 10));
        listener.stateChanged(at(true, "older", 5));
        runAll();
        assertThat(seen).containsExactly("down newer");
    }

    @Test
    @DisplayName("a state arriving after a drain is handled by another drain; lost and restored pass through")
    void laterStatesAndChannelEvents() {
        listener.stateChanged(at(false, "first", 1));
        runAll();
        listener.pushLost("socket closed");
        listener.stateChanged(at(true, "second", 2));
        listener.pushRestored();
        runAll();
        assertThat(seen).containsExactly("down first", "lost socket closed", "up second", "restored");
    }
}
