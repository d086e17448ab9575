package io.cinderblock.service.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.service.model.StatsChanges;
import io.cinderblock.service.ops.Metrics;
import io.cinderblock.service.store.ServiceStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's stats rounds: every backend's stats collected on the bounded stats pool (at most one
 * collection per backend in flight), the state they imply recorded, and the stats stored only when
 * they changed ({@link StatsChanges}), so a round's database work is proportional to what changed.
 */
final class StatsCollector {
    /** The agent's logger: operators and log filters know these lines by it. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** Unchanged stats are stored again after this long, so their stored time stays within it. */
    private static final Duration STATS_REFRESH = Duration.ofMinutes(10);

    private final List<BackendMonitor> monitors;
    private final Executor statsPool;
    private final ServiceStore store;
    private final Clock clock;
    private final Optional<Metrics> metrics;
    private final AgentRows rows;
    private final StateRecorder states;
    private final BooleanSupplier closed;
    private final ObjectMapper json = new ObjectMapper();
    private final StatsChanges statsChanges = new StatsChanges(STATS_REFRESH);

    StatsCollector(List<BackendMonitor> monitors, Executor statsPool, ServiceStore store, Clock clock,
            Optional<Metrics> metrics, AgentRows rows, StateRecorder states, BooleanSupplier closed) {
        this.monitors = requireNonNull(monitors, "monitors is null");
        this.statsPool = requireNonNull(statsPool, "statsPool is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.rows = requireNonNull(rows, "rows is null");
        this.states = requireNonNull(states, "states is null");
        this.closed = requireNonNull(closed, "closed is null");
    }

    /** One round (timer thread): a collection for every open backend not still collecting. */
    void collectAll() {
        for (BackendMonitor monitor : monitors) {
            if (closed.getAsBoolean() || monitor.backend().isEmpty() || !monitor.collecting.compareAndSet(false, true)) {
                continue;
            }
            try {
                statsPool.execute(() -> {
                    try {
                        collect(monitor);
                    } finally {
                        monitor.collecting.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                monitor.collecting.set(false);
            }
        }
    }

    private void collect(BackendMonitor monitor) {
        Backend backend = monitor.backend;
        if (backend == null) {
            return;
        }
        BackendStats stats;
        long started = System.nanoTime();
        Instant startedAt = clock.instant();
        try {
            stats = backend.stats(true);
            metrics.ifPresent(m -> m.collected(monitor.host, Duration.ofNanos(System.nanoTime() - started),
                    clock.millis()));
        } catch (CinderblockException e) {
            states.record(monitor, BackendState.Status.DOWN, "Stats collection failed: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            states.record(monitor, BackendState.Status.DOWN, "Stats collection failed: " + e);
            return;
        }
        BackendState.Status status;
        synchronized (monitor) {
            // A state observed while this collection ran (a pushed DOWN, a probe) is newer than the
            // state the stats imply: the stats' capacity is stored, their state does not win (as
            // recordState drops an older observation), so no spurious flip and no false transition.
            boolean newer = monitor.state.isPresent() && monitor.observedAt != null
                    && monitor.observedAt.isAfter(startedAt);
            status = newer ? monitor.state.get() : stats.backendState();
        }
        boolean statusChanged = monitor.state.map(s -> s != status).orElse(true);
        // Same status as the last probe: keep the probe's reason (more specific than ours), so a
        // stats round does not change the row and force the list to be re-rendered.
        String reason = !statusChanged && monitor.reason.isPresent() ? monitor.reason.get()
                : status == BackendState.Status.UP ? "Stats collected"
                : backend.lastState().map(BackendState::reason).orElse("Driver reported backend_state down");
        StatsChanges.Decision decision = statsChanges.offer(monitor.serviceId, stats, status.wireValue(), reason);
        if (statusChanged) {
            LOG.info("Backend {} is {} (stats)", monitor.host, status.wireValue());
        }
        boolean recordChanged = statusChanged || !monitor.reason.map(reason::equals).orElse(false);
        Instant changedAt;
        synchronized (monitor) {
            changedAt = monitor.transition(status, stats.collectedAt());
            monitor.stats = decision.current();
            monitor.state = Optional.of(status);
            monitor.reason = Optional.of(reason);
            monitor.reported = true;
            monitor.statsCheckedAt = stats.collectedAt();
        }
        if (recordChanged) {
            states.updateRow(monitor);
        }
        // Every successful collection renews the capacity's age on this node's page at once (other
        // nodes learn it with the next heartbeat): one row and one coalesced publish per round.
        rows.update(monitor.serviceId, r -> r.withStatsUpdatedAt(Optional.of(stats.collectedAt())));
        if (decision.write()) {
            try {
                store.recordStats(monitor.serviceId, json.writeValueAsString(stats.toCinderMap()), stats.collectedAt(),
                        status.wireValue(), reason, changedAt);
                monitor.statsCheckedWritten = stats.collectedAt();
                statsChanges.written(monitor.serviceId, stats, status.wireValue(), reason);
            } catch (JsonProcessingException | RuntimeException e) {
                statsChanges.forget(monitor.serviceId);
                LOG.warn("Cannot store the stats of {}: {}", monitor.host, e.getMessage());
            }
        }
        rows.requestPublish();
    }
}
