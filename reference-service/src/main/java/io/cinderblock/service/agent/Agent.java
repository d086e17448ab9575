package io.cinderblock.service.agent;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.discovery.LoadedDriver;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.service.config.BackendSection;
import io.cinderblock.service.config.ConfigException;
import io.cinderblock.service.config.ServiceConfig;
import io.cinderblock.service.model.AgentRecord;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.PoolRecords;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceNotFoundException;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.model.StatsChanges;
import io.cinderblock.service.ops.Metrics;
import io.cinderblock.service.ops.NodeIdentity;
import io.cinderblock.service.store.ServiceStore;
import io.cinderblock.service.store.StoredService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent side: opens each configured backend through the SDK, keeps one {@code cinder-volume}
 * row per backend and a {@code cinder-scheduler} row for the process, heartbeats them, probes each
 * backend's state and collects its stats on their intervals, writes everything to the database and
 * publishes an in-memory {@link ServiceSnapshot} for the API.
 *
 * <p><b>Isolation.</b> Probes run on a bounded pool, stats on another; each backend has at most one
 * probe and one stats task in flight (a slow backend's tick is skipped, never queued), and every
 * driver call is bounded by the SDK's {@link Backend#state()} deadline or the stats timeout. A hung
 * device therefore holds one pool thread for one deadline at most and never delays another backend
 * or the API, which only reads the published snapshot.
 */
public final class Agent implements ServiceDirectory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration OPEN_WAIT = Duration.ofSeconds(30);
    /** Unchanged stats are stored again after this long, so their stored time stays within it. */
    private static final Duration STATS_REFRESH = Duration.ofMinutes(10);

    private final ServiceConfig config;
    private final ServiceStore store;
    private final Clock clock;
    private final DriverRegistry drivers;
    private final BackendRegistry backends;
    private final ObjectMapper json = new ObjectMapper();
    private final List<BackendMonitor> monitors = new ArrayList<>();
    private final Map<Long, ServiceRecord> records = new ConcurrentHashMap<>();
    private final AtomicReference<ServiceSnapshot> snapshot;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicBoolean publishPending = new AtomicBoolean();
    private final ScheduledExecutorService scheduler;
    private final ThreadPoolExecutor probePool;
    private final ThreadPoolExecutor statsPool;
    /** Pushed states are handled here, off the drivers' threads: one thread keeps each backend's order. */
    private final ThreadPoolExecutor pushExecutor;
    private final ProbeTimer probeTimer;
    private volatile Instant openedAt;
    private final Optional<Metrics> metrics;
    /** Stats rounds: which stats need storing again, and each backend's pool records (see collect). */
    private final StatsChanges statsChanges = new StatsChanges(STATS_REFRESH);
    private final PoolRecords.Cache poolCache = new PoolRecords.Cache();
    /** Names this process's claim on its host: unique per run, so a restart is a new owner. */
    private final String owner = UUID.randomUUID().toString();
    private long schedulerServiceId;
    private volatile boolean claimed;
    private volatile boolean claimLost;
    private volatile boolean closed;
    private final NodeIdentity identity;
    private volatile Map<String, AgentRecord> agentRecords = Map.of();

    /**
     * Creates the agent; {@link #start()} opens the backends.
     *
     * @param drivers where drivers are found (class path and optional drivers directory)
     */
    public Agent(ServiceConfig config, DriverRegistry drivers, ServiceStore store, Clock clock) {
        this(config, drivers, store, clock, null);
    }

    /**
     * Creates the agent, recording probe and stats figures in {@code metrics}.
     *
     * @param metrics where to record probe and stats durations; null for none
     */
    public Agent(ServiceConfig config, DriverRegistry drivers, ServiceStore store, Clock clock, Metrics metrics) {
        this(config, drivers, store, clock, metrics, NodeIdentity.local("all"));
    }

    /**
     * Creates the agent, recording probe and stats figures in {@code metrics} and describing itself
     * as {@code identity} in its host claim (shown on the status page of every API node).
     *
     * @param metrics where to record probe and stats durations; null for none
     */
    public Agent(ServiceConfig config, DriverRegistry drivers, ServiceStore store, Clock clock, Metrics metrics,
            NodeIdentity identity) {
        this.identity = requireNonNull(identity, "identity is null");
        this.metrics = Optional.ofNullable(metrics);
        this.config = requireNonNull(config, "config is null");
        this.drivers = requireNonNull(drivers, "drivers is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.backends = BackendRegistry.builder().drivers(drivers).clock(clock).statsTimeout(STATS_TIMEOUT).build();
        this.snapshot = new AtomicReference<>(ServiceSnapshot.empty(clock.instant()));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("cinderblock-agent-timer"));
        this.probePool = boundedPool(config.probeThreads(), "cinderblock-probe");
        this.statsPool = boundedPool(Math.max(2, config.probeThreads() / 4), "cinderblock-stats");
        this.pushExecutor = boundedPool(1, "cinderblock-push");
        this.probeTimer = new ProbeTimer(scheduler, new ProbeSchedule(config.stateInterval()), this::submitProbe,
                () -> System.nanoTime() / 1_000_000);
    }

    private static ThreadPoolExecutor boundedPool(int threads, String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * {@link #register()} then {@link #openAndSchedule()}.
     *
     * @throws ConfigException a backend names an unknown driver or a bad option
     * @throws io.cinderblock.service.store.HostClaimedException another live agent serves this host
     */
    public void start() {
        register();
        openAndSchedule();
    }

    /**
     * Checks every backend section against its driver, claims the host, registers the service rows
     * and publishes them with {@code backend_state} unknown: quick, no device is contacted, so the
     * API can answer before any backend is opened.
     *
     * @throws ConfigException a backend names an unknown driver or a bad option
     * @throws io.cinderblock.service.store.HostClaimedException another live agent serves this host
     */
    public void register() {
        List<BackendSection> sections = config.backends();
        for (BackendSection section : sections) {
            validate(section);
        }
        Instant now = clock.instant();
        // Before touching a row: two agents writing one host's rows would overwrite each other.
        long pid = ProcessHandle.current().pid();
        store.hostClaims().claimHost(config.host(), owner, identity.node(), pid, now, config.serviceDownTime());
        claimed = true;
        try {
            store.hostClaims().describe(config.host(), owner, identity.role(), identity.version(),
                    config.statsInterval());
        } catch (RuntimeException e) {
            // Only the status page's description of this agent is missing; the agent works.
            LOG.warn("Cannot describe this agent in its host claim: {}", e.getMessage());
        }
        agentRecords = Map.of(config.host(), new AgentRecord(config.host(), identity.node(), pid,
                Optional.of(identity.role()), Optional.of(identity.version()), now,
                Optional.of(config.statsInterval())));
        schedulerServiceId = store.register(config.host(), ServiceRecord.SCHEDULER, config.availabilityZone(),
                "disabled", now);
        for (BackendSection section : sections) {
            String host = config.host() + "@" + section.section();
            long id = store.register(host, ServiceRecord.VOLUME, config.availabilityZone(), "disabled", now);
            monitors.add(new BackendMonitor(section, host, id));
        }
        // Every row of this host in the database, with its persisted status, as Cinder lists them: a
        // backend removed from enabled_backends keeps its row and ages to 'down'. backend_state stays
        // unknown until this run reports, so a restart never shows a state observed before it. Other
        // hosts' rows belong to other agents; API nodes read them from the database.
        Map<Long, BackendMonitor> byId = new HashMap<>();
        monitors.forEach(m -> byId.put(m.serviceId, m));
        for (StoredService row : store.services()) {
            if (row.host().equals(config.host()) || row.host().startsWith(config.host() + "@")) {
                records.put(row.id(), toRecord(row));
                BackendMonitor monitor = byId.get(row.id());
                if (monitor != null) {
                    // Kept if this run's first report agrees, so "last changed" survives a restart.
                    monitor.storedState = row.backendState().flatMap(BackendState.Status::fromWireValue);
                    monitor.storedChangedAt = row.stateChangedAt();
                    if (row.pushLost().isPresent()) {
                        // The last run's push channel is gone with it; this run subscribes afresh.
                        storePushLost(monitor, Optional.empty());
                    }
                }
            }
        }
        publishNow();
    }

    /**
     * Opens the backends (waiting up to 30 s for their drivers), subscribes those that push, and
     * starts the timers: heartbeats, probes spread over the probe interval ({@link ProbeSchedule}),
     * stats at once and then on their interval.
     *
     * @throws ConfigException a driver refused its options at open
     */
    public void openAndSchedule() {
        openedAt = clock.instant();
        openAll();
        long report = config.reportInterval().toMillis();
        long state = config.stateInterval().toMillis();
        long stats = config.statsInterval().toMillis();
        scheduler.scheduleAtFixedRate(this::heartbeat, report, report, TimeUnit.MILLISECONDS);
        probeTimer.start(monitors);
        scheduler.scheduleAtFixedRate(this::collectAll, 0, stats, TimeUnit.MILLISECONDS);
        LOG.info("Agent started: {} backend(s) on host {}, probing every {} ms (spread over it; every {} ms while"
                + " down), stats every {} ms, {} pushing", monitors.size(), config.host(), state,
                new ProbeSchedule(config.stateInterval()).fastInterval(), stats,
                monitors.stream().filter(m -> m.pushing).count());
    }

    /**
     * Why this agent is not ready yet: empty once every backend has reported once in this run (or
     * the first round's time is up: the probe interval plus the 30 s open wait, so one backend
     * whose driver hangs at open cannot keep the process unready for ever).
     */
    public Optional<String> firstRoundPending() {
        Instant opened = openedAt;
        if (opened == null) {
            return Optional.of("backends not opened yet");
        }
        long pending = monitors.stream().filter(m -> !m.reported).count();
        if (pending == 0 || clock.instant().isAfter(opened.plus(config.stateInterval()).plus(OPEN_WAIT))) {
            return Optional.empty();
        }
        return Optional.of(pending + " of " + monitors.size() + " backend(s) not probed yet (first probe round)");
    }

    /** Why a backend's push channel is not delivering (host {@code host@backend}), if it pushes and broke. */
    public Optional<String> pushLost(String host) {
        for (BackendMonitor monitor : monitors) {
            if (monitor.host.equals(host)) {
                return monitor.pushLost;
            }
        }
        return Optional.empty();
    }

    /** False once another agent took this host over (this one stopped renewing in time). */
    public boolean holdsHost() {
        return claimed && !claimLost;
    }

    private void validate(BackendSection section) {
        String where = config.source() + ": [" + section.section() + "] ";
        LoadedDriver driver = drivers.driver(section.driverId()).orElseThrow(() -> new ConfigException(where
                + "volume_driver = '" + section.driverId() + "': no such driver; available: "
                + drivers.drivers().stream().map(d -> d.descriptor().id()).toList()
                + (drivers.problems().isEmpty() ? "" : "; drivers that failed to load: " + drivers.problems())));
        try {
            DriverConfig.validate(driver.descriptor(), section.section(), section.registryConfig());
        } catch (InvalidConfigException e) {
            throw new ConfigException(where + e.option() + ": " + e.getMessage(), e);
        }
    }

    private void openAll() {
        List<Future<?>> opening = new ArrayList<>();
        for (BackendMonitor monitor : monitors) {
            monitor.probing.set(true);
            opening.add(probePool.submit(() -> {
                try {
                    open(monitor);
                } finally {
                    monitor.probing.set(false);
                }
            }));
        }
        long deadline = System.nanoTime() + OPEN_WAIT.toNanos();
        for (Future<?> future : opening) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ConfigException) {
                    close();
                    throw (ConfigException) e.getCause();
                }
            } catch (TimeoutException e) {
                // A driver whose open hangs: its backend stays 'down' and the others go on.
                LOG.warn("A backend is still opening after {} s; starting without it", OPEN_WAIT.toSeconds());
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Opens one backend; a driver that fails to open is reported down and retried on the next probe. */
    private void open(BackendMonitor monitor) {
        try {
            monitor.backend = backends.open(monitor.section.section(), monitor.section.registryConfig());
            LOG.info("Backend {} opened with driver {}", monitor.host, monitor.section.driverId());
            watch(monitor);
        } catch (InvalidConfigException e) {
            throw new ConfigException(config.source() + ": [" + monitor.section.section() + "] " + e.option() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Logged by recordState when the state or reason changes, not on every retry.
            String reason = "Driver '" + monitor.section.driverId() + "' failed to open: " + e.getMessage();
            recordState(monitor, BackendState.Status.DOWN, reason);
        }
    }

    // ------------------------------------------------------------------ timers

    private void heartbeat() {
        try {
            Instant now = clock.instant();
            List<Long> ids = new ArrayList<>();
            ids.add(schedulerServiceId);
            monitors.forEach(m -> ids.add(m.serviceId));
            if (!store.hostClaims().renewHost(config.host(), owner, now)) {
                if (!claimLost) {
                    LOG.error("Another agent took over host {} (this agent missed its heartbeats for service_down_time);"
                            + " this agent stops reporting: restart it once the other is gone", config.host());
                }
                claimLost = true;
                return;
            }
            // Stats collected since the last heartbeat: their time rides along (unchanged stats are
            // not rewritten), so every API node knows how old each backend's capacity is.
            Map<Long, Instant> checked = new HashMap<>();
            for (BackendMonitor m : monitors) {
                Instant at = m.statsCheckedAt;
                if (at != null && !at.equals(m.statsCheckedWritten)) {
                    checked.put(m.serviceId, at);
                }
            }
            store.heartbeat(ids, now, checked);
            for (BackendMonitor m : monitors) {
                Instant at = checked.get(m.serviceId);
                if (at != null) {
                    m.statsCheckedWritten = at;
                }
            }
            ids.forEach(id -> records.computeIfPresent(id, (k, r) -> r.withUpdatedAt(now)));
            requestPublish();
        } catch (RuntimeException e) {
            // No heartbeat written means the rows age towards 'down', which is the truth.
            LOG.warn("Heartbeat failed: {}", e.getMessage());
        }
    }

    /** Subscribes to a backend's pushed states; polling goes on regardless (the safety net). */
    private void watch(BackendMonitor monitor) {
        try {
            monitor.pushing = monitor.backend.watchState(new PushedStates(pushExecutor, new PushedStates.Sink() {
                @Override
                public void pushed(BackendState state) {
                    metrics.ifPresent(m -> m.pushed(monitor.host));
                    recordState(monitor, state.status(), state.reason(), state.observedAt());
                    if (state.status() == BackendState.Status.DOWN) {
                        probeTimer.sooner(monitor);
                    }
                }

                @Override
                public void lost(String reason) {
                    monitor.pushLost = Optional.of(reason);
                    storePushLost(monitor, monitor.pushLost);
                    metrics.ifPresent(m -> m.pushLost(monitor.host, true));
                    LOG.warn("Backend {}: pushed states lost ({}); polling every {} ms continues", monitor.host, reason,
                            config.stateInterval().toMillis());
                }

                @Override
                public void restored() {
                    monitor.pushLost = Optional.empty();
                    storePushLost(monitor, monitor.pushLost);
                    metrics.ifPresent(m -> m.pushLost(monitor.host, false));
                    LOG.info("Backend {}: pushed states flow again", monitor.host);
                }
            }));
            if (monitor.pushing) {
                metrics.ifPresent(m -> m.pushLost(monitor.host, false));
                LOG.info("Backend {} pushes its state changes (polling continues as the safety net)", monitor.host);
            }
        } catch (RuntimeException e) {
            // A driver whose push cannot start is polled, as every other one.
            LOG.warn("Backend {}: cannot subscribe to pushed states: {}; polling only", monitor.host, e.getMessage());
        }
    }

    /** Shows a push channel's condition in this snapshot and, through the database, on every API node. */
    private void storePushLost(BackendMonitor monitor, Optional<String> reason) {
        records.computeIfPresent(monitor.serviceId, (k, r) -> r.withPushLost(reason));
        requestPublish();
        try {
            store.recordPushLost(monitor.serviceId, reason, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("Cannot store the push channel of {}: {}", monitor.host, e.getMessage());
        }
    }

    /** Starts one probe of a backend (timer thread); a backend still busy is skipped to its next slot. */
    private void submitProbe(BackendMonitor monitor) {
        if (closed) {
            return;
        }
        if (!monitor.probing.compareAndSet(false, true)) {
            probeTimer.scheduleNext(monitor);
            return;
        }
        try {
            probePool.execute(() -> {
                try {
                    probe(monitor);
                } finally {
                    monitor.probing.set(false);
                    probeTimer.scheduleNext(monitor);
                }
            });
        } catch (RejectedExecutionException e) {
            monitor.probing.set(false);
        }
    }

    private void probe(BackendMonitor monitor) {
        Optional<Backend> backend = monitor.backend();
        if (backend.isEmpty()) {
            open(monitor);
            backend = monitor.backend();
            if (backend.isEmpty()) {
                return;
            }
        }
        long started = System.nanoTime();
        BackendState state = backend.get().state();
        metrics.ifPresent(m -> m.probed(monitor.host, Duration.ofNanos(System.nanoTime() - started),
                clock.millis()));
        recordState(monitor, state.status(), state.reason(), state.observedAt());
    }

    private void collectAll() {
        for (BackendMonitor monitor : monitors) {
            if (closed || monitor.backend().isEmpty() || !monitor.collecting.compareAndSet(false, true)) {
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
        try {
            stats = backend.stats(true);
            metrics.ifPresent(m -> m.collected(monitor.host, Duration.ofNanos(System.nanoTime() - started),
                    clock.millis()));
        } catch (CinderblockException e) {
            recordState(monitor, BackendState.Status.DOWN, "Stats collection failed: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            recordState(monitor, BackendState.Status.DOWN, "Stats collection failed: " + e);
            return;
        }
        BackendState.Status status = stats.backendState();
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
            updateRecordState(monitor);
        }
        // Every successful collection renews the capacity's age on this node's page at once (other
        // nodes learn it with the next heartbeat): one record and one coalesced publish per round.
        records.computeIfPresent(monitor.serviceId, (k, r) -> r.withStatsUpdatedAt(Optional.of(stats.collectedAt())));
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
        requestPublish();
    }

    private void recordState(BackendMonitor monitor, BackendState.Status status, String reason) {
        recordState(monitor, status, reason, clock.instant());
    }

    /**
     * Keeps a state in memory at once, and in the database when it changed. A state observed before
     * the one recorded (a probe that began before a pushed DOWN arrived) is dropped.
     */
    private void recordState(BackendMonitor monitor, BackendState.Status status, String reason, Instant observedAt) {
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
        updateRecordState(monitor);
        requestPublish();
        try {
            store.recordState(monitor.serviceId, status.wireValue(), reason, clock.instant(), changedAt);
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("Cannot store the state of {}: {}", monitor.host, e.getMessage());
            }
        }
    }

    private void updateRecordState(BackendMonitor monitor) {
        records.computeIfPresent(monitor.serviceId, (k, r) -> r.withBackendState(monitor.state, monitor.reason,
                Optional.ofNullable(monitor.changedAt)));
    }

    // ------------------------------------------------------------------ snapshot

    /** Publishes soon, coalescing a burst of changes (a probe round of 1,000 backends) into one rebuild. */
    private void requestPublish() {
        if (publishPending.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::publishNow);
            } catch (RejectedExecutionException e) {
                publishPending.set(false);
            }
        }
    }

    private synchronized void publishNow() {
        publishPending.set(false);
        Map<String, List<PoolRecord>> pools = new LinkedHashMap<>();
        for (BackendMonitor monitor : monitors) {
            BackendStats stats = monitor.stats;
            if (stats == null) {
                continue;
            }
            pools.put(monitor.host, poolRecords(monitor, stats));
        }
        snapshot.set(new ServiceSnapshot(new ArrayList<>(records.values()), pools, generation.incrementAndGet(),
                clock.instant(), agentRecords));
    }

    private List<PoolRecord> poolRecords(BackendMonitor monitor, BackendStats stats) {
        // Rebuilt only for the backends whose stats or state changed since the last publish.
        return poolCache.of(monitor.host, monitor.section.volumeBackendName(),
                monitor.state.orElse(stats.backendState()), stats);
    }

    private static ServiceRecord toRecord(StoredService row) {
        return new ServiceRecord(row.id(), row.host(), row.binary(), row.zone(), row.disabled(), row.disabledReason(),
                row.updatedAt(), Optional.empty(), Optional.empty(), row.replicationStatus());
    }

    @Override
    public ServiceSnapshot snapshot() {
        return snapshot.get();
    }

    @Override
    public ServiceRecord setDisabled(String host, String binary, boolean disabled, Optional<String> reason) {
        Instant now = clock.instant();
        Optional<String> stored = disabled ? reason : Optional.empty();
        if (!store.setDisabled(host, binary, disabled, stored, now)) {
            throw new ServiceNotFoundException(host, binary);
        }
        ServiceRecord updated = null;
        for (long id : records.keySet()) {
            // computeIfPresent, not get-then-put: a probe's concurrent state update must not be lost.
            ServiceRecord changed = records.computeIfPresent(id, (k, r) -> r.host().equals(host)
                    && r.binary().equals(binary) ? r.withStatus(disabled, stored, now) : r);
            if (changed != null && changed.host().equals(host) && changed.binary().equals(binary)) {
                updated = changed;
            }
        }
        publishNow();
        return Objects.requireNonNull(updated, "row updated in the database but not in memory");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        pushExecutor.shutdownNow();
        probePool.shutdownNow();
        statsPool.shutdownNow();
        backends.close();
        if (claimed && !claimLost) {
            try {
                // A clean stop frees the host at once; after a crash the claim ages out instead.
                store.hostClaims().releaseHost(config.host(), owner);
            } catch (RuntimeException e) {
                LOG.warn("Cannot release host {}: {}", config.host(), e.getMessage());
            }
        }
    }
}
