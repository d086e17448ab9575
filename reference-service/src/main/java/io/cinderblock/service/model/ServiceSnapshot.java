package io.cinderblock.service.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An immutable picture of every service and pool: what the API answers from. Built by the agent
 * side, published whole, read without locks, so a list request never waits for a device, a lock or
 * the database.
 *
 * @param services the service rows, ordered by id
 * @param pools for each volume service host, its pools from the last stats
 * @param generation increases with every published change
 * @param takenAt when it was built
 * @param agents the agents serving the hosts, by agent host (what the status page says about them)
 */
public record ServiceSnapshot(List<ServiceRecord> services, Map<String, List<PoolRecord>> pools, long generation,
        Instant takenAt, Map<String, AgentRecord> agents) {
    public ServiceSnapshot {
        List<ServiceRecord> sorted = new ArrayList<>(requireNonNull(services, "services is null"));
        sorted.sort(Comparator.comparingLong(ServiceRecord::id));
        services = List.copyOf(sorted);
        pools = Map.copyOf(requireNonNull(pools, "pools is null"));
        requireNonNull(takenAt, "takenAt is null");
        agents = Map.copyOf(requireNonNull(agents, "agents is null"));
    }

    /** A snapshot without agent descriptions. */
    public ServiceSnapshot(List<ServiceRecord> services, Map<String, List<PoolRecord>> pools, long generation,
            Instant takenAt) {
        this(services, pools, generation, takenAt, Map.of());
    }

    /** An empty snapshot. */
    public static ServiceSnapshot empty(Instant now) {
        return new ServiceSnapshot(List.of(), Map.of(), 0, now);
    }

    /** A copy with one service replaced (matched by host and binary) and a new generation. */
    public ServiceSnapshot withService(String host, String binary, UnaryOperator<ServiceRecord> change, Instant now) {
        List<ServiceRecord> next = new ArrayList<>(services.size());
        for (ServiceRecord service : services) {
            next.add(service.host().equals(host) && service.binary().equals(binary) ? change.apply(service) : service);
        }
        return new ServiceSnapshot(next, pools, generation + 1, now, agents);
    }
}
