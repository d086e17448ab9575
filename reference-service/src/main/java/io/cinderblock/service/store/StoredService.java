package io.cinderblock.service.store;

import java.time.Instant;
import java.util.Optional;

/**
 * A service row with its last backend report, as stored.
 *
 * @param id row id
 * @param host service host
 * @param binary service binary
 * @param zone availability zone
 * @param disabled operator-disabled
 * @param disabledReason operator's reason
 * @param replicationStatus Cinder's replication status
 * @param createdAt when the row was created
 * @param updatedAt last heartbeat or status change
 * @param backendState {@code up} or {@code down} at the last report, if any
 * @param stateReason the driver's reason
 * @param stateObservedAt when that state was observed
 * @param statsJson the last stats as a Cinder stats dictionary in JSON
 * @param statsCollectedAt when those stats were collected
 */
public record StoredService(
        long id,
        String host,
        String binary,
        String zone,
        boolean disabled,
        Optional<String> disabledReason,
        String replicationStatus,
        Instant createdAt,
        Instant updatedAt,
        Optional<String> backendState,
        Optional<String> stateReason,
        Optional<Instant> stateObservedAt,
        Optional<String> statsJson,
        Optional<Instant> statsCollectedAt) {}
