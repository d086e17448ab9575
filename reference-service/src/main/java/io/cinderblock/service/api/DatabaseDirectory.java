package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.service.model.AgentRecord;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.PoolRecords;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceNotFoundException;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.ops.PeriodicTask;
import io.cinderblock.service.store.ServiceStore;
import io.cinderblock.service.store.StoredAgent;
import io.cinderblock.service.store.StoredService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API-only node's {@link ServiceDirectory}: an in-memory snapshot of the shared database,
 * refreshed in the background, so a list request never queries the database and never waits.
 *
 * <p>Every {@link #REFRESH_INTERVAL} it runs one aggregate query ({@link ServiceStore#fingerprint()})
 * and re-reads the rows only when that changed; parsed stats are reused while a backend's
 * {@code stats_collected_at} is unchanged. So a write by any agent is visible here within one
 * interval plus one read, and an idle cluster costs one small query per interval.
 *
 * <p><b>Dead agents.</b> A volume service whose heartbeat is older than {@code service_down_time}
 * has lost its agent: its {@code backend_state} reads as unknown ({@code null}) and its pools are
 * left out of {@code get_pools}, instead of showing a frozen last {@code up}. This is re-evaluated on
 * every tick even when nothing was written, since a dead agent writes nothing.
 *
 * <p><b>Database outages.</b> A failed refresh keeps the last snapshot (the API keeps answering) and
 * is retried on the next tick; {@link #lastRefresh()} tells {@code /readyz} how old the picture is.
 */
public final class DatabaseDirectory implements ServiceDirectory, AutoCloseable {
    /** How often the change query runs. */
    public static final Duration REFRESH_INTERVAL = Duration.ofMillis(250);
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseDirectory.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final ServiceStore store;
    private final Duration serviceDownTime;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService timer;
    private final AtomicReference<ServiceSnapshot> snapshot;
    private final AtomicLong generation = new AtomicLong();
    private final Map<Long, ParsedStats> statsCache = new HashMap<>();
    /** Pool records are rebuilt only for backends whose parsed stats or state changed. */
    private final PoolRecords.Cache poolCache = new PoolRecords.Cache();
    private volatile Instant lastRefresh;
    private String fingerprint;
    private List<StoredService> rows = List.of();
    private Map<String, AgentRecord> agents = Map.of();
    private Set<Long> staleIds = Set.of();
    private boolean failing;
    private volatile Runnable onPublish = () -> {};

    private record ParsedStats(Instant collectedAt, BackendStats stats) {}

    /**
     * Reads the database once (so the first request already has every row) and starts refreshing.
     *
     * @param serviceDownTime a volume service with an older heartbeat shows {@code backend_state} null
     * @throws io.cinderblock.service.store.StoreException the first read failed
     */
    public DatabaseDirectory(ServiceStore store, Duration serviceDownTime, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.serviceDownTime = requireNonNull(serviceDownTime, "serviceDownTime is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.snapshot = new AtomicReference<>(ServiceSnapshot.empty(clock.instant()));
        String first = store.fingerprint();
        reload(store.services(), store.hostClaims().agents(), first);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cinderblock-api-refresh");
            t.setDaemon(true);
            return t;
        });
        long period = REFRESH_INTERVAL.toMillis();
        timer.scheduleWithFixedDelay(PeriodicTask.guarded("API snapshot refresh", this::refresh), period, period, TimeUnit.MILLISECONDS);
    }

    /** One tick: a change query, a re-read if something changed, a staleness check either way. */
    synchronized void refresh() {
        try {
            String current = store.fingerprint();
            if (!current.equals(fingerprint)) {
                reload(store.services(), store.hostClaims().agents(), current);
            } else {
                lastRefresh = clock.instant();
                if (!staleIds(rows, lastRefresh).equals(staleIds)) {
                    publish(lastRefresh);
                }
            }
            if (failing) {
                LOG.info("Database reachable again; the snapshot is current");
                failing = false;
            }
        } catch (RuntimeException e) {
            // Keep answering from the last snapshot; /readyz reports its age.
            if (!failing) {
                LOG.warn("Cannot refresh from the database, answering from the last snapshot: {}", e.getMessage());
                failing = true;
            }
        }
    }

    private void reload(List<StoredService> read, List<StoredAgent> readAgents, String newFingerprint) {
        rows = List.copyOf(read);
        Map<String, AgentRecord> byHost = new LinkedHashMap<>();
        for (StoredAgent a : readAgents) {
            byHost.put(a.host(), new AgentRecord(a.host(), a.node(), a.pid(), a.role(), a.version(), a.startedAt(),
                    a.statsInterval()));
        }
        agents = byHost;
        fingerprint = newFingerprint;
        lastRefresh = clock.instant();
        publish(lastRefresh);
    }

    private Set<Long> staleIds(List<StoredService> services, Instant now) {
        Set<Long> stale = new HashSet<>();
        for (StoredService row : services) {
            if (Duration.between(row.updatedAt(), now).compareTo(serviceDownTime) > 0) {
                stale.add(row.id());
            }
        }
        return stale;
    }

    private void publish(Instant now) {
        staleIds = staleIds(rows, now);
        List<ServiceRecord> records = new ArrayList<>(rows.size());
        Map<String, List<PoolRecord>> pools = new LinkedHashMap<>();
        Set<Long> seen = new HashSet<>();
        for (StoredService row : rows) {
            seen.add(row.id());
            boolean stale = staleIds.contains(row.id());
            Optional<BackendState.Status> state = stale ? Optional.empty()
                    : row.backendState().flatMap(BackendState.Status::fromWireValue);
            // The transition time and push channel are the agent's words: gone with a dead agent.
            records.add(new ServiceRecord(row.id(), row.host(), row.binary(), row.zone(), row.disabled(),
                    row.disabledReason(), row.updatedAt(), state, stale ? Optional.empty() : row.stateReason(),
                    row.replicationStatus(), stale ? Optional.empty() : row.stateChangedAt(),
                    row.statsCheckedAt().or(row::statsCollectedAt), stale ? Optional.empty() : row.pushLost()));
            Optional<BackendStats> stats = stats(row);
            if (!stale && stats.isPresent()) {
                BackendStats s = stats.get();
                pools.put(row.host(), poolCache.of(row.host(), s.backendName(), state.orElse(s.backendState()), s));
            }
        }
        statsCache.keySet().retainAll(seen);
        poolCache.retainOnly(pools.keySet());
        snapshot.set(new ServiceSnapshot(records, pools, generation.incrementAndGet(), now, agents));
        try {
            onPublish.run();
        } catch (RuntimeException e) {
            LOG.warn("Snapshot listener failed: {}", e.toString());
        }
    }

    /** Runs {@code listener} on the refresh thread after each new snapshot (the API pre-renders its list). */
    public void onPublish(Runnable listener) {
        this.onPublish = requireNonNull(listener, "listener is null");
    }

    private Optional<BackendStats> stats(StoredService row) {
        if (row.statsJson().isEmpty() || row.statsCollectedAt().isEmpty()) {
            return Optional.empty();
        }
        Instant collectedAt = row.statsCollectedAt().get();
        ParsedStats cached = statsCache.get(row.id());
        if (cached != null && cached.collectedAt().equals(collectedAt)) {
            return Optional.of(cached.stats());
        }
        try {
            BackendStats stats = BackendStats.fromCinderMap(json.readValue(row.statsJson().get(), MAP), collectedAt);
            statsCache.put(row.id(), new ParsedStats(collectedAt, stats));
            return Optional.of(stats);
        } catch (Exception e) {
            // One malformed row must not hide the others: its pools are left out, and said why.
            LOG.warn("Ignoring the stored stats of {}: {}", row.host(), e.getMessage());
            return Optional.empty();
        }
    }

    /** When the database last answered a refresh. */
    public Instant lastRefresh() {
        return lastRefresh;
    }

    @Override
    public ServiceSnapshot snapshot() {
        return snapshot.get();
    }

    @Override
    public ServiceRecord setDisabled(String host, String binary, boolean disabled, Optional<String> reason) {
        if (!store.setDisabled(host, binary, disabled, disabled ? reason : Optional.empty(), clock.instant())) {
            throw new ServiceNotFoundException(host, binary);
        }
        // Read our own write now, so the answer and the next list agree.
        refresh();
        return snapshot.get().services().stream().filter(s -> s.host().equals(host) && s.binary().equals(binary))
                .findFirst().orElseThrow(() -> new ServiceNotFoundException(host, binary));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
