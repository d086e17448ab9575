package io.cinderblock.service.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The periods that decide what the operator sees as current: a heartbeat older than
 * {@code serviceDownTime} means a service is down, and capacity older than {@code statsInterval}
 * (with {@code reportInterval} of tolerance) is stale (see {@link StatsFreshness}).
 *
 * @param serviceDownTime {@code service_down_time}
 * @param reportInterval {@code report_interval}
 * @param statsInterval {@code backend_stats_polling_interval} (an agent's own, recorded with its
 *     host claim, wins for its backends)
 */
public record Intervals(Duration serviceDownTime, Duration reportInterval, Duration statsInterval) {
    /** Cinder's defaults: 60 s, 10 s, 60 s. */
    public static final Intervals CINDER_DEFAULTS = new Intervals(Duration.ofSeconds(60), Duration.ofSeconds(10),
            Duration.ofSeconds(60));

    public Intervals {
        requireNonNull(serviceDownTime, "serviceDownTime is null");
        requireNonNull(reportInterval, "reportInterval is null");
        requireNonNull(statsInterval, "statsInterval is null");
    }

    /** The same with another {@code serviceDownTime}. */
    public Intervals withServiceDownTime(Duration value) {
        return new Intervals(value, reportInterval, statsInterval);
    }
}
