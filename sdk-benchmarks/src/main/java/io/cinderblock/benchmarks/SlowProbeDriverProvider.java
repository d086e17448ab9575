package io.cinderblock.benchmarks;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.sdk.testing.FakeDriver;
import java.util.concurrent.TimeUnit;

/**
 * {@code slow-probe}: a <em>simulated</em> device (sdk-testing's {@code FakeDriver}) whose state
 * probe and stats read take {@link #latencyMillis} milliseconds, like a device a network round trip
 * away. For {@link GuardThreadsMeasure} only: how many threads a host holds depends on how long its
 * driver calls take, which the in-memory driver (microseconds) would understate.
 */
public final class SlowProbeDriverProvider implements VolumeDriverProvider {
    /** The descriptor: no options beyond the common ones. */
    public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("slow-probe").build();
    /** How long each probe and stats read takes; set by the measurement before it opens backends. */
    static volatile long latencyMillis = 2;

    /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
    public SlowProbeDriverProvider() {}

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        return new FakeDriver(DESCRIPTOR, config, context) {
            @Override
            public BackendState backendState() {
                pause();
                return super.backendState();
            }

            @Override
            public BackendStats collectStats() {
                pause();
                return super.collectStats();
            }
        };
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(latencyMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
