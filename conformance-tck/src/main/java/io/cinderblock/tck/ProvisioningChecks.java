package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** The bodies of the kit's {@code Provisioning} group; {@link VolumeDriverConformanceKit.Provisioning} delegates here. */
final class ProvisioningChecks extends KitChecks {

    ProvisioningChecks(Supplier<KitSession> session) {
        super(session);
    }

    void create() {
        requireCapability(Capability.CREATE_VOLUME);
        try (ReadBack readBack = ReadBack.before(this, "PROV-1")) {
            long size = readableSize(readBack);
            VolumeSpec spec = VolumeSpec.of(s().newId("vol"), size);
            Volume volume = createTracked(spec, "createVolume(" + spec.name() + ")", () -> driver().createVolume(spec));
            assertThat(volume.id()).as("id").isEqualTo(spec.id());
            assertThat(volume.name()).as("name").isEqualTo(spec.name());
            assertThat(volume.sizeGib()).as("size").isEqualTo(size);
            assertThat(statsFor("PROV-1").pools()).extracting(PoolStats::poolName).as("reported pools")
                    .contains(volume.poolName());
            readBack.expect(volume.poolName(), size, 1, "after createVolume(" + spec.name() + ", " + size + " GiB)");
        }
    }

    /**
     * The size of a volume whose allocation shows in stats: more than twice the capacity tolerance
     * when every thick pool has room for it (the driver picks the pool), else the fixture's size.
     */
    private long readableSize(ReadBack readBack) {
        double tolerance = s().fixture().capacityToleranceGib();
        long visible = Math.max(s().fixture().volumeSizeGib(), ReadBack.visibleGib(tolerance));
        return readBack.everyThickHasRoom(2 * visible + tolerance) ? visible : s().fixture().volumeSizeGib();
    }

    void deleteTwice() {
        requireCapability(Capability.CREATE_VOLUME);
        try (ReadBack readBack = ReadBack.before(this, "PROV-2")) {
            Volume volume = createVolume(readableSize(readBack), Optional.empty());
            voidOperation("deleteVolume(" + volume.name() + ")", () -> driver().deleteVolume(volume));
            // Read against the pools before the create: the volume's capacity and count are given back.
            readBack.expect(volume.poolName(), 0, 0, "after createVolume and deleteVolume(" + volume.name() + ")");
            voidOperation("deleteVolume(" + volume.name() + ") a second time", () -> driver().deleteVolume(volume));
        }
    }

    void extend() {
        requireCapability(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME);
        Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
        double tolerance = s().fixture().capacityToleranceGib();
        // Grow by more than twice the tolerance, so that the capacity it takes shows in stats.
        long visible = ReadBack.visibleGib(tolerance);
        try (ReadBack readBack = ReadBack.before(this, "PROV-3")) {
            // Pools without room for a visible growth (small test volume groups) keep the 1 GiB step.
            long growth = readBack.thickWithRoom(volume.poolName(), 2 * visible + tolerance) ? visible : 1;
            long bigger = volume.sizeGib() + growth;
            Volume extended = operation("extendVolume(" + volume.name() + ", " + bigger + ")",
                    () -> driver().extendVolume(volume, bigger));
            assertThat(extended.sizeGib()).as("size after extend").isEqualTo(bigger);
            readBack.expect(volume.poolName(), growth, 0, "after extending '" + volume.name() + "' by " + growth
                    + " GiB");
            Outcome<Volume> same = s().call("extendVolume(" + volume.name() + ", " + bigger + ") again",
                    s().operationLimit(), () -> driver().extendVolume(extended, bigger));
            assertThat(same.thrown()).as("extending to a size that is not larger: %s", same.account())
                    .containsInstanceOf(CinderblockException.class);
        }
    }

    void snapshot() {
        requireCapability(Capability.CREATE_VOLUME, Capability.SNAPSHOT);
        Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
        Snapshot snapshot;
        double took;
        try (ReadBack readBack = ReadBack.before(this, "PROV-4")) {
            snapshot = createSnapshot(volume);
            assertThat(snapshot.volumeId()).as("snapshot's volume id").isEqualTo(volume.id());
            assertThat(snapshot.sizeGib()).as("snapshot size").isEqualTo(volume.sizeGib());
            // A snapshot is no volume; whether it takes capacity depends on the array.
            readBack.expect(volume.poolName(), Double.NaN, 0, "after createSnapshot(" + snapshot.name() + ")");
            took = readBack.dropNow(volume.poolName());
            if (offered().contains(Capability.VOLUME_FROM_SNAPSHOT)) {
                restoreThroughSecond(readBack, snapshot);
            }
        }
        try (ReadBack readBack = ReadBack.before(this, "PROV-4")) {
            voidOperation("deleteSnapshot(" + snapshot.name() + ")", () -> driver().deleteSnapshot(snapshot));
            // Whatever the snapshot took, its deletion gives back.
            readBack.expect(volume.poolName(), -took, 0, "after deleteSnapshot(" + snapshot.name() + ")");
        }
        voidOperation("deleteSnapshot(" + snapshot.name() + ") a second time", () -> driver().deleteSnapshot(snapshot));
    }

    /** The snapshot exists on the device: a second driver restores a volume from it (deleted again at once). */
    private void restoreThroughSecond(ReadBack readBack, Snapshot snapshot) {
        VolumeDriver second = readBack.second();
        VolumeSpec spec = VolumeSpec.of(s().newId("vol"), snapshot.sizeGib());
        VolumeDriver driver = driver();
        AtomicReference<Volume> restored = new AtomicReference<>(spec.toVolume("unknown", Optional.empty()));
        s().cleanup("deleteVolume(" + spec.name() + ")", () -> driver.deleteVolume(restored.get()));
        Outcome<Volume> outcome = s().call("createVolumeFromSnapshot(" + spec.name() + ") by a second driver",
                s().operationLimit(), () -> second.createVolumeFromSnapshot(spec, snapshot));
        if (!outcome.returned() || outcome.value().isEmpty()) {
            fail("PROV-4: a second driver on the same device cannot restore from snapshot '" + snapshot.name()
                    + "' the driver reported created: " + outcome.account());
        }
        restored.set(outcome.value().get());
        voidOperation("deleteVolume(" + spec.name() + ")", () -> driver.deleteVolume(restored.get()));
    }

    void fromSnapshot() {
        requireCapability(Capability.CREATE_VOLUME, Capability.SNAPSHOT, Capability.VOLUME_FROM_SNAPSHOT);
        Volume volume = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
        Snapshot snapshot = createSnapshot(volume);
        VolumeSpec spec = VolumeSpec.of(s().newId("vol"), snapshot.sizeGib());
        Volume restored = createTracked(spec, "createVolumeFromSnapshot(" + spec.name() + ")",
                () -> driver().createVolumeFromSnapshot(spec, snapshot));
        assertThat(restored.id()).isEqualTo(spec.id());
        assertThat(restored.sizeGib()).as("size").isGreaterThanOrEqualTo(snapshot.sizeGib());
    }

    void cloneVolume() {
        requireCapability(Capability.CREATE_VOLUME, Capability.CLONE_VOLUME);
        Volume source = createVolume(s().fixture().volumeSizeGib(), Optional.empty());
        VolumeSpec spec = VolumeSpec.of(s().newId("vol"), source.sizeGib());
        Volume clone = createTracked(spec, "cloneVolume(" + spec.name() + ")", () -> driver().cloneVolume(spec, source));
        assertThat(clone.id()).isEqualTo(spec.id());
        assertThat(clone.sizeGib()).as("size").isGreaterThanOrEqualTo(source.sizeGib());
    }

    void tooLarge() {
        requireCapability(Capability.CREATE_VOLUME);
        PoolStats thick = statsFor("PROV-7").pools().stream()
                .filter(p -> p.thickProvisioningSupport() && !p.thinProvisioningSupport() && p.freeCapacity().isKnown())
                .findFirst()
                .orElseGet(() -> abort("no thick-only pool with a known free capacity"));
        long size = (long) Math.floor(thick.freeCapacity().gib() + s().fixture().capacityToleranceGib()) + 1;
        VolumeSpec spec = VolumeSpec.of(s().newId("vol"), size).inPool(thick.poolName());
        AtomicReference<Volume> created = new AtomicReference<>(spec.toVolume(thick.poolName(), Optional.empty()));
        VolumeDriver driver = driver();
        s().cleanup("deleteVolume(" + spec.name() + ")", () -> driver.deleteVolume(created.get()));
        Outcome<Volume> outcome = s().call("createVolume(" + size + " GiB in '" + thick.poolName() + "')",
                s().operationLimit(), () -> driver.createVolume(spec));
        outcome.value().ifPresent(created::set);
        assertThat(outcome.thrown()).as("creating %d GiB with %s free: %s", size, thick.freeCapacity(),
                outcome.account()).containsInstanceOf(CinderblockException.class);
        assertThat(((CinderblockException) outcome.thrown().get()).code()).as("error code")
                .isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY);
    }
}
