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
 *
 * <p><b>Optional operations and capabilities.</b> Each optional operation names the {@link
 * Capability} that gates it. When the capability is not declared (in the descriptor, or narrowed
 * away by {@link #capabilities()}), hosts refuse the call with {@link NotSupportedException}
 * naming the capability before it reaches the driver, and the default method, if it is reached
 * anyway, throws the same. A driver that declares a capability must override every method it
 * gates; the conformance kit checks both directions.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public interface VolumeDriver extends AutoCloseable {

    /**
     * Reads the backend's stats from the device, fresh: no cache. Hosts cache the result and call
     * this rarely (Cinder: every 60 s), from a host thread, possibly while a probe or an operation
     * runs; it may be costly, but it must finish within the driver's own timeouts.
     *
     * <p>Set {@link BackendStats#backendState()} to {@code down} if the device answered but is
     * unhealthy; throw {@link DeviceUnavailableException} if it did not answer. Never return
     * {@code null}.
     *
     * @return the stats, with {@link BackendStats#backendName()} the configured backend name
     * @throws DeviceUnavailableException the device cannot be reached or timed out
     * @since 0.1
     */
    BackendStats collectStats();

    /**
     * Whether the device can serve requests now. Hosts call it every few seconds from a probe
     * thread of their own, so it must be cheap: one round trip, no table walks.
     *
     * <p>Contract: <b>never throws</b> (any failure is a {@code DOWN} with the failure as reason),
     * <b>returns within {@link #stateDeadline()}</b> even if the device accepts a connection and
     * never answers (use socket and read timeouts; do not wait on a lock held by a slow
     * operation), never returns {@code null}, and puts no secret in the reason. The reason should
     * tell an operator what to fix: {@code "SSH authentication to 10.0.0.5:22 failed"}, not
     * {@code "error"}. Hosts that see a probe overrun its deadline read it as {@code DOWN} and
     * abandon the thread.
     *
     * @return {@code UP} or {@code DOWN} with a reason, observed on the context's clock
     * @since 0.1
     */
    BackendState backendState();

    /**
     * The longest {@link #backendState()} may take with this configuration, derived from the
     * driver's timeouts (e.g. connect timeout + read timeout). Hosts treat a probe that exceeds it
     * as {@code DOWN} and the conformance kit fails the driver. Called by hosts after {@code open},
     * from any thread; must not touch the device.
     *
     * @return a positive duration; default 10 seconds
     * @since 0.1
     */
    default Duration stateDeadline() {
        return Duration.ofSeconds(10);
    }

    /**
     * The capabilities this backend offers with its configuration: a subset of the descriptor's
     * declared {@link DriverDescriptor#capabilities()}. A driver whose configuration switches an
     * operation off (an LVM backend without an iSCSI target helper offers no {@link
     * Capability#CONNECTION}) narrows the set here, so that hosts and the conformance kit treat
     * the operation as not supported. Called by hosts once after {@code open}; must not touch the
     * device and must not widen the declared set.
     *
     * @return the offered capabilities; default: everything the descriptor declares
     * @since 0.1
     */
    default Set<Capability> capabilities() {
        return descriptor().capabilities();
    }

    /**
     * The descriptor of the provider that opened this driver. Hosts read it for error messages and
     * the default {@link #capabilities()}; must be cheap and must not touch the device.
     *
     * @return the same descriptor as {@link VolumeDriverProvider#descriptor()}
     * @since 0.1
     */
    DriverDescriptor descriptor();

    /**
     * Creates a volume. Gated by {@link Capability#CREATE_VOLUME}: without it, hosts refuse the
     * call and this default throws {@link NotSupportedException}. Called by hosts from the
     * caller's thread after recording the volume as being created; may be slow, but must end
     * within the driver's timeouts.
     *
     * @param spec the volume to create; its name must still be checked against the device's rules
     * @return the volume, as later operations will receive it
     * @throws CinderblockException {@link ErrorCode#INSUFFICIENT_CAPACITY} when the pool lacks
     *     space, {@link ErrorCode#INVALID_ARGUMENT} when the device cannot take the name
     * @throws NotSupportedException if the driver does not offer {@link Capability#CREATE_VOLUME}
     * @since 0.1
     */
    default Volume createVolume(VolumeSpec spec) {
        throw new NotSupportedException(Capability.CREATE_VOLUME, descriptor().id());
    }

    /**
     * Deletes a volume. Idempotent: deleting a volume that is already gone succeeds. Gated by
     * {@link Capability#CREATE_VOLUME}: without it, hosts refuse the call and this default throws
     * {@link NotSupportedException}.
     *
     * @param volume the volume as {@link #createVolume} (or a sibling) returned it
     * @throws CinderblockException {@link ErrorCode#OPERATION_FAILED} when the device refuses
     *     (the volume is attached, has snapshots, ...)
     * @throws NotSupportedException if the driver does not offer {@link Capability#CREATE_VOLUME}
     * @since 0.1
     */
    default void deleteVolume(Volume volume) {
        throw new NotSupportedException(Capability.CREATE_VOLUME, descriptor().id());
    }

    /**
     * Grows a volume; shrinking is refused. Gated by {@link Capability#EXTEND_VOLUME}: without it,
     * hosts refuse the call and this default throws {@link NotSupportedException}.
     *
     * @param volume the volume to grow
     * @param newSizeGib the new size in GiB, at least the current size
     * @return the volume with its new size, e.g. {@code volume.withSizeGib(newSizeGib)}
     * @throws CinderblockException {@link ErrorCode#INVALID_ARGUMENT} for a smaller size, {@link
     *     ErrorCode#INSUFFICIENT_CAPACITY} when the pool lacks space
     * @throws NotSupportedException if the driver does not offer {@link Capability#EXTEND_VOLUME}
     * @since 0.1
     */
    default Volume extendVolume(Volume volume, long newSizeGib) {
        throw new NotSupportedException(Capability.EXTEND_VOLUME, descriptor().id());
    }

    /**
     * Takes a snapshot. Gated by {@link Capability#SNAPSHOT}: without it, hosts refuse the call and
     * this default throws {@link NotSupportedException}.
     *
     * @param spec the snapshot to take and its volume
     * @return the snapshot, e.g. {@link Snapshot#of(SnapshotSpec, java.util.Optional)}
     * @throws CinderblockException {@link ErrorCode#INSUFFICIENT_CAPACITY} when the pool lacks
     *     space, {@link ErrorCode#NOT_FOUND} when the volume is gone
     * @throws NotSupportedException if the driver does not offer {@link Capability#SNAPSHOT}
     * @since 0.1
     */
    default Snapshot createSnapshot(SnapshotSpec spec) {
        throw new NotSupportedException(Capability.SNAPSHOT, descriptor().id());
    }

    /**
     * Deletes a snapshot; idempotent. Gated by {@link Capability#SNAPSHOT}: without it, hosts
     * refuse the call and this default throws {@link NotSupportedException}.
     *
     * @param snapshot the snapshot as {@link #createSnapshot} returned it
     * @throws NotSupportedException if the driver does not offer {@link Capability#SNAPSHOT}
     * @since 0.1
     */
    default void deleteSnapshot(Snapshot snapshot) {
        throw new NotSupportedException(Capability.SNAPSHOT, descriptor().id());
    }

    /**
     * Creates a volume holding a snapshot's data, at least as large as the snapshot. Gated by
     * {@link Capability#VOLUME_FROM_SNAPSHOT} (which requires {@link Capability#SNAPSHOT}):
     * without it, hosts refuse the call and this default throws {@link NotSupportedException}.
     *
     * @param spec the volume to create
     * @param snapshot the snapshot to copy, as {@link #createSnapshot} returned it
     * @return the new volume
     * @throws CinderblockException {@link ErrorCode#INSUFFICIENT_CAPACITY}, {@link
     *     ErrorCode#NOT_FOUND} when the snapshot is gone
     * @throws NotSupportedException if the driver does not offer {@link
     *     Capability#VOLUME_FROM_SNAPSHOT}
     * @since 0.1
     */
    default Volume createVolumeFromSnapshot(VolumeSpec spec, Snapshot snapshot) {
        throw new NotSupportedException(Capability.VOLUME_FROM_SNAPSHOT, descriptor().id());
    }

    /**
     * Creates a copy of a volume. Gated by {@link Capability#CLONE_VOLUME}: without it, hosts refuse
     * the call and this default throws {@link NotSupportedException}.
     *
     * @param spec the volume to create
     * @param source the volume to copy
     * @return the new volume
     * @throws CinderblockException {@link ErrorCode#INSUFFICIENT_CAPACITY}, {@link
     *     ErrorCode#NOT_FOUND} when the source is gone
     * @throws NotSupportedException if the driver does not offer {@link Capability#CLONE_VOLUME}
     * @since 0.1
     */
    default Volume cloneVolume(VolumeSpec spec, Volume source) {
        throw new NotSupportedException(Capability.CLONE_VOLUME, descriptor().id());
    }

    /**
     * Exports a volume to a host and says how to reach it. Gated by {@link Capability#CONNECTION}:
     * without it, hosts refuse the call and this default throws {@link NotSupportedException}.
     * Calling it twice for the same host returns the same export.
     *
     * @param volume the volume to export
     * @param connector the host that attaches it
     * @return the connection info the host's initiator needs, credentials included
     * @throws NotSupportedException if the driver does not offer {@link Capability#CONNECTION}
     * @since 0.1
     */
    default ConnectionInfo initializeConnection(Volume volume, Connector connector) {
        throw new NotSupportedException(Capability.CONNECTION, descriptor().id());
    }

    /**
     * Removes an export; idempotent. Gated by {@link Capability#CONNECTION}: without it, hosts
     * refuse the call and this default throws {@link NotSupportedException}.
     *
     * @param volume the exported volume
     * @param connector the host it was exported to
     * @throws NotSupportedException if the driver does not offer {@link Capability#CONNECTION}
     * @since 0.1
     */
    default void terminateConnection(Volume volume, Connector connector) {
        throw new NotSupportedException(Capability.CONNECTION, descriptor().id());
    }

    /**
     * Releases connections and threads. Called once by the host that opened the driver, after
     * which no other method is called. Idempotent; never throws; must not block on a hung device
     * longer than the driver's timeouts.
     *
     * @since 0.1
     */
    @Override
    void close();
}
