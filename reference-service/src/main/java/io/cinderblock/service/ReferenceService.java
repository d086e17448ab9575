package io.cinderblock.service;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.discovery.DriverRegistry;
import io.cinderblock.service.agent.Agent;
import io.cinderblock.service.api.ApiServer;
import io.cinderblock.service.api.Authenticator;
import io.cinderblock.service.api.CinderApi;
import io.cinderblock.service.config.ServiceConfig;
import io.cinderblock.service.store.Database;
import io.cinderblock.service.store.ServiceStore;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded service process: database, agent (drivers, probes, writes) and API (snapshot, HTTP),
 * wired together through the narrow {@link io.cinderblock.service.model.ServiceDirectory}.
 */
public final class ReferenceService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceService.class);

    private final Database database;
    private final Agent agent;
    private final ApiServer server;

    private ReferenceService(Database database, Agent agent, ApiServer server) {
        this.database = database;
        this.agent = agent;
        this.server = server;
    }

    /**
     * Starts everything; on failure, stops what was started and rethrows.
     *
     * @param drivers where driver providers are found
     */
    public static ReferenceService start(ServiceConfig config, DriverRegistry drivers, Clock clock) {
        requireNonNull(config, "config is null");
        Authenticator authenticator = Authenticator.from(config.auth());
        Database database = Database.open(config.database());
        Agent agent = null;
        try {
            agent = new Agent(config, drivers, new ServiceStore(database), clock);
            agent.start();
            CinderApi api = new CinderApi(agent, authenticator, config.serviceDownTime(), clock);
            ApiServer server = ApiServer.start(api, config.listenAddress(), config.listenPort(),
                    config.maxRequestBodySize());
            LOG.info("Serving the block-storage API on http://{}:{}/v3 ({} database, {} auth)",
                    config.listenAddress(), server.port(), config.database().kind().name().toLowerCase(),
                    config.auth().strategy().name().toLowerCase());
            return new ReferenceService(database, agent, server);
        } catch (RuntimeException e) {
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

    /** The agent (for the CLI and tests). */
    public Agent agent() {
        return agent;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                agent.close();
            } finally {
                database.close();
            }
        }
    }
}
