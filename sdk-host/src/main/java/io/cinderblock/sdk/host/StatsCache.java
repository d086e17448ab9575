package io.cinderblock.sdk.host;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.support.BoundedCalls;
import io.cinderblock.sdk.support.CallTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backend's cached stats. A refresh reads the device through the driver's {@code
 * collectStats()} on the backend's {@link BoundedCalls} lane {@value #KIND}, bounded by the
 * registry's stats timeout; concurrent refreshes share one read (single flight). A device that does
 * not answer turns the previous stats {@code DOWN} and tells the {@link StateProber}.
 */
final class StatsCache {
    static final String KIND = "stats";

    private final String backendName;
    private final VolumeDriver driver;
    private final BoundedCalls calls;
    private final DriverCallGuard guard;
    private final Duration timeout;
    private final StateProber state;

    private volatile BackendStats cached;
    private final AtomicReference<CompletableFuture<BackendStats>> refreshing = new AtomicReference<>();

    StatsCache(String backendName, VolumeDriver driver, BoundedCalls calls, DriverCallGuard guard, Duration timeout,
            StateProber state) {
        this.backendName = backendName;
        this.driver = driver;
        this.calls = calls;
        this.guard = guard;
        this.timeout = timeout;
        this.state = state;
    }

    /** The cached stats, or a fresh read if {@code refresh} or none are cached; carrying the newest state. */
    BackendStats get(boolean refresh) {
        BackendStats current = cached;
        if (!refresh && current != null) {
            return withNewestState(current);
        }
        return withNewestState(refresh());
    }

    private BackendStats withNewestState(BackendStats stats) {
        BackendState newest = state.last().orElse(null);
        if (newest != null && newest.observedAt().isAfter(stats.collectedAt()) && newest.status() != stats.backendState()) {
            return stats.withBackendState(newest.status());
        }
        return stats;
    }

    private BackendStats refresh() {
        CompletableFuture<BackendStats> mine = new CompletableFuture<>();
        CompletableFuture<BackendStats> running = refreshing.compareAndExchange(null, mine);
        if (running != null) {
            return join(running);
        }
        // Whatever happens, 'mine' completes: callers that joined it must never wait forever.
        try {
            mine.complete(readFromDevice());
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
        } finally {
            refreshing.set(null);
        }
        return join(mine);
    }

    private BackendStats readFromDevice() {
        try {
            BackendStats fresh = collectBounded();
            cached = fresh;
            return fresh;
        } catch (DeviceUnavailableException e) {
            BackendStats previous = cached;
            if (previous == null) {
                throw e;
            }
            BackendStats down = previous.withBackendState(BackendState.Status.DOWN);
            cached = down;
            state.recordDown(e.getMessage().isBlank() ? "The device did not answer a stats request" : e.getMessage());
            return down;
        }
    }

    private BackendStats collectBounded() {
        BackendStats stats;
        try {
            stats = calls.call(KIND, timeout, () -> {
                try {
                    return guard.call("collectStats", driver::collectStats);
                } catch (CinderblockException e) {
                    throw new DriverFailed(e); // kept apart from the guard's own CallTimeoutException
                }
            });
        } catch (DriverFailed e) {
            throw e.failure;
        } catch (CallTimeoutException e) {
            throw new DeviceUnavailableException(reasonFor(e));
        }
        if (stats == null) {
            throw guard.contractViolation("collectStats returned null");
        }
        if (!stats.backendName().equals(backendName)) {
            throw guard.contractViolation("collectStats reported volume_backend_name '" + stats.backendName()
                    + "' for backend '" + backendName + "'");
        }
        return stats;
    }

    private String reasonFor(CallTimeoutException e) {
        switch (e.reason()) {
            case OVERRAN:
            case LANE_BUSY:
                return "Stats collection for backend '" + backendName + "' did not finish within "
                        + timeout.toMillis() + " ms";
            case STILL_STUCK:
                return "An earlier stats collection for backend '" + backendName
                        + "' overran its deadline and has not returned; the driver is hung";
            case INTERRUPTED:
                return "Interrupted while collecting stats for backend '" + backendName + "'";
            default:
                return "Cannot start a stats collection for backend '" + backendName + "': " + e.getMessage();
        }
    }

    private static BackendStats join(CompletableFuture<BackendStats> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }

    /** Carries the driver's translated failure out of the guard thread. */
    private static final class DriverFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient CinderblockException failure;

        DriverFailed(CinderblockException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }
}
