package io.cinderblock.service.agent;

import java.time.Duration;

/**
 * When each backend is probed: a pure function of times (milliseconds on any monotonic clock), so
 * it is tested without sleeping.
 *
 * <ul>
 *   <li><b>Spread.</b> Backend {@code i} of {@code n} has the phase {@code interval * i / n}: its
 *       probes fall at {@code origin + phase + k * interval}, so many backends probe evenly over
 *       the interval instead of all at once (10,000 backends at a 5 s interval: two per
 *       millisecond, not 10,000 in one tick).
 *   <li><b>Faster while unhealthy.</b> After a failed probe or a pushed DOWN (or before the first
 *       answer), the next probe is due after the {@linkplain #fastInterval() fast interval}
 *       ({@code interval / 5}, at least 1 s, never more than the interval), so a recovery shows
 *       sooner; once up again the backend returns to its phase.
 *   <li><b>No catch-up bursts.</b> A probe that overran its slot is followed by the next phase point
 *       after it ended, never by the slots it missed.
 * </ul>
 */
final class ProbeSchedule {
    /** The fast interval's floor: faster probing of a down device only adds load on it. */
    static final Duration FAST_FLOOR = Duration.ofSeconds(1);

    private final long interval;
    private final long fast;

    ProbeSchedule(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("probe interval must be positive: " + interval);
        }
        this.interval = interval.toMillis() == 0 ? 1 : interval.toMillis();
        this.fast = Math.min(this.interval, Math.max(this.interval / 5, FAST_FLOOR.toMillis()));
    }

    /** The probe interval while up, in milliseconds. */
    long intervalMillis() {
        return interval;
    }

    /** The probe interval while down or unknown, in milliseconds. */
    long fastInterval() {
        return fast;
    }

    /** The phase of backend {@code index} of {@code count}: spread evenly over one interval. */
    long phase(int index, int count) {
        if (count <= 0 || index < 0 || index >= count) {
            throw new IllegalArgumentException("backend " + index + " of " + count);
        }
        return interval * index / count;
    }

    /**
     * When the next probe is due after one that ended at {@code now}.
     *
     * @param origin when the schedule started (the agent's start)
     * @param phase this backend's {@link #phase}
     * @param healthy whether the last answer was up
     * @return the due time, after {@code now}
     */
    long next(long origin, long phase, long now, boolean healthy) {
        long onPhase = nextPhasePoint(origin, phase, now);
        return healthy ? onPhase : Math.min(onPhase, now + fast);
    }

    /** The first {@code origin + phase + k * interval} strictly after {@code now}. */
    long nextPhasePoint(long origin, long phase, long now) {
        long first = origin + phase;
        if (now < first) {
            return first;
        }
        return first + ((now - first) / interval + 1) * interval;
    }
}
