package io.cinderblock.service.agent;

import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.service.config.BackendSection;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's view of one backend: its service row, its open {@link Backend} (or why it is not
 * open), and the last report. Fields are written by the agent's pool threads and read when a
 * snapshot is built; each is volatile and replaced whole.
 */
final class BackendMonitor {
    final BackendSection section;
    final String host;
    final long serviceId;
    /** Set while a probe, open or stats task of this backend runs: a slow backend never piles up tasks. */
    final AtomicBoolean probing = new AtomicBoolean();
    final AtomicBoolean collecting = new AtomicBoolean();

    volatile Backend backend;
    volatile Optional<BackendState.Status> state = Optional.empty();
    volatile Optional<String> reason = Optional.empty();
    volatile BackendStats stats;
    /** When the recorded state was observed: an older answer (a probe that began before a push) never overwrites it. */
    volatile Instant observedAt;
    /** Whether this run has reported a state yet (for {@code /readyz}'s first round). */
    volatile boolean reported;
    /** Whether the driver pushes states for this backend. */
    volatile boolean pushing;
    /** Why the push channel is not delivering, while it is not. */
    volatile Optional<String> pushLost = Optional.empty();
    /** This backend's phase in the probe schedule (ms after the agent's start). */
    long phase;
    /** The next probe, guarded by this monitor. */
    ScheduledFuture<?> nextProbe;

    BackendMonitor(BackendSection section, String host, long serviceId) {
        this.section = section;
        this.host = host;
        this.serviceId = serviceId;
    }

    Optional<Backend> backend() {
        return Optional.ofNullable(backend);
    }
}
