package io.cinderblock.service.agent;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.discovery.LoadedDriver;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.service.config.BackendSection;
import io.cinderblock.service.config.ConfigException;
import io.cinderblock.service.config.ServiceConfig;
import io.cinderblock.service.model.AgentRecord;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceNotFoundException;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.ops.Metrics;
import io.cinderblock.service.ops.NodeIdentity;
import io.cinderblock.service.ops.PeriodicTask;
import io.cinderblock.service.store.ServiceStore;
import io.cinderblock.service.store.StoredService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p><b>Parts</b> (package-private, one job each): {@link AgentRows} (rows in memory, the published
 * snapshot), {@link StateRecorder} (states, transition times and push channels, in memory and in the
 * database), {@link StatsCollector} (stats rounds), {@link PushWatch} and {@link PushedStates}
 * (pushed states), {@link ProbeSchedule} and {@link ProbeTimer} (when each backend is probed). The
 * agent itself opens the backends, heartbeats, claims its host and runs the probes.
 */
public final class Agent implements ServiceDirectory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration OPEN_WAIT = Duration.ofSeconds(30);

    private final ServiceConfig config;
    private final ServiceStore store;
    private final Clock clock;
    private final DriverRegistry drivers;
    private final BackendRegistry backends;
    private final List<BackendMonitor> monitors = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final ThreadPoolExecutor probePool;
    private final ThreadPoolExecutor statsPool;
    /** Pushed states are handled here, off the drivers' threads: one thread keeps each backend's order. */
    private final ThreadPoolExecutor pushExecutor;
    private final ProbeTimer probeTimer;
    private volatile Instant openedAt;
    private final Optional<Metrics> metrics;
    /** The rows in memory and the published snapshot. */
    private final AgentRows rows;
    /** States and push channels, in memory and in the database. */
    private final StateRecorder states;
    private final StatsCollector stats;
    private final PushWatch pushWatch;
    /** Names this process's claim on its host: unique per run, so a restart is a new owner. */
    private final String owner = UUID.randomUUID().toString();
    private long schedulerServiceId;
    private volatile boolean claimed;
    private volatile boolean claimLost;
    private volatile boolean closed;
    private final NodeIdentity identity;

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
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("cinderblock-agent-timer"));
        this.probePool = boundedPool(config.probeThreads(), "cinderblock-probe");
        this.statsPool = boundedPool(Math.max(2, config.probeThreads() / 4), "cinderblock-stats");
        this.pushExecutor = boundedPool(1, "cinderblock-push");
        this.probeTimer = new ProbeTimer(scheduler, new ProbeSchedule(config.stateInterval()), this::submitProbe,
                () -> System.nanoTime() / 1_000_000);
        this.rows = new AgentRows(monitors, scheduler, clock);
        this.states = new StateRecorder(store, clock, rows, () -> closed);
        this.stats = new StatsCollector(monitors, statsPool, store, clock, this.metrics, rows, states, () -> closed);
        this.pushWatch = new PushWatch(pushExecutor, this.metrics, states, probeTimer, config.stateInterval());
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
        rows.agents(Map.of(config.host(), new AgentRecord(config.host(), identity.node(), pid,
                Optional.of(identity.role()), Optional.of(identity.version()), now,
                Optional.of(config.statsInterval()))));
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
                rows.put(toRecord(row));
                BackendMonitor monitor = byId.get(row.id());
                if (monitor != null) {
                    // Kept if this run's first report agrees, so "last changed" survives a restart.
                    monitor.storedState = row.backendState().flatMap(BackendState.Status::fromWireValue);
                    monitor.storedChangedAt = row.stateChangedAt();
                    if (row.pushLost().isPresent()) {
                        // The last run's push channel is gone with it; this run subscribes afresh.
                        states.pushLost(monitor, Optional.empty());
                    }
                }
            }
        }
        rows.publishNow();
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
        scheduler.scheduleAtFixedRate(PeriodicTask.guarded("Agent heartbeat", this::heartbeat), report, report, TimeUnit.MILLISECONDS);
        probeTimer.start(monitors);
        scheduler.scheduleAtFixedRate(PeriodicTask.guarded("Stats round", this.stats::collectAll), 0, stats, TimeUnit.MILLISECONDS);
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
            pushWatch.watch(monitor);
        } catch (InvalidConfigException e) {
            throw new ConfigException(config.source() + ": [" + monitor.section.section() + "] " + e.option() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Logged by the StateRecorder when the state or reason changes, not on every retry.
            String reason = "Driver '" + monitor.section.driverId() + "' failed to open: " + e.getMessage();
            states.record(monitor, BackendState.Status.DOWN, reason);
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
            ids.forEach(id -> rows.update(id, r -> r.withUpdatedAt(now)));
            rows.requestPublish();
        } catch (RuntimeException e) {
            // No heartbeat written means the rows age towards 'down', which is the truth.
            LOG.warn("Heartbeat failed: {}", e.getMessage());
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
        states.record(monitor, state.status(), state.reason(), state.observedAt());
    }

    private static ServiceRecord toRecord(StoredService row) {
        return new ServiceRecord(row.id(), row.host(), row.binary(), row.zone(), row.disabled(), row.disabledReason(),
                row.updatedAt(), Optional.empty(), Optional.empty(), row.replicationStatus());
    }

    @Override
    public ServiceSnapshot snapshot() {
        return rows.current();
    }

    @Override
    public ServiceRecord setDisabled(String host, String binary, boolean disabled, Optional<String> reason) {
        Instant now = clock.instant();
        Optional<String> stored = disabled ? reason : Optional.empty();
        if (!store.setDisabled(host, binary, disabled, stored, now)) {
            throw new ServiceNotFoundException(host, binary);
        }
        return rows.setStatus(host, binary, disabled, stored, now).orElseThrow(
                () -> new NullPointerException("row updated in the database but not in memory"));
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
