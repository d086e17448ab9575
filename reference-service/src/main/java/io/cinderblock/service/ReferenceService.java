package io.cinderblock.service;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.service.agent.Agent;
import io.cinderblock.service.api.ApiServer;
import io.cinderblock.service.api.Authenticator;
import io.cinderblock.service.api.CinderApi;
import io.cinderblock.service.api.DatabaseDirectory;
import io.cinderblock.service.api.OpsEndpoints;
import io.cinderblock.service.config.ServiceConfig;
import io.cinderblock.service.model.Intervals;
import io.cinderblock.service.model.ServiceDirectory;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.ops.Metrics;
import io.cinderblock.service.ops.NodeIdentity;
import io.cinderblock.service.ops.PeriodicTask;
import io.cinderblock.service.store.Database;
import io.cinderblock.service.store.BackendSecrets;
import io.cinderblock.service.store.ServiceStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service process in one of three roles, wired through the narrow {@link ServiceDirectory}:
 *
 * <ul>
 *   <li>{@link Role#ALL} (the default): database, agent (drivers, probes, writes) and API answering
 *       from the agent's own snapshot. One process, no other node needed.
 *   <li>{@link Role#AGENT}: drivers for its own {@code host}, probes and writes to the shared database;
 *       serves only {@code /healthz}, {@code /readyz} and {@code /metrics}.
 *   <li>{@link Role#API}: no driver; answers the API from a {@link DatabaseDirectory} snapshot of the
 *       shared database. Stateless: any number run behind a load balancer.
 * </ul>
 */
public final class ReferenceService implements AutoCloseable {
    /** What a process does. */
    public enum Role {
        /** Agent and API in one process. */
        ALL,
        /** Drivers, probes and database writes for this host. */
        AGENT,
        /** The API over the shared database. */
        API
    }

    /** {@code /readyz} fails when the database has not answered for this long. */
    private static final Duration READY_STALENESS = Duration.ofSeconds(3);
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceService.class);

    private final Database database;
    private final Agent agent;
    private final DatabaseDirectory sharedDirectory;
    private final ScheduledExecutorService checker;
    private final ApiServer server;

    private ReferenceService(Database database, Agent agent, DatabaseDirectory sharedDirectory,
            ScheduledExecutorService checker, ApiServer server) {
        this.database = database;
        this.agent = agent;
        this.sharedDirectory = sharedDirectory;
        this.checker = checker;
        this.server = server;
    }

    /** Starts agent and API in one process ({@link Role#ALL}). */
    public static ReferenceService start(ServiceConfig config, DriverRegistry drivers, Clock clock) {
        return start(config, drivers, clock, Role.ALL);
    }

    /**
     * Starts a process in a role; on failure, stops what was started and rethrows.
     *
     * @param drivers where driver providers are found (unused by {@link Role#API})
     * @throws io.cinderblock.service.store.HostClaimedException another agent serves this host
     */
    public static ReferenceService start(ServiceConfig config, DriverRegistry drivers, Clock clock, Role role) {
        requireNonNull(config, "config is null");
        requireNonNull(role, "role is null");
        Authenticator authenticator = Authenticator.from(config.auth());
        Database database = Database.open(config.database());
        // The backends' secrets are masked in every reason and stats text before it is stored.
        ServiceStore store = new ServiceStore(database, BackendSecrets.scrubber(config.backends(), drivers));
        NodeIdentity identity = NodeIdentity.local(role.name().toLowerCase(Locale.ROOT));
        Intervals intervals = new Intervals(config.serviceDownTime(), config.reportInterval(), config.statsInterval());
        Agent agent = null;
        DatabaseDirectory shared = null;
        ScheduledExecutorService checker = null;
        ApiServer server = null;
        try {
            AtomicReference<ServiceDirectory> directory = new AtomicReference<>();
            Metrics metrics = new Metrics(() -> Optional.ofNullable(directory.get()).map(ServiceDirectory::snapshot)
                    .orElseGet(() -> ServiceSnapshot.empty(clock.instant())), config.serviceDownTime(), clock);
            if (role != Role.API) {
                agent = new Agent(config, drivers, store, clock, metrics, identity);
                // Rows only; the backends are opened after the server answers (serve at once).
                agent.register();
                directory.set(agent);
            } else {
                shared = new DatabaseDirectory(store, config.serviceDownTime(), clock);
                directory.set(shared);
            }
            // Readiness must never wait on the database in the request: a timer records when the
            // database last answered (the API node's refresh does that already).
            AtomicReference<Instant> lastContact = new AtomicReference<>(clock.instant());
            AtomicReference<Optional<String>> storeProblem = new AtomicReference<>(Optional.empty());
            if (shared == null) {
                checker = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "cinderblock-db-check");
                    t.setDaemon(true);
                    return t;
                });
                checker.scheduleWithFixedDelay(PeriodicTask.guarded("Database check", () -> {
                    // A real check of the store (file identity, a read, on SQLite a write), not isValid.
                    Optional<String> problem = store.health(Duration.ofSeconds(1));
                    Optional<String> before = storeProblem.getAndSet(problem);
                    if (problem.isEmpty()) {
                        lastContact.set(clock.instant());
                        if (before.isPresent()) {
                            LOG.warn("The database passes its checks again: ready");
                        }
                    } else if (!problem.equals(before)) {
                        LOG.error("The database is unusable, not ready: {}", problem.get());
                    }
                }), 1, 1, TimeUnit.SECONDS);
            }
            DatabaseDirectory sharedRef = shared;
            Agent agentRef = agent;
            OpsEndpoints ops = new OpsEndpoints(role == Role.AGENT ? Optional.empty() : Optional.of(directory.get()),
                    Optional.of(authenticator), metrics, () -> {
                        Optional<String> unusable = storeProblem.get();
                        if (unusable.isPresent()) {
                            return Optional.of("database unusable: " + unusable.get());
                        }
                        Instant contact = sharedRef != null ? sharedRef.lastRefresh() : lastContact.get();
                        Duration age = Duration.between(contact, clock.instant());
                        if (age.compareTo(READY_STALENESS) > 0) {
                            return Optional.of("database not reached for " + age.toMillis() / 1000.0
                                    + " s (snapshot from " + contact + ")");
                        }
                        if (agentRef != null && !agentRef.holdsHost()) {
                            return Optional.of("another agent took over host " + config.host());
                        }
                        return agentRef == null ? Optional.empty() : agentRef.firstRoundPending();
                    }, intervals, clock, identity);
            Optional<CinderApi> api = role == Role.AGENT ? Optional.empty()
                    : Optional.of(new CinderApi(directory.get(), authenticator, intervals, clock));
            if (shared != null) {
                shared.onPublish(api.orElseThrow()::prerender);
            }
            server = ApiServer.start(api, Optional.of(ops), config.listenAddress(), config.listenPort(),
                    config.maxRequestBodySize());
            if (agent != null) {
                // The API already answers: rows read backend_state null until their first probe.
                agent.openAndSchedule();
            }
            LOG.info("Role {}: serving {} on http://{}:{} ({} database, {} auth)", role.name().toLowerCase(),
                    role == Role.AGENT ? "/healthz, /readyz, /metrics" : "the block-storage API at /v3",
                    config.listenAddress(), server.port(), config.database().kind().name().toLowerCase(),
                    config.auth().strategy().name().toLowerCase());
            return new ReferenceService(database, agent, shared, checker, server);
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (checker != null) {
                checker.shutdownNow();
            }
            if (shared != null) {
                shared.close();
            }
            if (agent != null) {
                agent.close();
            }
            database.close();
            throw e;
        }
    }

    /** The port the API listens on. */
    public int port() {
        return server.port();
    }

    /** The agent (for the CLI and tests); null for {@link Role#API}. */
    public Agent agent() {
        return agent;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                if (checker != null) {
                    checker.shutdownNow();
                }
                if (sharedDirectory != null) {
                    sharedDirectory.close();
                }
                if (agent != null) {
                    agent.close();
                }
            } finally {
                database.close();
            }
        }
    }
}
