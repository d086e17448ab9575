package io.cinderblock.service.model;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How current a backend's capacity is, for the status page and {@code get_pools?detail=True}'s
 * extension keys: when its stats were last collected, and whether the capacity is stale.
 *
 * <p>Capacity is <b>stale</b> when the backend is not up (down, unknown, or its agent has stopped
 * heartbeating: the device may have changed since), or when a collection was missed: the last
 * successful one is older than two stats intervals plus the report interval. Why not one interval:
 * capacity is normally up to one interval old plus the collection's own duration, and an API node
 * learns of a collection that changed nothing with the agent's next heartbeat (one report interval)
 * and its own refresh; a threshold of one interval would flicker stale at the end of every round.
 *
 * @param updatedAt when the stats were last collected successfully; empty if never (in this run)
 * @param age how old they are at the time asked
 * @param stale whether the capacity should not be trusted as current
 * @param why what makes it stale, in the operator's words; empty when current
 */
public record StatsFreshness(Optional<Instant> updatedAt, Optional<Duration> age, boolean stale, Optional<String> why) {
    public StatsFreshness {
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(age, "age is null");
        requireNonNull(why, "why is null");
    }

    /**
     * The freshness of a volume service's stats.
     *
     * @param service the row
     * @param agent the agent serving its host, if known (its stats interval wins over {@code statsInterval})
     * @param statsInterval this node's {@code backend_stats_polling_interval}, for agents that did not record theirs
     * @param reportInterval the heartbeat period: the tolerance (see the class comment)
     * @param serviceDownTime a heartbeat older than this means the agent is gone
     * @param now the time asked
     */
    public static StatsFreshness of(ServiceRecord service, Optional<AgentRecord> agent, Duration statsInterval,
            Duration reportInterval, Duration serviceDownTime, Instant now) {
        Duration interval = agent.flatMap(AgentRecord::statsInterval).orElse(statsInterval);
        Optional<Instant> updated = service.statsUpdatedAt();
        Optional<Duration> age = updated.map(u -> Duration.between(u, now).isNegative() ? Duration.ZERO
                : Duration.between(u, now));
        String why = null;
        if (Duration.between(service.updatedAt(), now).abs().compareTo(serviceDownTime) > 0) {
            why = "no heartbeat from its agent";
        } else if (service.backendState().isEmpty()) {
            why = "backend state unknown";
        } else if (service.backendState().get() != BackendState.Status.UP) {
            why = "backend down";
        } else if (age.isEmpty()) {
            why = "no stats collected yet";
        } else if (age.get().compareTo(interval.multipliedBy(2).plus(reportInterval)) > 0) {
            why = "a collection missed (stats interval " + seconds(interval) + " s)";
        }
        return new StatsFreshness(updated, age, why != null, Optional.ofNullable(why));
    }

    private static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : Double.toString(millis / 1000.0);
    }
}
