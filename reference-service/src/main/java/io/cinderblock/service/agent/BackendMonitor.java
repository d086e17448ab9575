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
    /** The state and transition time stored by the last run: kept if this run's first report agrees. */
    volatile Optional<BackendState.Status> storedState = Optional.empty();
    volatile Optional<Instant> storedChangedAt = Optional.empty();
    /** When {@link #state} took its value (observed time of the first report saying so). */
    volatile Instant changedAt;
    /** When stats were last collected successfully, and the value last written to the database. */
    volatile Instant statsCheckedAt;
    volatile Instant statsCheckedWritten;
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

    /**
     * Notes a report of {@code status} observed at {@code at} and returns when the state took its
     * value: {@code at} if it differs from the last state (this run's, else the stored one), else
     * the time kept (across a restart, the stored one). Call while holding this monitor's lock,
     * before {@link #state} is replaced.
     */
    Instant transition(BackendState.Status status, Instant at) {
        Optional<BackendState.Status> previous = state.isPresent() ? state : storedState;
        if (previous.map(s -> s != status).orElse(true)) {
            changedAt = at;
        } else if (changedAt == null) {
            changedAt = storedChangedAt.orElse(at);
        }
        return changedAt;
    }
}
