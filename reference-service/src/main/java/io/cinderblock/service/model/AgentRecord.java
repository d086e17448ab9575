package io.cinderblock.service.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the status page says about the agent serving a host: where it runs, in which role and
 * version, since when, and its stats interval (capacity older than it is stale).
 *
 * @param host the agent's {@code [DEFAULT] host}
 * @param node the machine's host name
 * @param pid the agent's process id
 * @param role {@code agent} or {@code all}; empty if not recorded (an agent of an older version)
 * @param version the service version the agent runs; empty if not recorded
 * @param startedAt when the agent claimed the host
 * @param statsInterval the agent's {@code backend_stats_polling_interval}; empty if not recorded
 */
public record AgentRecord(String host, String node, long pid, Optional<String> role, Optional<String> version,
        Instant startedAt, Optional<Duration> statsInterval) {
    public AgentRecord {
        requireNonNull(host, "host is null");
        requireNonNull(node, "node is null");
        requireNonNull(role, "role is null");
        requireNonNull(version, "version is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(statsInterval, "statsInterval is null");
    }
}
