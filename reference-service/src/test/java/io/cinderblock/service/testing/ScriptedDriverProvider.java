package io.cinderblock.service.testing;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A FAKE driver for fault tests (id {@code scripted-test}), not a device: each backend follows a
 * {@link Script} looked up by its {@code script} option, which a test changes while the service
 * runs: answer up, answer down, throw, hang past the deadline, fail to open, report several pools,
 * report stats without a {@code backend_state} key, stall its stats while its state answers.
 */
public final class ScriptedDriverProvider implements VolumeDriverProvider {
    /** The driver id. */
    public static final String ID = "scripted-test";

    /** What a backend does now. */
    public enum Behaviour {
        UP,
        DOWN,
        THROW,
        HANG,
        FAIL_OPEN
    }

    /** One backend's script, shared between the test and the driver. */
    public static final class Script {
        volatile Behaviour behaviour = Behaviour.UP;
        volatile int pools = 1;
        volatile Duration deadline = Duration.ofMillis(300);
        volatile boolean publishes;
        volatile boolean hangStats;
        volatile boolean stallStats;
        volatile BackendStateListener listener;
        /** Released when a test ends, so hung probes return. */
        final CountDownLatch release = new CountDownLatch(1);

        /** Changes the behaviour. */
        public Script behave(Behaviour value) {
            behaviour = value;
            return this;
        }

        /** Sets how many pools the stats report. */
        public Script pools(int count) {
            pools = count;
            return this;
        }

        /** Sets the probe deadline the driver declares (read when the backend opens). */
        public Script deadline(Duration value) {
            deadline = value;
            return this;
        }

        /** With {@link Behaviour#HANG}, stats collection hangs too (a device that answers nothing). */
        public Script hangStatsToo() {
            hangStats = true;
            return this;
        }

        /**
         * Stats collection hangs (until released or the SDK's stats timeout) while state probes
         * still answer: a backend up whose capacity goes stale.
         */
        public Script stallStats(boolean value) {
            stallStats = value;
            return this;
        }

        /** Makes the driver a (FAKE) publisher of pushed states, from its next open. */
        public Script publishes() {
            publishes = true;
            return this;
        }

        /** The listener the host subscribed, once it did. */
        public java.util.Optional<BackendStateListener> listener() {
            return java.util.Optional.ofNullable(listener);
        }

        /** Releases hung calls. */
        public void release() {
            release.countDown();
        }
    }

    private static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();

    private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder(ID)
            .vendorName("cinderblock test fake (not a device)")
            .driverVersion("0.0.1")
            .storageProtocol(StorageProtocol.ISCSI)
            .option(ConfigOption.builder("script", OptionType.STRING).required().description("Script name").build())
            .option(ConfigOption.builder("api_password", OptionType.STRING).secret()
                    .description("A secret that must never be shown").build())
            .build();

    /** Required by ServiceLoader. */
    public ScriptedDriverProvider() {}

    /** The script of this name, created on first use. */
    public static Script script(String name) {
        return SCRIPTS.computeIfAbsent(name, n -> new Script());
    }

    /** Forgets a script and releases its hung calls. */
    public static void forget(String name) {
        Script script = SCRIPTS.remove(name);
        if (script != null) {
            script.release();
        }
    }

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        Script script = script(config.string("script"));
        if (script.behaviour == Behaviour.FAIL_OPEN) {
            throw new DeviceUnavailableException("scripted open failure for backend '" + config.backendName() + "'");
        }
        return new Driver(config.backendName(), script, context);
    }

    private static final class Driver implements VolumeDriver, BackendStatePublisher {
        private final String backendName;
        private final Script script;
        private final DriverContext context;

        Driver(String backendName, Script script, DriverContext context) {
            this.backendName = backendName;
            this.script = script;
            this.context = context;
        }

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public Duration stateDeadline() {
            return script.deadline;
        }

        @Override
        public boolean publishTo(BackendStateListener listener) {
            if (!script.publishes) {
                return false;
            }
            script.listener = listener;
            return true;
        }

        @Override
        public BackendState backendState() {
            switch (script.behaviour) {
                case DOWN:
                case FAIL_OPEN:
                    return BackendState.down("scripted: device down", context.clock());
                case THROW:
                    throw new IllegalStateException("scripted: the driver threw");
                case HANG:
                    try {
                        // Hangs far past the deadline: the host must give up on its own.
                        script.release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return BackendState.down("scripted: released", context.clock());
                default:
                    return BackendState.up("scripted: device up", context.clock());
            }
        }

        @Override
        public BackendStats collectStats() {
            if (script.behaviour == Behaviour.HANG && script.hangStats || script.stallStats) {
                try {
                    script.release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (script.behaviour != Behaviour.UP) {
                throw new DeviceUnavailableException("scripted: no stats while " + script.behaviour);
            }
            // A Cinder stats dictionary without 'backend_state': the SDK's rule makes it 'up'.
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("volume_backend_name", backendName);
            stats.put("vendor_name", "cinderblock test fake (not a device)");
            stats.put("driver_version", "0.0.1");
            stats.put("storage_protocol", "iSCSI");
            List<Map<String, Object>> pools = new java.util.ArrayList<>();
            for (int i = 0; i < script.pools; i++) {
                Map<String, Object> pool = new LinkedHashMap<>();
                pool.put("pool_name", "pool-" + i);
                pool.put("total_capacity_gb", 100);
                pool.put("free_capacity_gb", 90);
                pool.put("thin_provisioning_support", true);
                pools.add(pool);
            }
            stats.put("pools", pools);
            return BackendStats.fromCinderMap(stats, Instant.now(context.clock()));
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
