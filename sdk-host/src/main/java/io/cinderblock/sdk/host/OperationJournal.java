package io.cinderblock.sdk.host;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.host.metadata.RecordStatus;
import io.cinderblock.sdk.host.metadata.SnapshotRecord;
import io.cinderblock.sdk.host.metadata.VolumeMetadataStore;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The recorded-operations journal of one backend: every volume and snapshot operation writes its
 * record in an {@code ...ING} status before the device call and settles it after, so a crash never
 * leaves a device volume that nobody knows of. The device call itself is given by the caller and
 * runs through the backend's {@link DriverCallGuard}.
 */
final class OperationJournal {
    /** Device answers that mean nothing was done, so a pending record can simply be rolled back. */
    static final Set<ErrorCode> NOTHING_DONE = Set.of(ErrorCode.NOT_SUPPORTED, ErrorCode.INVALID_ARGUMENT,
            ErrorCode.INSUFFICIENT_CAPACITY, ErrorCode.INVALID_CONFIG);

    private final String backendName;
    private final VolumeMetadataStore store;
    private final Clock clock;
    private final DriverCallGuard guard;

    OperationJournal(String backendName, VolumeMetadataStore store, Clock clock, DriverCallGuard guard) {
        this.backendName = backendName;
        this.store = store;
        this.clock = clock;
        this.guard = guard;
    }

    List<VolumeRecord> volumes() {
        return store.volumes(backendName);
    }

    Optional<VolumeRecord> volume(String volumeId) {
        return store.volume(backendName, volumeId);
    }

    List<SnapshotRecord> snapshots() {
        return store.snapshots(backendName);
    }

    /** Creates a volume through {@code call}: CREATING, device call, AVAILABLE (or removed / ERROR). */
    VolumeRecord provision(VolumeSpec spec, Optional<String> sourceId, String operation, Supplier<Volume> call) {
        if (store.volume(backendName, spec.id()).isPresent()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume '" + spec.id() + "' already exists");
        }
        Instant now = clock.instant();
        VolumeRecord pending = new VolumeRecord(backendName, spec.id(), spec.name(), spec.sizeGib(), spec.pool(),
                Optional.empty(), sourceId, RecordStatus.CREATING, now, now);
        store.putVolume(pending);
        Volume created;
        try {
            created = guard.call(operation, call);
            if (created == null) {
                throw guard.contractViolation(operation + " returned null");
            }
        } catch (CinderblockException e) {
            settle(e, () -> {
                if (NOTHING_DONE.contains(e.code())) {
                    store.removeVolume(backendName, pending.id());
                } else {
                    store.putVolume(pending.withStatus(RecordStatus.ERROR, clock.instant()));
                }
            });
            throw e;
        }
        VolumeRecord done = pending.withVolume(created, clock.instant());
        afterDeviceCall(() -> store.putVolume(done), "volume '" + spec.id() + "' exists on the device");
        return done;
    }

    /** Deletes a volume through {@code call}: DELETING, device call, record removed (or ERROR). */
    void deleteVolume(VolumeRecord record, Runnable call) {
        String volumeId = record.id();
        List<String> snapshots = snapshots().stream().filter(s -> s.volumeId().equals(volumeId))
                .map(SnapshotRecord::id).collect(Collectors.toList());
        if (!snapshots.isEmpty()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume '" + volumeId + "' has snapshots "
                    + snapshots + "; delete them first");
        }
        VolumeRecord deleting = record.withStatus(RecordStatus.DELETING, clock.instant());
        store.putVolume(deleting);
        try {
            guard.call("deleteVolume", () -> {
                call.run();
                return null;
            });
        } catch (CinderblockException e) {
            settle(e, () -> store.putVolume(deleting.withStatus(RecordStatus.ERROR, clock.instant())));
            throw e;
        }
        afterDeviceCall(() -> store.removeVolume(backendName, volumeId),
                "volume '" + volumeId + "' is deleted on the device");
    }

    /** Grows a volume through {@code call}: EXTENDING (old size), device call, new size (or AVAILABLE / ERROR). */
    VolumeRecord extendVolume(String volumeId, long newSizeGib, Supplier<Volume> call) {
        VolumeRecord record = requireVolume(volumeId, RecordStatus.AVAILABLE);
        if (newSizeGib <= record.sizeGib()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "New size " + newSizeGib
                    + " GiB must exceed the current " + record.sizeGib() + " GiB of volume '" + volumeId + "'");
        }
        VolumeRecord extending = record.withStatus(RecordStatus.EXTENDING, clock.instant());
        store.putVolume(extending);
        Volume extended;
        try {
            extended = guard.call("extendVolume", call);
            if (extended == null) {
                throw guard.contractViolation("extendVolume returned null");
            }
        } catch (CinderblockException e) {
            settle(e, () -> store.putVolume(extending.withStatus(
                    NOTHING_DONE.contains(e.code()) ? RecordStatus.AVAILABLE : RecordStatus.ERROR, clock.instant())));
            throw e;
        }
        VolumeRecord done = extending.withVolume(extended, clock.instant());
        afterDeviceCall(() -> store.putVolume(done), "volume '" + volumeId + "' is extended on the device");
        return done;
    }

    /** Snapshots a volume through {@code call}: CREATING, device call, AVAILABLE (or removed / ERROR). */
    SnapshotRecord createSnapshot(SnapshotSpec spec, String volumeId, long sizeGib,
            java.util.function.Function<SnapshotSpec, Snapshot> call) {
        Instant now = clock.instant();
        SnapshotRecord pending = new SnapshotRecord(backendName, spec.id(), spec.name(), volumeId, sizeGib,
                Optional.empty(), RecordStatus.CREATING, now, now);
        store.putSnapshot(pending);
        Snapshot created;
        try {
            created = guard.call("createSnapshot", () -> call.apply(spec));
            if (created == null) {
                throw guard.contractViolation("createSnapshot returned null");
            }
        } catch (CinderblockException e) {
            settle(e, () -> {
                if (NOTHING_DONE.contains(e.code())) {
                    store.removeSnapshot(backendName, spec.id());
                } else {
                    store.putSnapshot(pending.withStatus(RecordStatus.ERROR, clock.instant()));
                }
            });
            throw e;
        }
        SnapshotRecord done = pending.withSnapshot(created, clock.instant());
        afterDeviceCall(() -> store.putSnapshot(done), "snapshot '" + spec.id() + "' exists on the device");
        return done;
    }

    /** Deletes a snapshot through {@code call}: DELETING, device call, record removed (or ERROR). */
    void deleteSnapshot(SnapshotRecord record, Runnable call) {
        SnapshotRecord deleting = record.withStatus(RecordStatus.DELETING, clock.instant());
        store.putSnapshot(deleting);
        try {
            guard.call("deleteSnapshot", () -> {
                call.run();
                return null;
            });
        } catch (CinderblockException e) {
            settle(e, () -> store.putSnapshot(deleting.withStatus(RecordStatus.ERROR, clock.instant())));
            throw e;
        }
        afterDeviceCall(() -> store.removeSnapshot(backendName, record.id()),
                "snapshot '" + record.id() + "' is deleted on the device");
    }

    /** The volume record, in {@code requiredStatus} if that is not null. */
    VolumeRecord requireVolume(String volumeId, RecordStatus requiredStatus) {
        requireNonNull(volumeId, "volumeId is null");
        VolumeRecord record = store.volume(backendName, volumeId).orElseThrow(() -> new CinderblockException(
                ErrorCode.NOT_FOUND, "Volume '" + volumeId + "' is not known to backend '" + backendName + "'"));
        if (requiredStatus != null && record.status() != requiredStatus) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume '" + volumeId + "' is "
                    + record.status() + ", not " + requiredStatus);
        }
        return record;
    }

    SnapshotRecord requireSnapshot(String snapshotId) {
        requireNonNull(snapshotId, "snapshotId is null");
        return store.snapshot(backendName, snapshotId).orElseThrow(() -> new CinderblockException(
                ErrorCode.NOT_FOUND, "Snapshot '" + snapshotId + "' is not known to backend '" + backendName + "'"));
    }

    /** Settles a pending record after a failed device call; a store failure rides along as suppressed. */
    private static void settle(CinderblockException failure, Runnable write) {
        try {
            write.run();
        } catch (CinderblockException storeFailure) {
            failure.addSuppressed(storeFailure);
        }
    }

    private static void afterDeviceCall(Runnable write, String deviceFact) {
        try {
            write.run();
        } catch (CinderblockException e) {
            throw new CinderblockException(ErrorCode.METADATA_STORE_FAILED, "The device call succeeded ("
                    + deviceFact + ") but recording it failed; the store still shows the pending status: "
                    + e.getMessage(), e);
        }
    }

    /** A fresh volume spec for operations that pick the id. */
    static VolumeSpec newVolume(long sizeGib) {
        return VolumeSpec.of(UUID.randomUUID().toString(), sizeGib);
    }
}
