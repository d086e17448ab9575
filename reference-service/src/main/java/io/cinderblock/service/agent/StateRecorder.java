package io.cinderblock.service.agent;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.service.store.ServiceStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what the agent learns about a backend: its state (from a probe, a push or a failed open)
 * in memory at once and in the database when it changed, with the time it took its value, and the
 * condition of its push channel. Called from the probe, stats and push threads.
 */
final class StateRecorder {
    /** The agent's logger: operators and log filters know these lines by it. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final ServiceStore store;
    private final Clock clock;
    private final AgentRows rows;
    private final BooleanSupplier closed;

    StateRecorder(ServiceStore store, Clock clock, AgentRows rows, BooleanSupplier closed) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.rows = requireNonNull(rows, "rows is null");
        this.closed = requireNonNull(closed, "closed is null");
    }

    /** Records a state observed now. */
    void record(BackendMonitor monitor, BackendState.Status status, String reason) {
        record(monitor, status, reason, clock.instant());
    }

    /**
     * Keeps a state in memory at once, and in the database when it changed. A state observed before
     * the one recorded (a probe that began before a pushed DOWN arrived) is dropped.
     */
    void record(BackendMonitor monitor, BackendState.Status status, String reason, Instant observedAt) {
        boolean statusChanged;
        boolean changed;
        Instant changedAt;
        synchronized (monitor) {
            if (monitor.observedAt != null && observedAt.isBefore(monitor.observedAt)) {
                return;
            }
            monitor.observedAt = observedAt;
            changedAt = monitor.transition(status, observedAt);
            statusChanged = monitor.state.map(s -> s != status).orElse(true);
            changed = statusChanged || !monitor.reason.map(reason::equals).orElse(false);
            monitor.state = Optional.of(status);
            monitor.reason = Optional.of(reason);
            monitor.reported = true;
        }
        if (!changed) {
            return;
        }
        if (statusChanged && status == BackendState.Status.DOWN) {
            LOG.warn("Backend {} is down: {}", monitor.host, reason);
        } else if (statusChanged) {
            LOG.info("Backend {} is up", monitor.host);
        }
        updateRow(monitor);
        rows.requestPublish();
        try {
            store.recordState(monitor.serviceId, status.wireValue(), reason, clock.instant(), changedAt);
        } catch (RuntimeException e) {
            if (!closed.getAsBoolean()) {
                LOG.warn("Cannot store the state of {}: {}", monitor.host, e.getMessage());
            }
        }
    }

    /** Copies the monitor's state, reason and transition time into its row. */
    void updateRow(BackendMonitor monitor) {
        rows.update(monitor.serviceId, r -> r.withBackendState(monitor.state, monitor.reason,
                Optional.ofNullable(monitor.changedAt)));
    }

    /** Shows a push channel's condition in this snapshot and, through the database, on every API node. */
    void pushLost(BackendMonitor monitor, Optional<String> reason) {
        rows.update(monitor.serviceId, r -> r.withPushLost(reason));
        rows.requestPublish();
        try {
            store.recordPushLost(monitor.serviceId, reason, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("Cannot store the push channel of {}: {}", monitor.host, e.getMessage());
        }
    }
}
