package io.cinderblock.sdk.testing;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.SpiVersion;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hand-written faulty drivers, one rule broken each. None is registered in this jar's {@code
 * META-INF/services}: tests load them through {@link ServiceEntriesClassLoader} or from jars they
 * build with {@link DriverJarBuilder}, so that they never disturb a class-path discovery.
 *
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class FaultyDriverProviders {
    private FaultyDriverProviders() {}

    /** {@code throwing-open}: {@code open} fails with an untyped exception. */
    public static final class ThrowingOpen implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public ThrowingOpen() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("throwing-open").build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            throw new IllegalStateException("simulated: the driver cannot initialise its client library");
        }
    }

    /**
     * {@code hanging-state}: {@code backendState()} blocks, ignoring interrupts, until the test calls
     * {@link #release()}, then answers UP; declares a 200 ms deadline.
     */
    public static final class HangingState implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public HangingState() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("hanging-state").build();
        /** The deadline the driver declares. */
        public static final Duration DEADLINE = Duration.ofMillis(200);

        private final Gate gate = new Gate();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context) {
                @Override
                public BackendState backendState() {
                    gate.pass();
                    return super.backendState();
                }

                @Override
                public Duration stateDeadline() {
                    return DEADLINE;
                }
            };
        }

        /**
         * The gate every probe blocks at: counts probes that entered and returned.
         *
         * @return the gate; open it to let the blocked calls return
         */
        public Gate gate() {
            return gate;
        }

        /** Lets every stuck and later probe return. */
        public void release() {
            gate.open();
        }
    }

    /**
     * {@code hanging-stats}: healthy until the test calls {@link #hang()}; from then on {@code
     * collectStats()} blocks, ignoring interrupts, until {@link #release()}. Records the thread
     * context class loader each driver call ran with.
     */
    public static final class HangingStats implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public HangingStats() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("hanging-stats").build();

        private final Gate gate = new Gate();
        private volatile boolean hanging;
        private final java.util.Set<ClassLoader> contextLoaders = ConcurrentHashMap.newKeySet();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context) {
                @Override
                public BackendStats collectStats() {
                    contextLoaders.add(Thread.currentThread().getContextClassLoader());
                    if (hanging) {
                        gate.pass();
                    }
                    return super.collectStats();
                }

                @Override
                public BackendState backendState() {
                    contextLoaders.add(Thread.currentThread().getContextClassLoader());
                    return super.backendState();
                }
            };
        }

        /** Makes every later {@code collectStats()} hang. */
        public void hang() {
            hanging = true;
        }

        /** Lets every stuck and later stats read return. */
        public void release() {
            gate.open();
        }

        /**
         * The gate stuck reads block at.
         *
         * @return the gate; open it to let the blocked reads return
         */
        public Gate gate() {
            return gate;
        }

        /**
         * The context class loaders the driver's calls ran with.
         *
         * @return the loaders seen so far, a snapshot
         */
        public java.util.Set<ClassLoader> contextLoaders() {
            return java.util.Set.copyOf(contextLoaders);
        }
    }

    /** {@code free-exceeds-total}: reports a pool with 20 GiB free out of 10 GiB. */
    public static final class FreeExceedsTotal implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public FreeExceedsTotal() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("free-exceeds-total").build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context) {
                @Override
                public BackendStats collectStats() {
                    return BackendStats.builder()
                            .backendName(config.backendName())
                            .describedBy(descriptor)
                            .pool(PoolStats.builder("bad").totalCapacity(Capacity.ofGib(10))
                                    .freeCapacity(Capacity.ofGib(20)).build())
                            .build();
                }
            };
        }
    }

    /** The first of two providers with the id {@code duplicate}. */
    public static final class DuplicateIdFirst implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public DuplicateIdFirst() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("duplicate")
                .vendorName("first vendor").build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context);
        }
    }

    /** The second of two providers with the id {@code duplicate}. */
    public static final class DuplicateIdSecond implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public DuplicateIdSecond() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("duplicate")
                .vendorName("second vendor").build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context);
        }
    }

    /** {@code newer-minor}: built for SPI 1.99, a newer minor version than the host's. */
    public static final class NewerMinorSpi implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public NewerMinorSpi() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("newer-minor")
                .spiVersion(new SpiVersion(1, 99)).build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context);
        }
    }

    /** {@code newer-major}: built for SPI 2.0. */
    public static final class NewerMajorSpi implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public NewerMajorSpi() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("newer-major")
                .spiVersion(new SpiVersion(2, 0)).build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context);
        }
    }

    /** {@code descriptor()} throws. */
    public static final class ThrowingDescriptor implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public ThrowingDescriptor() {}

        @Override
        public DriverDescriptor descriptor() {
            throw new IllegalStateException("simulated: descriptor resources missing from the jar");
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            throw new AssertionError("never opened: its descriptor cannot be read");
        }
    }

    /** The constructor throws, so {@link java.util.ServiceLoader} cannot instantiate it. */
    public static final class ThrowingConstructor implements VolumeDriverProvider {
        /**
         * Throws, as a provider whose static set-up fails would.
         *
         * @throws IllegalStateException always
         */
        public ThrowingConstructor() {
            throw new IllegalStateException("simulated: static configuration missing");
        }

        @Override
        public DriverDescriptor descriptor() {
            throw new AssertionError("never constructed");
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            throw new AssertionError("never constructed");
        }
    }

    /** {@code null-state}: {@code backendState()} returns null. */
    public static final class NullState implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public NullState() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("null-state").build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context) {
                @Override
                public BackendState backendState() {
                    return null;
                }
            };
        }
    }

    /**
     * {@code secret-leaking}: puts the {@code password} option's value everywhere it must not: in
     * its state reason, in exception messages and in an exception's cause. With {@code password}
     * starting with {@code leak-on-open}, {@code open} itself fails quoting it.
     */
    public static final class SecretLeaking implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public SecretLeaking() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("secret-leaking")
                .capability(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME).build();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            String password = config.string("password");
            if (password.startsWith("leak-on-open")) {
                throw new CinderblockException(ErrorCode.DEVICE_UNAVAILABLE, "Login with password '" + password
                        + "' refused");
            }
            return new FakeDriver(DESCRIPTOR, config, context) {
                @Override
                public BackendStats collectStats() {
                    throw new DeviceUnavailableException("Login as admin/" + password + " refused");
                }

                @Override
                public BackendState backendState() {
                    return BackendState.down("Cannot log in with password " + password, context.clock());
                }

                @Override
                public Volume createVolume(VolumeSpec spec) {
                    throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Array said: bad credentials '"
                            + password + "'");
                }

                @Override
                public void deleteVolume(Volume volume) {
                    throw new IllegalStateException("NPE in client library, session password=" + password);
                }

                @Override
                public Volume extendVolume(Volume volume, long newSizeGib) {
                    throw new DeviceUnavailableException("Connection reset",
                            new UncheckedIOException(new IOException("while sending password " + password)));
                }
            };
        }
    }

    /**
     * {@code no-capabilities}: declares no optional capability but implements every operation,
     * counting calls, so a test can prove the SDK never reaches an undeclared operation.
     */
    public static final class NoCapabilities implements VolumeDriverProvider {
        /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
        public NoCapabilities() {}

        /**
         * What {@code descriptor()} returns.
         */
        public static final DriverDescriptor DESCRIPTOR = FakeDriver.descriptorBuilder("no-capabilities").build();

        private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            return new FakeDriver(DESCRIPTOR, config, context) {
                @Override
                public Volume createVolume(VolumeSpec spec) {
                    count("createVolume");
                    return spec.toVolume("fake", java.util.Optional.empty());
                }

                @Override
                public void deleteVolume(Volume volume) {
                    count("deleteVolume");
                }

                @Override
                public Volume extendVolume(Volume volume, long newSizeGib) {
                    count("extendVolume");
                    return volume.withSizeGib(newSizeGib);
                }
            };
        }

        private void count(String operation) {
            calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
        }

        /**
         * How many operations reached the driver.
         *
         * @return the number of operations that reached the driver; 0 when the SDK refused them all
         */
        public int operationCalls() {
            return calls.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }
}
