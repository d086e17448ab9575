package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.VolumeDriver;

/**
 * A minimal healthy driver with no device at all: stats of one 10 GiB pool, always UP. The faulty
 * providers in {@link FaultyDriverProviders} subclass it to break one rule each.
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public class FakeDriver implements VolumeDriver {
    /**
     * The descriptor this driver was opened with, for subclasses.
     */
    protected final DriverDescriptor descriptor;
    /**
     * The configuration this driver was opened with, for subclasses.
     */
    protected final DriverConfig config;
    /**
     * The host's context (logger, clock), for subclasses.
     */
    protected final DriverContext context;

    /**
     * A fake driver that answers UP and reports one empty 10 GiB pool; subclasses override what a test needs.
     *
     * @param descriptor what {@code descriptor()} returns
     * @param config the configuration it was opened with
     * @param context the host's context
     */
    public FakeDriver(DriverDescriptor descriptor, DriverConfig config, DriverContext context) {
        this.descriptor = descriptor;
        this.config = config;
        this.context = context;
    }

    /**
     * A descriptor of a fake driver with an optional secret {@code password} option and no capability.
     *
     * @param id the driver id
     * @return a builder, for adding options or capabilities before {@code build()}
     */
    public static DriverDescriptor.Builder descriptorBuilder(String id) {
        return DriverDescriptor.builder(id)
                .vendorName("cinderblock tests")
                .driverVersion("0.0.1")
                .storageProtocol(StorageProtocol.ISCSI)
                .option(ConfigOption.builder("password", OptionType.STRING).secret()
                        .description("A credential the fake driver must never leak").build());
    }

    @Override
    public BackendStats collectStats() {
        return BackendStats.builder()
                .backendName(config.backendName())
                .describedBy(descriptor)
                .pool(PoolStats.builder("fake").totalCapacity(Capacity.ofGib(10)).freeCapacity(Capacity.ofGib(10))
                        .build())
                .collectedAt(context.clock().instant())
                .build();
    }

    @Override
    public BackendState backendState() {
        return BackendState.up("Fake driver '" + descriptor.id() + "' has no device to lose", context.clock());
    }

    @Override
    public DriverDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
