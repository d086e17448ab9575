package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;

/**
 * The LVM driver ({@code lvm}): one volume group on a Linux host, managed over SSH and exported
 * over iSCSI with tgt. Found by {@link java.util.ServiceLoader}.
 *
 * <p>Declares volume creation, deletion and extension, and iSCSI connections. Snapshots and clones
 * are not declared: they need device-mapper on the host (COW snapshots, {@code dd} copies of
 * active LVs), and the driver was only verified on a kernel without it.
 */
public final class LvmDriverProvider implements VolumeDriverProvider {
    /** The driver id, what {@code volume_driver} names. */
    public static final String ID = "lvm";
    /** The driver version reported as {@code driver_version}. */
    public static final String VERSION = "0.1.0";

    private static final DriverDescriptor DESCRIPTOR = build();

    /** Costs nothing: the descriptor is built once per class load. */
    public LvmDriverProvider() {}

    private static DriverDescriptor build() {
        DriverDescriptor.Builder builder = DriverDescriptor.builder(ID)
                .vendorName("Open Source")
                .driverVersion(VERSION)
                .storageProtocol(StorageProtocol.ISCSI)
                .capability(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME, Capability.CONNECTION);
        LvmOptions.all().forEach(builder::option);
        return builder.build();
    }

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    /** Checks the options and files, loads the SSH key; connects on first use, not here. */
    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        requireNonNull(config, "config is null");
        requireNonNull(context, "context is null");
        LvmSettings settings = LvmOptions.parse(config);
        return new LvmDriver(DESCRIPTOR, settings, new JschCommandRunner(settings.ssh(), context.logger()), context);
    }

    /** Opens a driver over another command runner: recorded hosts in tests. */
    static LvmDriver open(DriverConfig config, DriverContext context, CommandRunner runner) {
        return new LvmDriver(DESCRIPTOR, LvmOptions.parse(config), runner, context);
    }
}
