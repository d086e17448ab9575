package io.cinderblock.sdk.host.testing;

import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A well-behaved driver over a simulated, in-memory device ({@link InMemoryDevice}): id {@value
 * #ID}, every capability, registered in this test jar's {@code META-INF/services}.
 *
 * <p>Each provider instance (one per {@code DriverRegistry}) keeps one device per backend name, so
 * a test reaches the device of its backend with {@code InMemoryDriverProvider.in(registry)
 * .device(name)}, and can prepare it before the backend opens.
 *
 * <p>Options: {@code password} (required, secret), {@code capacity_gib} (integer, default 100),
 * {@code pool_name} (default {@code pool-a}), {@code thin} (boolean, default true), {@code
 * state_deadline} (duration, default 2s).
 */
public final class InMemoryDriverProvider implements VolumeDriverProvider {
    /** The driver id. */
    public static final String ID = "in-memory";

    /** The descriptor: every capability, five options. */
    public static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder(ID)
            .vendorName("cinderblock tests")
            .driverVersion("1.0.0")
            .storageProtocol(StorageProtocol.ISCSI)
            .option(ConfigOption.builder("password", OptionType.STRING).required().secret()
                    .description("Password of the simulated array's admin account").build())
            .option(ConfigOption.builder("capacity_gib", OptionType.INTEGER).defaultValue("100")
                    .description("Raw capacity of the simulated pool in GiB").build())
            .option(ConfigOption.builder("pool_name", OptionType.STRING).defaultValue("pool-a")
                    .description("Name of the only pool").build())
            .option(ConfigOption.builder("thin", OptionType.BOOLEAN).defaultValue("true")
                    .description("Whether the pool is thin provisioned").build())
            .option(ConfigOption.builder("state_deadline", OptionType.DURATION).defaultValue("2s")
                    .description("Longest a state probe may take").build())
            .option(ConfigOption.builder("without_connections", OptionType.BOOLEAN).defaultValue("false")
                    .description("Offer no connections with this configuration (narrows capabilities())").build())
            .capability(Capability.values())
            .build();

    private final ConcurrentMap<String, InMemoryDevice> devices = new ConcurrentHashMap<>();
    private volatile Gate openGate = Gate.alwaysOpen();

    /** The no-argument constructor {@link java.util.ServiceLoader} needs; does nothing costly. */
    public InMemoryDriverProvider() {}

    /** A configuration for this driver with a random password. */
    public static Map<String, String> config() {
        return config(UUID.randomUUID().toString());
    }

    /** A configuration for this driver: {@code volume_driver} plus the given password. */
    public static Map<String, String> config(String password) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("volume_driver", ID);
        config.put("password", password);
        return config;
    }

    /** The provider instance {@code registry} loaded. */
    public static InMemoryDriverProvider in(DriverRegistry registry) {
        return (InMemoryDriverProvider) registry.require(ID).provider();
    }

    /** The provider instance behind {@code registry}'s drivers. */
    public static InMemoryDriverProvider in(BackendRegistry registry) {
        return in(registry.drivers());
    }

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        openGate.pass();
        InMemoryDevice device = device(config.backendName());
        device.capacityGib(config.integer("capacity_gib", 1, Long.MAX_VALUE / 2));
        return new InMemoryDriver(DESCRIPTOR, config, context, device);
    }

    /** The simulated device of the backend with this name, created on first use. */
    public InMemoryDevice device(String backendName) {
        return devices.computeIfAbsent(backendName, InMemoryDevice::new);
    }

    /** Makes later {@link #open} calls block at the returned gate until the test opens it. */
    public Gate holdOpens() {
        Gate gate = new Gate();
        openGate = gate;
        return gate;
    }
}
