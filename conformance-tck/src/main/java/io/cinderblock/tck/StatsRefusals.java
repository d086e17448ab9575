package io.cinderblock.tck;

import java.util.Arrays;
import java.util.Optional;

/**
 * Tells which stats requirement a driver broke when the SDK's value types refused the stats it
 * tried to build. The records ({@code PoolStats}, {@code Capacity}, {@code BackendStats}) check
 * Cinder's invariants in their constructors, so a driver that computes free &gt; total fails inside
 * {@code collectStats()} with an {@link IllegalArgumentException} instead of returning bad stats. The
 * SDK gives those exceptions no code, so this matches the Cinder key each message names.
 */
final class StatsRefusals {
    private StatsRefusals() {}

    /** The requirement id {@code thrown} breaks, if it is a refusal by one of the SDK's stats types. */
    static Optional<String> requirementOf(Throwable thrown) {
        if (!(thrown instanceof IllegalArgumentException || thrown instanceof NullPointerException)
                || !thrownBySdkValueType(thrown)) {
            return Optional.empty();
        }
        String message = String.valueOf(thrown.getMessage());
        if (message.contains("exceeds total_capacity_gb")) {
            return Optional.of("STATS-5");
        }
        if (message.contains("Capacity must be") || message.contains("_capacity_gb must be >= 0")
                || message.contains("total_volumes must be")) {
            return Optional.of("STATS-4");
        }
        if (message.contains("reserved_percentage") || message.contains("max_over_subscription_ratio")) {
            return Optional.of("STATS-7");
        }
        if (message.contains("thin nor thick")) {
            return Optional.of("STATS-8");
        }
        if (message.contains("reports no pool") || message.contains("twice") || message.contains("pool_name")) {
            return Optional.of("STATS-6");
        }
        if (message.contains("volume_backend_name")) {
            return Optional.of("STATS-3");
        }
        return Optional.of("STATS-2");
    }

    private static boolean thrownBySdkValueType(Throwable thrown) {
        return Arrays.stream(thrown.getStackTrace())
                .limit(6)
                .anyMatch(frame -> frame.getClassName().startsWith("io.cinderblock.sdk.spi."));
    }
}
