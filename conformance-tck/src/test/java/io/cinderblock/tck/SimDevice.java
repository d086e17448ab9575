package io.cinderblock.tck;

import io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
import io.cinderblock.driver.sim.SimulatedArrayServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A SIMULATED array (driver-sim's in-process server) for the kit's own tests: start it, get a driver
 * configuration for it, break and heal its device. The access key is generated per run.
 */
public final class SimDevice implements AutoCloseable {
    public static final String DEVICE = "array-a";

    private final SimulatedArrayServer server;
    private final String accessKey;

    private SimDevice(SimulatedArrayServer server, String accessKey) {
        this.server = server;
        this.accessKey = accessKey;
    }

    /** Starts a server on a free port of 127.0.0.1 with one device of two thick pools. */
    public static SimDevice start() {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String key = "key" + HexFormat.of().formatHex(random);
        try {
            SimulatedArrayServer server = SimulatedArrayServer.start(0, Optional.of(key));
            Map<String, Long> pools = new LinkedHashMap<>();
            pools.put("gold", 1000L);
            pools.put("silver", 200L);
            server.addDevice(DEVICE, pools);
            return new SimDevice(server, key);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the simulated array", e);
        }
    }

    public int port() {
        return server.port();
    }

    public String accessKey() {
        return accessKey;
    }

    /** Driver options reaching this device (default timeouts). */
    public Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("sim_host", "127.0.0.1");
        config.put("sim_port", String.valueOf(server.port()));
        config.put("sim_device", DEVICE);
        config.put("sim_access_key", accessKey);
        return config;
    }

    /** The device-level fault: the simulated controller fails. */
    public DeviceFault controllerFailure() {
        return DeviceFault.of("simulated controller failed",
                () -> server.setDeviceUp(DEVICE, false, "simulated controller failed"),
                () -> server.setDeviceUp(DEVICE, true, ""));
    }

    /** A complete fixture for the sim driver (or a wrapper of it) on this device. */
    public TckFixture.Builder fixture(io.cinderblock.sdk.spi.VolumeDriverProvider provider) {
        return TckFixture.forProvider(provider)
                .backendName("tck-sim")
                .config(config())
                .deviceFault(controllerFailure());
    }

    /** A fixture for the real sim driver. */
    public TckFixture.Builder fixture() {
        return fixture(new SimulatedArrayDriverProvider());
    }

    @Override
    public void close() {
        server.close();
    }
}
