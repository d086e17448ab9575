package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
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
 * #ID}, every capability. Not registered in this jar's {@code META-INF/services} (a test fixture
 * must not join every class-path discovery): a test module that wants class-path discovery to find it
 * lists {@code io.cinderblock.sdk.testing.InMemoryDriverProvider} in its own test resources.
 *
 * <p>Each provider instance (one per host driver registry) keeps one device per backend name, so
 * a test reaches the device of its backend with {@code InMemoryDriverProvider.of(loaded)
 * .device(name)}, and can prepare it before the backend opens.
 *
 * <p>Options: {@code password} (required, secret), {@code capacity_gib} (integer, default 100),
 * {@code pool_name} (default {@code pool-a}), {@code thin} (boolean, default true), {@code
 * state_deadline} (duration, default 2s).
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
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

    /**
     * A configuration for this driver with a random password.
     *
     * @return {@code volume_driver} and a generated {@code password}
     */
    public static Map<String, String> config() {
        return config(UUID.randomUUID().toString());
    }

    /**
     * A configuration for this driver: {@code volume_driver} plus the given password.
     *
     * @param password the secret option's value
     * @return the configuration
     */
    public static Map<String, String> config(String password) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("volume_driver", ID);
        config.put("password", password);
        return config;
    }

    /**
     * The in-memory provider instance a host loaded, e.g. {@code InMemoryDriverProvider.of(
     * drivers.require(InMemoryDriverProvider.ID).provider())} with sdk-host's {@code DriverRegistry}.
     *
     * @param loaded the provider instance the host's discovery created
     * @return the same instance, as this type
     * @throws IllegalArgumentException if {@code loaded} is another driver's provider (the message
     *     names its class)
     */
    public static InMemoryDriverProvider of(VolumeDriverProvider loaded) {
        if (loaded instanceof InMemoryDriverProvider provider) {
            return provider;
        }
        throw new IllegalArgumentException("Not the in-memory driver's provider: "
                + (loaded == null ? "null" : loaded.getClass().getName()));
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

    /**
     * The simulated device of the backend with this name, created on first use.
     *
     * @param backendName the {@code volume_backend_name} the driver is opened with
     * @return the device, shared by every driver opened with that name
     */
    public InMemoryDevice device(String backendName) {
        return devices.computeIfAbsent(backendName, InMemoryDevice::new);
    }

    /**
     * Makes later {@link #open} calls block at the returned gate until the test opens it.
     *
     * @return the gate the opens block at
     */
    public Gate holdOpens() {
        Gate gate = new Gate();
        openGate = gate;
        return gate;
    }
}
