package io.cinderblock.service.model;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendStats;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a backend's freshly collected stats are worth storing and publishing again.
 *
 * <p>Why: a device's figures rarely change between two stats rounds, yet every round used to
 * serialise, write and republish the stats of every backend; at 1,000 backends that was a burst
 * of garbage and database writes each minute, and every republished snapshot invalidated the
 * API's rendered lists. Now stats whose figures (everything but {@code collectedAt}), state and
 * reason equal the last stored ones are not written again: the earlier {@link BackendStats} object
 * stays current, so nothing built from it (pool records, rendered lists) is rebuilt either.
 *
 * <p>Unchanged stats are still rewritten once they are older than {@code refreshAfter}, so the
 * stored {@code stats_collected_at} (the {@code timestamp} of {@code get_pools}) says how recently
 * the figures were confirmed, within that bound.
 *
 * <p>Thread-safe: different backends are offered concurrently; one backend by one task at a time.
 */
public final class StatsChanges {
    private final Duration refreshAfter;
    private final Map<Long, Stored> stored = new ConcurrentHashMap<>();

    private record Stored(BackendStats stats, String state, String reason) {}

    /**
     * What to do with newly collected stats.
     *
     * @param current the stats to keep as the backend's current ones: the earlier object when
     *     nothing changed (same identity, so caches keyed on it stay valid), else the new one
     * @param write whether to store them (then call {@link #written} once stored)
     */
    public record Decision(BackendStats current, boolean write) {}

    /**
     * @param refreshAfter how old stored, unchanged stats may get before they are written again
     * @throws IllegalArgumentException {@code refreshAfter} is negative
     */
    public StatsChanges(Duration refreshAfter) {
        this.refreshAfter = requireNonNull(refreshAfter, "refreshAfter is null");
        if (refreshAfter.isNegative()) {
            throw new IllegalArgumentException("refreshAfter must not be negative: " + refreshAfter);
        }
    }

    /**
     * Compares newly collected stats with the last ones {@link #written} for this service.
     *
     * @param serviceId the volume service's id
     * @param collected the stats just collected
     * @param state the {@code backend_state} that would be stored with them
     * @param reason the state reason that would be stored with them
     * @return whether to write, and which stats object is current
     */
    public Decision offer(long serviceId, BackendStats collected, String state, String reason) {
        requireNonNull(collected, "collected is null");
        Stored last = stored.get(serviceId);
        if (last != null && last.state.equals(state) && last.reason.equals(reason)
                && sameFigures(last.stats, collected)
                && collected.collectedAt().isBefore(last.stats.collectedAt().plus(refreshAfter))) {
            return new Decision(last.stats, false);
        }
        return new Decision(collected, true);
    }

    /** Records that {@code stats} were stored for this service with this state and reason. */
    public void written(long serviceId, BackendStats stats, String state, String reason) {
        stored.put(serviceId, new Stored(requireNonNull(stats, "stats is null"), requireNonNull(state, "state is null"),
                requireNonNull(reason, "reason is null")));
    }

    /** Forgets what was stored for this service (a failed write): its next stats are written whatever they say. */
    public void forget(long serviceId) {
        stored.remove(serviceId);
    }

    /** Equal in everything Cinder sees except the collection time. */
    static boolean sameFigures(BackendStats a, BackendStats b) {
        return a.backendName().equals(b.backendName())
                && a.vendorName().equals(b.vendorName())
                && a.driverVersion().equals(b.driverVersion())
                && a.storageProtocol().equals(b.storageProtocol())
                && a.backendState() == b.backendState()
                && a.pools().equals(b.pools())
                && a.extraCapabilities().equals(b.extraCapabilities());
    }
}
