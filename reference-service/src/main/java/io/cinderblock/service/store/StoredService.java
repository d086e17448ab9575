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
 * @param stateChangedAt when {@code backendState} last changed to its value, as the agent recorded it
 * @param pushLost why the backend's push channel is not delivering, while it is not
 * @param statsCheckedAt when the agent last collected stats successfully (unchanged stats are not
 *     rewritten, so this can be newer than {@code statsCollectedAt})
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
        Optional<Instant> statsCollectedAt,
        Optional<Instant> stateChangedAt,
        Optional<String> pushLost,
        Optional<Instant> statsCheckedAt) {

    /** A row without the operator's columns (schema version 2's view). */
    public StoredService(long id, String host, String binary, String zone, boolean disabled,
            Optional<String> disabledReason, String replicationStatus, Instant createdAt, Instant updatedAt,
            Optional<String> backendState, Optional<String> stateReason, Optional<Instant> stateObservedAt,
            Optional<String> statsJson, Optional<Instant> statsCollectedAt) {
        this(id, host, binary, zone, disabled, disabledReason, replicationStatus, createdAt, updatedAt, backendState,
                stateReason, stateObservedAt, statsJson, statsCollectedAt, Optional.empty(), Optional.empty(),
                Optional.empty());
    }
}
