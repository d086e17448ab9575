package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import io.cinderblock.service.model.AgentRecord;
import io.cinderblock.service.model.Intervals;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.cinderblock.service.model.StatsFreshness;
import io.cinderblock.service.ops.NodeIdentity;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The body of {@code /status/data}: every row as the operator should read it, from the snapshot
 * alone (so every API node, and a restarted one, answers the same). Times are ISO-8601 UTC to the
 * second ({@code 2026-12-05T23:36:46Z}), the one format of the status page.
 */
final class StatusData {
    private final Intervals intervals;
    private final NodeIdentity identity;

    StatusData(Intervals intervals, NodeIdentity identity) {
        this.intervals = requireNonNull(intervals, "intervals is null");
        this.identity = requireNonNull(identity, "identity is null");
    }

    /** ISO-8601 UTC to the second, or null. */
    static String iso(Instant instant) {
        return instant == null ? null : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    Map<String, Object> body(ServiceSnapshot snapshot, Instant now) {
        Duration downTime = intervals.serviceDownTime();
        List<Object> services = new ArrayList<>();
        for (ServiceRecord service : snapshot.services()) {
            boolean alive = Duration.between(service.updatedAt(), now).abs().compareTo(downTime) <= 0;
            String backend = service.backendState().map(s -> s.wireValue()).orElse(null);
            // One word for the row's colour: a dead service or a down backend is 'down'.
            String overall = !alive ? "down" : !service.isVolume() ? "up" : backend == null ? "unknown" : backend;
            Optional<AgentRecord> agent = Optional.ofNullable(snapshot.agents().get(service.agentHost()));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("host", service.host());
            row.put("binary", service.binary());
            row.put("zone", service.zone());
            row.put("status", service.disabled() ? "disabled" : "enabled");
            row.put("state", alive ? "up" : "down");
            row.put("backend_state", backend);
            row.put("overall", overall);
            row.put("reason", !alive ? "no heartbeat for more than " + downTime.toSeconds() + " s"
                    : "down".equals(backend) ? service.stateReason().orElse(null) : null);
            row.put("disabled_reason", service.disabledReason().orElse(null));
            row.put("push_lost", alive && service.isVolume() ? service.pushLost().orElse(null) : null);
            row.put("updated_at", iso(service.updatedAt()));
            row.put("changed_at", iso(changedAt(service, alive, backend, agent)));
            row.put("node", agent.map(AgentRecord::node).orElse(null));
            row.put("role", agent.flatMap(AgentRecord::role).orElse(null));
            row.put("version", agent.flatMap(AgentRecord::version).orElse(null));
            List<PoolRecord> poolRecords = snapshot.pools().getOrDefault(service.host(), List.of());
            if (service.isVolume()) {
                StatsFreshness freshness = StatsFreshness.of(service, agent, intervals.statsInterval(),
                        intervals.reportInterval(), downTime, now);
                row.put("stats_updated_at", iso(freshness.updatedAt().orElse(null)));
                row.put("stats_age_seconds", freshness.age().map(Duration::toSeconds).orElse(null));
                row.put("stats_stale", freshness.stale());
                row.put("stats_stale_reason", freshness.why().orElse(null));
            }
            List<Object> pools = new ArrayList<>();
            for (PoolRecord pool : poolRecords) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", pool.name());
                p.put("total_capacity_gb", pool.capabilities().get("total_capacity_gb"));
                p.put("free_capacity_gb", pool.capabilities().get("free_capacity_gb"));
                pools.add(p);
            }
            row.put("pools", pools);
            services.add(row);
        }
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("node", identity.node());
        node.put("role", identity.role());
        node.put("version", identity.version());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("generated_at", iso(now));
        body.put("this_node", node);
        body.put("services", services);
        return body;
    }

    /**
     * When the row took its current colour, from what the agents stored (not when this node first
     * saw it): a service without heartbeat turned down when its last heartbeat aged past
     * {@code service_down_time}; a backend's state changed when its agent recorded it; a scheduler,
     * or a backend not reported yet, has been so since its agent started.
     */
    private Instant changedAt(ServiceRecord service, boolean alive, String backend, Optional<AgentRecord> agent) {
        if (!alive) {
            return service.updatedAt().plus(intervals.serviceDownTime());
        }
        if (service.isVolume() && backend != null) {
            return service.stateChangedAt().orElse(null);
        }
        return agent.map(AgentRecord::startedAt).orElse(null);
    }
}
