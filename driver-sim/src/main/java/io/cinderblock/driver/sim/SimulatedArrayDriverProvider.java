package io.cinderblock.driver.sim;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.Transport;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The driver for the {@link SimulatedArrayServer}: id {@code sim}. A SIMULATED device for tests and
 * demos; its vendor name says so, so it is never mistaken for real storage.
 */
public final class SimulatedArrayDriverProvider implements VolumeDriverProvider {
    /** The driver id. */
    public static final String ID = "sim";

    private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder(ID)
            .vendorName("cinderblock simulator (not a real device)")
            .driverVersion("0.1.0")
            .storageProtocol(StorageProtocol.ISCSI)
            .option(ConfigOption.builder("sim_host", OptionType.STRING).defaultValue("127.0.0.1")
                    .endpoint(EndpointRole.HOST, Transport.TCP)
                    .description("Address of the simulated array").build())
            .option(ConfigOption.builder("sim_port", OptionType.INTEGER).required()
                    .endpoint(EndpointRole.PORT, Transport.TCP)
                    .description("TCP port of the simulated array").build())
            .option(ConfigOption.builder("sim_device", OptionType.STRING).required()
                    .description("Name of the device on the simulated array").build())
            .option(ConfigOption.builder("sim_access_key", OptionType.STRING).secret()
                    .description("Access key the simulated array requires, if any").build())
            .option(ConfigOption.builder("sim_timeout", OptionType.DURATION).defaultValue("2s")
                    .description("Connect and read timeout of each request").build())
            .option(ConfigOption.builder("reserved_percentage", OptionType.INTEGER).defaultValue("0")
                    .description("Cinder's reserved_percentage for every pool (0-100)").build())
            .option(ConfigOption.builder("sim_start_server", OptionType.BOOLEAN).defaultValue("false")
                    .description("Start the simulated array inside this process if it is not running (demos)").build())
            .option(ConfigOption.builder("sim_pools", OptionType.STRING).defaultValue("pool-a=1000")
                    .description("With sim_start_server: the device's pools, as name=GiB[,name=GiB...]").build())
            .option(ConfigOption.builder("sim_push", OptionType.BOOLEAN).defaultValue("true")
                    .description("Keep a WATCH connection open so the array pushes state changes at once "
                            + "(polling continues as the safety net)").build())
            .option(ConfigOption.builder("sim_push_silence", OptionType.DURATION).defaultValue("3s")
                    .description("A push channel with no line (state or heartbeat) for this long is lost; at least "
                            + "three of the array's heartbeat periods (1 s unless the array was started with another)")
                    .build())
            .capability(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME, Capability.SNAPSHOT,
                    Capability.VOLUME_FROM_SNAPSHOT, Capability.CLONE_VOLUME, Capability.CONNECTION)
            .build();

    /** Required by {@link java.util.ServiceLoader}. */
    public SimulatedArrayDriverProvider() {}

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        String device = config.string("sim_device");
        if (!SimulatedArrayServer.NAME.matcher(device).matches()) {
            throw new InvalidConfigException("sim_device", "Option 'sim_device' must match "
                    + SimulatedArrayServer.NAME.pattern() + ", got '" + device + "'");
        }
        int port = (int) config.integer("sim_port", 0, 65535);
        int reserved = (int) config.integer("reserved_percentage", 0, 100);
        // Checked before anything is started or shared, so a bad value leaves nothing behind.
        Duration silence = config.duration("sim_push_silence");
        if (silence.toMillis() < 100) {
            throw new InvalidConfigException("sim_push_silence", "Option 'sim_push_silence' must be at least 100 ms, got "
                    + silence.toMillis() + " ms");
        }
        if (config.bool("sim_start_server")) {
            if (port == 0) {
                throw new InvalidConfigException("sim_port", "Option 'sim_port' must be a fixed port with sim_start_server");
            }
            Map<String, Long> pools = parsePools(config.string("sim_pools"));
            try {
                SimulatedArrayServer.shared(port, config.optional("sim_access_key", String.class))
                        .addDevice(device, pools);
            } catch (BindException e) {
                // Another process (the demo service, a standalone array) already serves this port:
                // this backend is then just a client of it, as a read-only tool wants.
                context.logger().log(System.Logger.Level.INFO, "A simulated array already listens on port {0}; "
                        + "backend ''{1}'' connects to it", port, config.backendName());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the simulated array on port " + port, e);
            }
        }
        SimulatedArrayClient client = new SimulatedArrayClient(config.string("sim_host"), port,
                config.optional("sim_access_key", String.class), config.duration("sim_timeout"));
        Optional<SimulatedArrayDriver.PushTarget> push = config.bool("sim_push")
                ? Optional.of(new SimulatedArrayDriver.PushTarget(config.string("sim_host"), port,
                        config.optional("sim_access_key", String.class), silence))
                : Optional.empty();
        return new SimulatedArrayDriver(DESCRIPTOR, config.backendName(), device, reserved, client,
                config.duration("sim_timeout"), push, context);
    }

    private static Map<String, Long> parsePools(String text) {
        Map<String, Long> pools = new LinkedHashMap<>();
        for (String entry : text.split(",")) {
            String[] kv = entry.strip().split("=", 2);
            try {
                if (kv.length != 2 || !SimulatedArrayServer.NAME.matcher(kv[0]).matches() || Long.parseLong(kv[1]) < 1) {
                    throw new NumberFormatException();
                }
                pools.put(kv[0], Long.parseLong(kv[1]));
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("sim_pools", "Option 'sim_pools' must be name=GiB[,name=GiB...], got '"
                        + text + "'");
            }
        }
        return pools;
    }
}
