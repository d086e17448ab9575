package io.cinderblock.tck.gallery;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.time.Duration;

/** Forwards every call to a correct driver; each broken driver of the gallery overrides the one it breaks. */
class ForwardingVolumeDriver implements VolumeDriver {
    protected final VolumeDriver delegate;
    private final DriverDescriptor descriptor;

    ForwardingVolumeDriver(VolumeDriver delegate, DriverDescriptor descriptor) {
        this.delegate = delegate;
        this.descriptor = descriptor;
    }

    @Override
    public BackendStats collectStats() {
        return delegate.collectStats();
    }

    @Override
    public BackendState backendState() {
        return delegate.backendState();
    }

    @Override
    public Duration stateDeadline() {
        return delegate.stateDeadline();
    }

    @Override
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public Volume createVolume(VolumeSpec spec) {
        return delegate.createVolume(spec);
    }

    @Override
    public void deleteVolume(Volume volume) {
        delegate.deleteVolume(volume);
    }

    @Override
    public Volume extendVolume(Volume volume, long newSizeGib) {
        return delegate.extendVolume(volume, newSizeGib);
    }

    @Override
    public Snapshot createSnapshot(SnapshotSpec spec) {
        return delegate.createSnapshot(spec);
    }

    @Override
    public void deleteSnapshot(Snapshot snapshot) {
        delegate.deleteSnapshot(snapshot);
    }

    @Override
    public Volume createVolumeFromSnapshot(VolumeSpec spec, Snapshot snapshot) {
        return delegate.createVolumeFromSnapshot(spec, snapshot);
    }

    @Override
    public Volume cloneVolume(VolumeSpec spec, Volume source) {
        return delegate.cloneVolume(spec, source);
    }

    @Override
    public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
        return delegate.initializeConnection(volume, connector);
    }

    @Override
    public void terminateConnection(Volume volume, Connector connector) {
        delegate.terminateConnection(volume, connector);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
