package io.cinderblock.sdk.host.testing;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.host.metadata.InMemoryVolumeMetadataStore;
import io.cinderblock.sdk.host.metadata.SnapshotRecord;
import io.cinderblock.sdk.host.metadata.VolumeMetadataStore;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A metadata store that fails on command, over an in-memory one: as a database that goes away
 * between the device call and the record. Reads always work, so a test can see what was left.
 */
public final class FailingMetadataStore implements VolumeMetadataStore {
    private final InMemoryVolumeMetadataStore delegate = new InMemoryVolumeMetadataStore();
    private volatile Predicate<VolumeRecord> failVolumeWrite = r -> false;
    private volatile Predicate<SnapshotRecord> failSnapshotWrite = r -> false;
    private volatile boolean failRemovals;
    private final AtomicInteger reads = new AtomicInteger();

    /** A store that works until told otherwise. */
    public FailingMetadataStore() {}

    /** Makes writes of volume records that match fail. */
    public void failVolumeWritesWhen(Predicate<VolumeRecord> condition) {
        failVolumeWrite = condition;
    }

    /** Makes writes of snapshot records that match fail. */
    public void failSnapshotWritesWhen(Predicate<SnapshotRecord> condition) {
        failSnapshotWrite = condition;
    }

    /** Makes every removal fail. */
    public void failRemovals(boolean value) {
        failRemovals = value;
    }

    /** How many reads the store served: a spy on {@code Backend.volumes()}. */
    public int reads() {
        return reads.get();
    }

    private static CinderblockException failure(String what) {
        return new CinderblockException(ErrorCode.METADATA_STORE_FAILED, "simulated: database gone while " + what);
    }

    @Override
    public void putVolume(VolumeRecord record) {
        if (failVolumeWrite.test(record)) {
            throw failure("writing volume '" + record.id() + "' as " + record.status());
        }
        delegate.putVolume(record);
    }

    @Override
    public Optional<VolumeRecord> volume(String backendName, String id) {
        reads.incrementAndGet();
        return delegate.volume(backendName, id);
    }

    @Override
    public List<VolumeRecord> volumes(String backendName) {
        reads.incrementAndGet();
        return delegate.volumes(backendName);
    }

    @Override
    public void removeVolume(String backendName, String id) {
        if (failRemovals) {
            throw failure("removing volume '" + id + "'");
        }
        delegate.removeVolume(backendName, id);
    }

    @Override
    public void putSnapshot(SnapshotRecord record) {
        if (failSnapshotWrite.test(record)) {
            throw failure("writing snapshot '" + record.id() + "' as " + record.status());
        }
        delegate.putSnapshot(record);
    }

    @Override
    public Optional<SnapshotRecord> snapshot(String backendName, String id) {
        reads.incrementAndGet();
        return delegate.snapshot(backendName, id);
    }

    @Override
    public List<SnapshotRecord> snapshots(String backendName) {
        reads.incrementAndGet();
        return delegate.snapshots(backendName);
    }

    @Override
    public void removeSnapshot(String backendName, String id) {
        if (failRemovals) {
            throw failure("removing snapshot '" + id + "'");
        }
        delegate.removeSnapshot(backendName, id);
    }
}
