package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.spi.Capability;
import java.util.EnumSet;
import java.util.Set;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.time.Duration;
import java.util.Optional;

/** The well-behaved driver over an {@link InMemoryDevice}; see {@link InMemoryDriverProvider}. */
final class InMemoryDriver implements VolumeDriver {
    private static final String TARGET_PREFIX = "iqn.2026-11.io.cinderblock:";

    private final DriverDescriptor descriptor;
    private final DriverConfig config;
    private final DriverContext context;
    private final InMemoryDevice device;
    private final String pool;

    InMemoryDriver(DriverDescriptor descriptor, DriverConfig config, DriverContext context, InMemoryDevice device) {
        this.descriptor = descriptor;
        this.config = config;
        this.context = context;
        this.device = device;
        this.pool = config.string("pool_name");
    }

    @Override
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> offered = EnumSet.copyOf(descriptor.capabilities());
        if (config.bool("without_connections")) {
            offered.remove(Capability.CONNECTION);
        }
        return offered;
    }

    @Override
    public BackendStats collectStats() {
        device.record(InMemoryDevice.COLLECT_STATS, "");
        device.awaitStatsGate();
        requireUp();
        long used = device.volumeTable().values().stream().mapToLong(Volume::sizeGib).sum();
        long capacity = device.capacityGib();
        return BackendStats.builder()
                .backendName(config.backendName())
                .describedBy(descriptor)
                .pool(PoolStats.builder(pool)
                        .totalCapacity(Capacity.ofGib(capacity))
                        .freeCapacity(Capacity.ofGib(Math.max(0, capacity - used)))
                        .provisionedCapacityGib(used)
                        .totalVolumes(device.volumeTable().size())
                        .thinProvisioningSupport(config.bool("thin"))
                        .thickProvisioningSupport(!config.bool("thin"))
                        .build())
                .collectedAt(context.clock().instant())
                .build();
    }

    @Override
    public BackendState backendState() {
        device.record(InMemoryDevice.BACKEND_STATE, "");
        return device.isUp()
                ? BackendState.up("In-memory device '" + device.name() + "' answers", context.clock())
                : BackendState.down("In-memory device '" + device.name() + "' is switched off (simulated outage)",
                        context.clock());
    }

    @Override
    public Duration stateDeadline() {
        return config.duration("state_deadline");
    }

    @Override
    public Volume createVolume(VolumeSpec spec) {
        device.record("createVolume", spec.id());
        requireUp();
        synchronized (device) {
            Volume existing = device.volumeTable().get(spec.id());
            if (existing != null) {
                return existing;
            }
            requireFree(spec.sizeGib());
            Volume volume = spec.toVolume(spec.pool().orElse(pool), Optional.of(TARGET_PREFIX + spec.name()));
            device.volumeTable().put(spec.id(), volume);
            return volume;
        }
    }

    @Override
    public void deleteVolume(Volume volume) {
        device.record("deleteVolume", volume.id());
        requireUp();
        device.volumeTable().remove(volume.id());
    }

    @Override
    public Volume extendVolume(Volume volume, long newSizeGib) {
        device.record("extendVolume", volume.id());
        requireUp();
        synchronized (device) {
            Volume current = requireVolume(volume.id());
            if (newSizeGib < current.sizeGib()) {
                throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Cannot shrink volume '" + volume.id()
                        + "' from " + current.sizeGib() + " to " + newSizeGib + " GiB");
            }
            requireFree(newSizeGib - current.sizeGib());
            Volume extended = current.withSizeGib(newSizeGib);
            device.volumeTable().put(volume.id(), extended);
            return extended;
        }
    }

    @Override
    public Snapshot createSnapshot(SnapshotSpec spec) {
        device.record("createSnapshot", spec.id());
        requireUp();
        requireVolume(spec.volume().id());
        Snapshot snapshot = Snapshot.of(spec, Optional.of("snap:" + spec.name()));
        device.snapshotTable().put(spec.id(), snapshot);
        return snapshot;
    }

    @Override
    public void deleteSnapshot(Snapshot snapshot) {
        device.record("deleteSnapshot", snapshot.id());
        requireUp();
        device.snapshotTable().remove(snapshot.id());
    }

    @Override
    public Volume createVolumeFromSnapshot(VolumeSpec spec, Snapshot snapshot) {
        device.record("createVolumeFromSnapshot", spec.id());
        requireUp();
        if (!device.snapshotTable().containsKey(snapshot.id())) {
            throw new CinderblockException(ErrorCode.NOT_FOUND, "Snapshot '" + snapshot.id() + "' is not on the device");
        }
        if (spec.sizeGib() < snapshot.sizeGib()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume of " + spec.sizeGib()
                    + " GiB cannot hold snapshot '" + snapshot.id() + "' of " + snapshot.sizeGib() + " GiB");
        }
        return provision(spec);
    }

    @Override
    public Volume cloneVolume(VolumeSpec spec, Volume source) {
        device.record("cloneVolume", spec.id());
        requireUp();
        Volume current = requireVolume(source.id());
        if (spec.sizeGib() < current.sizeGib()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Clone of " + spec.sizeGib()
                    + " GiB cannot hold volume '" + source.id() + "' of " + current.sizeGib() + " GiB");
        }
        return provision(spec);
    }

    @Override
    public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
        device.record("initializeConnection", volume.id());
        requireUp();
        requireVolume(volume.id());
        device.exportTable().add(volume.id() + "@" + connector.host());
        return ConnectionInfo.iscsi(TARGET_PREFIX + volume.name(), "127.0.0.1:3260", 1)
                .volumeId(volume.id())
                .build();
    }

    @Override
    public void terminateConnection(Volume volume, Connector connector) {
        device.record("terminateConnection", volume.id());
        requireUp();
        device.exportTable().remove(volume.id() + "@" + connector.host());
    }

    @Override
    public void close() {
        // Nothing to release: the device outlives the driver, as an array outlives its client.
    }

    private Volume provision(VolumeSpec spec) {
        synchronized (device) {
            requireFree(spec.sizeGib());
            Volume volume = spec.toVolume(spec.pool().orElse(pool), Optional.of(TARGET_PREFIX + spec.name()));
            device.volumeTable().put(spec.id(), volume);
            return volume;
        }
    }

    private void requireUp() {
        if (!device.isUp()) {
            throw new DeviceUnavailableException("In-memory device '" + device.name()
                    + "' is switched off (simulated outage)");
        }
    }

    private Volume requireVolume(String id) {
        Volume volume = device.volumeTable().get(id);
        if (volume == null) {
            throw new CinderblockException(ErrorCode.NOT_FOUND, "Volume '" + id + "' is not on the device");
        }
        return volume;
    }

    private void requireFree(long sizeGib) {
        long used = device.volumeTable().values().stream().mapToLong(Volume::sizeGib).sum();
        if (used + sizeGib > device.capacityGib()) {
            throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Pool '" + pool + "' has "
                    + (device.capacityGib() - used) + " GiB free, " + sizeGib + " GiB asked");
        }
    }
}
