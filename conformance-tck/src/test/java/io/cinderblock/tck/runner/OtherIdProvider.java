package io.cinderblock.tck.runner;

import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;

/** A second provider to put in a jar beside the sim's: the runner must refuse a jar with two. */
public final class OtherIdProvider implements VolumeDriverProvider {
    private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder("other-sim")
            .vendorName("test double").driverVersion("1.0").storageProtocol(StorageProtocol.ISCSI).build();

    public OtherIdProvider() {}

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        throw new UnsupportedOperationException("never opened: the runner refuses the jar first");
    }
}
