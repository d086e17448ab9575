package io.cinderblock.service.agent;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.service.model.AgentRecord;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.PoolRecords;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The agent's rows in memory and the {@link ServiceSnapshot} published from them: what the API of an
 * all-in-one process answers from. Changes are applied to single rows at once and published
 * coalesced (a probe round of 1,000 backends is one rebuild) on the agent's timer thread.
 *
 * <p>Thread-safe: rows are replaced whole in a concurrent map; a publish is serialised.
 */
final class AgentRows {
    private final List<BackendMonitor> monitors;
    private final Executor publisher;
    private final Clock clock;
    private final Map<Long, ServiceRecord> records = new ConcurrentHashMap<>();
    private final AtomicReference<ServiceSnapshot> snapshot;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicBoolean publishPending = new AtomicBoolean();
    /** Each backend's pool records, rebuilt only when its stats or state changed. */
    private final PoolRecords.Cache poolCache = new PoolRecords.Cache();
    private volatile Map<String, AgentRecord> agents = Map.of();

    /**
     * @param monitors the agent's backends (their stats make the pools), filled before the first publish
     * @param publisher where publishes run (the agent's timer thread)
     */
    AgentRows(List<BackendMonitor> monitors, Executor publisher, Clock clock) {
        this.monitors = requireNonNull(monitors, "monitors is null");
        this.publisher = requireNonNull(publisher, "publisher is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.snapshot = new AtomicReference<>(ServiceSnapshot.empty(clock.instant()));
    }

    void put(ServiceRecord record) {
        records.put(record.id(), record);
    }

    /** Replaces one row if present; atomic per row, so a concurrent change to it is never lost. */
    void update(long id, UnaryOperator<ServiceRecord> change) {
        records.computeIfPresent(id, (k, r) -> change.apply(r));
    }

    /** Describes the agent serving this host, published with every snapshot. */
    void agents(Map<String, AgentRecord> value) {
        agents = Map.copyOf(value);
    }

    /**
     * Changes the status of the rows matching host and binary (already stored), publishes at once and
     * returns the changed row, if any.
     */
    Optional<ServiceRecord> setStatus(String host, String binary, boolean disabled, Optional<String> reason,
            Instant now) {
        ServiceRecord updated = null;
        for (long id : records.keySet()) {
            // computeIfPresent, not get-then-put: a probe's concurrent state update must not be lost.
            ServiceRecord changed = records.computeIfPresent(id, (k, r) -> r.host().equals(host)
                    && r.binary().equals(binary) ? r.withStatus(disabled, reason, now) : r);
            if (changed != null && changed.host().equals(host) && changed.binary().equals(binary)) {
                updated = changed;
            }
        }
        publishNow();
        return Optional.ofNullable(updated);
    }

    /** Publishes soon, coalescing a burst of changes into one rebuild. */
    void requestPublish() {
        if (publishPending.compareAndSet(false, true)) {
            try {
                publisher.execute(this::publishNow);
            } catch (RejectedExecutionException e) {
                publishPending.set(false);
            }
        }
    }

    synchronized void publishNow() {
        publishPending.set(false);
        Map<String, List<PoolRecord>> pools = new LinkedHashMap<>();
        for (BackendMonitor monitor : monitors) {
            BackendStats stats = monitor.stats;
            if (stats == null) {
                continue;
            }
            // Rebuilt only for the backends whose stats or state changed since the last publish.
            pools.put(monitor.host, poolCache.of(monitor.host, monitor.section.volumeBackendName(),
                    monitor.state.orElse(stats.backendState()), stats));
        }
        snapshot.set(new ServiceSnapshot(new ArrayList<>(records.values()), pools, generation.incrementAndGet(),
                clock.instant(), agents));
    }

    ServiceSnapshot current() {
        return snapshot.get();
    }
}
