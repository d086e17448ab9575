package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.NotSupportedException;
import java.time.Duration;
import java.util.Set;

/**
 * One open backend: the driver's connection to one storage device (or one pool set of it).
 *
 * <p><b>Required</b>: {@link #collectStats()} and {@link #backendState()}. <b>Optional</b>: the
 * volume operations, default methods that throw {@link NotSupportedException}; a driver that
 * declares the matching {@link Capability} overrides them. The SDK never calls an operation whose
 * capability is undeclared.
 *
 * <p><b>Threads.</b> Hosts call {@link #backendState()} and {@link #collectStats()} from their own
 * threads, possibly at the same time as each other and as a volume operation. Implementations must
 * be thread-safe.
 *
 * <p><b>Errors.</b> Throw {@link DeviceUnavailableException} when the device cannot be reached,
 * {@link CinderblockException} with {@link ErrorCode#OPERATION_FAILED}, {@link
 * ErrorCode#INSUFFICIENT_CAPACITY}, {@link ErrorCode#INVALID_ARGUMENT} or {@link
 * ErrorCode#NOT_FOUND} when the device answered no. Never put a secret in a message.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public interface VolumeDriver extends AutoCloseable {

    /**
     * Reads the backend's stats from the device, fresh: no cache. Hosts cache the result and call
     * this rarely (Cinder: every 60 s), so it may be costly, but it must finish within the driver's
     * own timeouts.
     *
     * <p>Set {@link BackendStats#backendState()} to {@code down} if the device answered but is
     * unhealthy; throw {@link DeviceUnavailableException} if it did not answer.
     *
     * @throws DeviceUnavailableException the device cannot be reached or timed out
     */
    BackendStats collectStats();

    /**
     * Whether the device can serve requests now. Hosts call it every few seconds, so it must be
     * cheap: one round trip, no table walks.
     *
     * <p>Contract: <b>never throws</b> (any failure is a {@code DOWN} with the failure as reason),
     * <b>returns within {@link #stateDeadline()}</b> even if the device accepts a connection and
     * never answers (use socket and read timeouts; do not wait on a lock held by a slow
     * operation), and puts no secret in the reason. The reason should tell an operator what to fix:
     * {@code "SSH authentication to 10.0.0.5:22 failed"}, not {@code "error"}.
     */
    BackendState backendState();

    /**
     * The longest {@link #backendState()} may take with this configuration, derived from the
     * driver's timeouts (e.g. connect timeout + read timeout). Hosts treat a probe that exceeds it
     * as {@code DOWN} and the conformance kit fails the driver. Default: 10 seconds.
     */
    default Duration stateDeadline() {
        return Duration.ofSeconds(10);
    }

    /**
     * The capabilities this backend offers with its configuration: a subset of the descriptor's
     * declared {@link DriverDescriptor#capabilities()}. A driver whose configuration switches an
     * operation off (an LVM backend without an iSCSI target helper offers no {@link
     * Capability#CONNECTION}) narrows the set here, so that hosts and the conformance kit treat
     * the operation as not supported. Called once after {@code open}; must not touch the device.
     * Default: everything the descriptor declares.
     */
    default Set<Capability> capabilities() {
        return descriptor().capabilities();
    }

    /** The descriptor of the provider that opened this driver; used in error messages. */
    DriverDescriptor descriptor();

    /**
     * Creates a volume ({@link Capability#CREATE_VOLUME}).
     *
     * @throws CinderblockException {@link ErrorCode#INSUFFICIENT_CAPACITY} when the pool lacks
     *     space, {@link ErrorCode#INVALID_ARGUMENT} when the device cannot take the name
     */
    default Volume createVolume(VolumeSpec spec) {
        throw new NotSupportedException(Capability.CREATE_VOLUME, descriptor().id());
    }

    /**
     * Deletes a volume ({@link Capability#CREATE_VOLUME}). Idempotent: deleting a volume that is
     * already gone succeeds.
     */
    default void deleteVolume(Volume volume) {
        throw new NotSupportedException(Capability.CREATE_VOLUME, descriptor().id());
    }

    /** Grows a volume to {@code newSizeGib} ({@link Capability#EXTEND_VOLUME}); shrinking is refused. */
    default Volume extendVolume(Volume volume, long newSizeGib) {
        throw new NotSupportedException(Capability.EXTEND_VOLUME, descriptor().id());
    }

    /** Takes a snapshot ({@link Capability#SNAPSHOT}). */
    default Snapshot createSnapshot(SnapshotSpec spec) {
        throw new NotSupportedException(Capability.SNAPSHOT, descriptor().id());
    }

    /** Deletes a snapshot ({@link Capability#SNAPSHOT}); idempotent. */
    default void deleteSnapshot(Snapshot snapshot) {
        throw new NotSupportedException(Capability.SNAPSHOT, descriptor().id());
    }

    /** Creates a volume holding a snapshot's data ({@link Capability#VOLUME_FROM_SNAPSHOT}). */
    default Volume createVolumeFromSnapshot(VolumeSpec spec, Snapshot snapshot) {
        throw new NotSupportedException(Capability.VOLUME_FROM_SNAPSHOT, descriptor().id());
    }

    /** Creates a copy of a volume ({@link Capability#CLONE_VOLUME}). */
    default Volume cloneVolume(VolumeSpec spec, Volume source) {
        throw new NotSupportedException(Capability.CLONE_VOLUME, descriptor().id());
    }

    /** Exports a volume to a host and says how to reach it ({@link Capability#CONNECTION}). */
    default ConnectionInfo initializeConnection(Volume volume, Connector connector) {
        throw new NotSupportedException(Capability.CONNECTION, descriptor().id());
    }

    /** Removes an export ({@link Capability#CONNECTION}); idempotent. */
    default void terminateConnection(Volume volume, Connector connector) {
        throw new NotSupportedException(Capability.CONNECTION, descriptor().id());
    }

    /** Releases connections and threads. Idempotent; never throws. */
    @Override
    void close();
}
