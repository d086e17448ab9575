package io.cinderblock.service.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The probe schedule on explicit times (a fake clock in milliseconds): no sleeping. */
class ProbeScheduleTest {
    private static final long ORIGIN = 1_000_000;

    @Test
    @DisplayName("10,000 backends at 5 s: first probes spread evenly, never more than 2 in one millisecond")
    void firstProbesSpreadEvenly() {
        ProbeSchedule schedule = new ProbeSchedule(Duration.ofSeconds(5));
        int count = 10_000;
        int[] perMillisecond = new int[5000];
        long previous = -1;
        for (int i = 0; i < count; i++) {
            long phase = schedule.phase(i, count);
            assertThat(phase).isBetween(0L, 4999L).isGreaterThanOrEqualTo(previous);
            previous = phase;
            perMillisecond[(int) phase]++;
        }
        int busiest = 0;
        int empty = 0;
        for (int n : perMillisecond) {
            busiest = Math.max(busiest, n);
            empty += n == 0 ? 1 : 0;
        }
        assertThat(busiest).isEqualTo(2);
        assertThat(empty).isZero();
        // Per 100 ms window: 200 probes each, a flat load.
        for (int window = 0; window < 50; window++) {
            int sum = 0;
            for (int ms = window * 100; ms < (window + 1) * 100; ms++) {
                sum += perMillisecond[ms];
            }
            assertThat(sum).as("probes in window " + window).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("up: every probe on the backend's phase, one interval apart; a late probe skips missed slots")
    void healthyStaysOnPhase() {
        ProbeSchedule schedule = new ProbeSchedule(Duration.ofSeconds(5));
        long phase = schedule.phase(3, 10); // 1500 ms
        assertThat(phase).isEqualTo(1500);
        assertThat(schedule.next(ORIGIN, phase, ORIGIN, true)).isEqualTo(ORIGIN + 1500);
        // A probe that ended 20 ms after its slot: the next slot, one interval on.
        assertThat(schedule.next(ORIGIN, phase, ORIGIN + 1520, true)).isEqualTo(ORIGIN + 6500);
        // A probe that hung for 12 s: the next slot after it, not the two it missed.
        assertThat(schedule.next(ORIGIN, phase, ORIGIN + 1500 + 12_000, true)).isEqualTo(ORIGIN + 16_500);
    }

    @Test
    @DisplayName("down: probed every interval/5 until up again, then back on its phase")
    void downIsProbedFasterUntilUp() {
        ProbeSchedule schedule = new ProbeSchedule(Duration.ofSeconds(10));
        assertThat(schedule.fastInterval()).isEqualTo(2000);
        long phase = schedule.phase(0, 1);
        List<Long> probes = new ArrayList<>();
        long now = ORIGIN + 50; // the first probe (at the origin) answered down after 50 ms
        for (int i = 0; i < 4; i++) {
            now = schedule.next(ORIGIN, phase, now, false);
            probes.add(now - ORIGIN);
            now += 10; // each probe takes 10 ms
        }
        assertThat(probes).containsExactly(2050L, 4060L, 6070L, 8080L);
        // The next fast probe would pass the phase point at 10 s: the phase point comes first.
        assertThat(schedule.next(ORIGIN, phase, now, false)).isEqualTo(ORIGIN + 10_000);
        // Up again at 8090 ms: the next probe is the phase point.
        assertThat(schedule.next(ORIGIN, phase, now, true)).isEqualTo(ORIGIN + 10_000);
    }

    @Test
    @DisplayName("the fast interval is interval/5, at least 1 s, never longer than the interval")
    void fastIntervalBounds() {
        assertThat(new ProbeSchedule(Duration.ofSeconds(60)).fastInterval()).isEqualTo(12_000);
        assertThat(new ProbeSchedule(Duration.ofSeconds(5)).fastInterval()).isEqualTo(1000);
        assertThat(new ProbeSchedule(Duration.ofSeconds(2)).fastInterval()).isEqualTo(1000);
        assertThat(new ProbeSchedule(Duration.ofMillis(200)).fastInterval()).isEqualTo(200);
    }

    @Test
    @DisplayName("bad arguments are refused with the value named")
    void badArguments() {
        assertThatThrownBy(() -> new ProbeSchedule(Duration.ZERO)).hasMessageContaining("PT0S");
        ProbeSchedule schedule = new ProbeSchedule(Duration.ofSeconds(1));
        assertThatThrownBy(() -> schedule.phase(5, 5)).hasMessageContaining("backend 5 of 5");
    }
}
