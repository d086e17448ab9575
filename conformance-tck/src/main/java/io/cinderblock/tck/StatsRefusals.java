package io.cinderblock.tck;

import io.cinderblock.sdk.spi.InvalidStatsException;
import java.util.Optional;

/**
 * Tells which stats requirement a driver broke when the SDK's value types refused the stats it
 * tried to build. The records ({@code PoolStats}, {@code Capacity}, {@code BackendStats}) check
 * Cinder's invariants in their constructors, so a driver that computes free &gt; total fails inside
 * {@code collectStats()} with an {@link InvalidStatsException} naming the rule and the key, instead
 * of returning bad stats.
 */
final class StatsRefusals {
    private StatsRefusals() {}

    /** The requirement id {@code thrown} breaks, if it is a refusal by one of the SDK's stats types. */
    static Optional<String> requirementOf(Throwable thrown) {
        if (!(thrown instanceof InvalidStatsException)) {
            return Optional.empty();
        }
        InvalidStatsException refusal = (InvalidStatsException) thrown;
        switch (refusal.rule()) {
            case FREE_WITHIN_TOTAL:
                return Optional.of("STATS-5");
            case NON_NEGATIVE:
                return Optional.of("STATS-4");
            case RANGE:
                return Optional.of("STATS-7");
            case PROVISIONING_TYPE:
                return Optional.of("STATS-8");
            case POOLS:
                return Optional.of("STATS-6");
            case REQUIRED:
                return Optional.of(refusal.key().equals("volume_backend_name") ? "STATS-3" : "STATS-2");
            default:
                return Optional.of("STATS-2");
        }
    }
}
