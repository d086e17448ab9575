package io.cinderblock.service.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * An agent's claim on its host, as stored: which process serves the host's backends, and what it
 * is (for the status page on every API node).
 *
 * @param host the agent's {@code [DEFAULT] host}
 * @param node the machine's host name
 * @param pid the agent's process id
 * @param role {@code agent} or {@code all}, if the agent recorded it
 * @param version the service's version, if the agent recorded it
 * @param startedAt when the agent claimed the host
 * @param heartbeatAt when it last renewed the claim
 * @param statsInterval the agent's {@code backend_stats_polling_interval}, if recorded
 */
public record StoredAgent(String host, String node, long pid, Optional<String> role, Optional<String> version,
        Instant startedAt, Instant heartbeatAt, Optional<Duration> statsInterval) {}
