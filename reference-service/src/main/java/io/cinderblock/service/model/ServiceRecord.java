package io.cinderblock.service.model;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendState;
import java.time.Instant;
import java.util.Optional;

/**
 * One row of Cinder's service list, as the agent last wrote it.
 *
 * @param id the database id; the list is ordered by it, as Cinder's is
 * @param host {@code host} for the scheduler, {@code host@backend} for a volume service
 * @param binary {@code cinder-scheduler} or {@code cinder-volume}
 * @param zone the availability zone
 * @param disabled whether an operator disabled the service
 * @param disabledReason the operator's reason, if any
 * @param updatedAt the last heartbeat (or status change)
 * @param backendState the backend's state at the last probe or stats report; empty until the first
 *     report of this run (volume services only)
 * @param stateReason the driver's reason for {@code backendState}, for operators (never on Cinder's wire)
 * @param replicationStatus Cinder's {@code replication_status} (volume services only)
 * @param stateChangedAt when {@code backendState} took its value, as its agent recorded it (kept
 *     across restarts while the state stays the same); for operators, never on Cinder's wire
 * @param statsUpdatedAt when the agent last collected this backend's stats successfully
 * @param pushLost why the backend's push channel is not delivering, while it is not
 */
public record ServiceRecord(
        long id,
        String host,
        String binary,
        String zone,
        boolean disabled,
        Optional<String> disabledReason,
        Instant updatedAt,
        Optional<BackendState.Status> backendState,
        Optional<String> stateReason,
        String replicationStatus,
        Optional<Instant> stateChangedAt,
        Optional<Instant> statsUpdatedAt,
        Optional<String> pushLost) {

    /** The scheduler's binary. */
    public static final String SCHEDULER = "cinder-scheduler";
    /** The volume service's binary. */
    public static final String VOLUME = "cinder-volume";

    public ServiceRecord {
        requireNonNull(host, "host is null");
        requireNonNull(binary, "binary is null");
        requireNonNull(zone, "zone is null");
        requireNonNull(disabledReason, "disabledReason is null");
        requireNonNull(updatedAt, "updatedAt is null");
        requireNonNull(backendState, "backendState is null");
        requireNonNull(stateReason, "stateReason is null");
        requireNonNull(replicationStatus, "replicationStatus is null");
        requireNonNull(stateChangedAt, "stateChangedAt is null");
        requireNonNull(statsUpdatedAt, "statsUpdatedAt is null");
        requireNonNull(pushLost, "pushLost is null");
    }

    /** A row without the operator's extras (transition time, stats time, push channel). */
    public ServiceRecord(long id, String host, String binary, String zone, boolean disabled,
            Optional<String> disabledReason, Instant updatedAt, Optional<BackendState.Status> backendState,
            Optional<String> stateReason, String replicationStatus) {
        this(id, host, binary, zone, disabled, disabledReason, updatedAt, backendState, stateReason, replicationStatus,
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Whether this is a {@code cinder-volume} row. */
    public boolean isVolume() {
        return VOLUME.equals(binary);
    }

    /** A copy with another backend state (its transition time unchanged). */
    public ServiceRecord withBackendState(Optional<BackendState.Status> state, Optional<String> reason) {
        return withBackendState(state, reason, stateChangedAt);
    }

    /** A copy with another backend state and the time it took that value. */
    public ServiceRecord withBackendState(Optional<BackendState.Status> state, Optional<String> reason,
            Optional<Instant> changedAt) {
        return new ServiceRecord(id, host, binary, zone, disabled, disabledReason, updatedAt, state, reason,
                replicationStatus, changedAt, statsUpdatedAt, pushLost);
    }

    /** A copy with another heartbeat time. */
    public ServiceRecord withUpdatedAt(Instant value) {
        return new ServiceRecord(id, host, binary, zone, disabled, disabledReason, value, backendState, stateReason,
                replicationStatus, stateChangedAt, statsUpdatedAt, pushLost);
    }

    /** A copy with another status. */
    public ServiceRecord withStatus(boolean isDisabled, Optional<String> reason, Instant now) {
        return new ServiceRecord(id, host, binary, zone, isDisabled, reason, now, backendState, stateReason,
                replicationStatus, stateChangedAt, statsUpdatedAt, pushLost);
    }

    /** A copy with another time of the last successful stats collection. */
    public ServiceRecord withStatsUpdatedAt(Optional<Instant> value) {
        return new ServiceRecord(id, host, binary, zone, disabled, disabledReason, updatedAt, backendState,
                stateReason, replicationStatus, stateChangedAt, value, pushLost);
    }

    /** A copy with another push channel condition. */
    public ServiceRecord withPushLost(Optional<String> value) {
        return new ServiceRecord(id, host, binary, zone, disabled, disabledReason, updatedAt, backendState,
                stateReason, replicationStatus, stateChangedAt, statsUpdatedAt, value);
    }

    /** The agent host serving this row: {@code host} of {@code host@backend}. */
    public String agentHost() {
        int at = host.indexOf('@');
        return at < 0 ? host : host.substring(0, at);
    }
}
