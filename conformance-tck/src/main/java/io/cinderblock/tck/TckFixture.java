package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the kit needs to certify one driver: the provider, a configuration that reaches a live
 * device, and optional hooks and tolerances. Built with {@link #forProvider} or {@link #forDriver}:
 *
 * <pre>{@code
 * TckFixture.forDriver("sim")
 *         .backendName("tck-sim")
 *         .config(Map.of("sim_port", "18777", "sim_device", "array-a"))
 *         .deviceFault(DeviceFault.of("controller failed", array::fail, array::repair))
 *         .build();
 * }</pre>
 *
 * <p>Timeouts left unset derive from the driver's own {@code stateDeadline()}, so that a driver with
 * short timeouts is also tested quickly.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public final class TckFixture {
    private final VolumeDriverProvider provider;
    private final String backendName;
    private final Map<String, String> config;
    private final double capacityToleranceGib;
    private final long volumeSizeGib;
    private final Duration deadlineGrace;
    private final Optional<Duration> statsTimeout;
    private final Optional<Duration> recoveryTimeout;
    private final Optional<Duration> slowLatency;
    private final Duration settleTimeout;
    private final Duration operationTimeout;
    private final List<DeviceFault> deviceFaults;
    private final Connector connector;
    private final List<AutoCloseable> resources;
    private final Consumer<Volume> beforeConnect;
    private final Optional<Set<Capability>> expectedCapabilities;
    private final Optional<java.util.function.UnaryOperator<Map<String, String>>> wrongCredentials;
    private final Duration idleTimeout;
    private final Duration pushBound;
    private final Duration pushSilenceBound;
    private final DeviceUnderTest device;

    private TckFixture(Builder b) {
        this.provider = b.provider;
        this.backendName = b.backendName;
        this.config = Map.copyOf(b.config);
        this.capacityToleranceGib = b.capacityToleranceGib;
        this.volumeSizeGib = b.volumeSizeGib;
        this.deadlineGrace = b.deadlineGrace;
        this.statsTimeout = Optional.ofNullable(b.statsTimeout);
        this.recoveryTimeout = Optional.ofNullable(b.recoveryTimeout);
        this.slowLatency = Optional.ofNullable(b.slowLatency);
        this.settleTimeout = b.settleTimeout;
        this.operationTimeout = b.operationTimeout;
        this.deviceFaults = List.copyOf(b.deviceFaults);
        this.connector = b.connector;
        this.resources = List.copyOf(b.resources);
        this.beforeConnect = b.beforeConnect;
        this.expectedCapabilities = Optional.ofNullable(b.expectedCapabilities).map(Set::copyOf);
        this.wrongCredentials = Optional.ofNullable(b.wrongCredentials);
        this.idleTimeout = b.idleTimeout;
        this.pushBound = b.pushBound;
        this.pushSilenceBound = b.pushSilenceBound;
        this.device = b.device;
    }

    /**
     * A fixture for this provider instance (a driver on the test class path, or a test double).
     *
     * @param provider the provider to certify
     * @return a builder with the defaults
     * @since 0.1
     */
    public static Builder forProvider(VolumeDriverProvider provider) {
        return new Builder(requireNonNull(provider, "provider is null"));
    }

    /**
     * A fixture for the driver with this id, found on the class path with {@link
     * DriverRegistry#fromClassPath()}.
     *
     * @throws io.cinderblock.sdk.error.CinderblockException if no such driver loads
     * @param driverId the driver's id, as in {@code volume_driver}
     * @return a builder with the defaults
     * @since 0.1
     */
    public static Builder forDriver(String driverId) {
        requireNonNull(driverId, "driverId is null");
        return new Builder(DriverRegistry.fromClassPath().require(driverId).provider());
    }

    /**
     * The provider under test.
     *
     * @return the provider whose drivers the kit opens
     * @since 0.1
     */
    public VolumeDriverProvider provider() {
        return provider;
    }

    /**
     * The {@code volume_backend_name} the kit opens backends with.
     *
     * @return the backend name, never blank
     * @since 0.1
     */
    public String backendName() {
        return backendName;
    }

    /**
     * The driver options that reach a live device (no {@code volume_driver}/{@code volume_backend_name}).
     *
     * @return the driver options, immutable
     * @since 0.1
     */
    public Map<String, String> config() {
        return config;
    }

    /**
     * How far two capacity readings may differ and still agree, in GiB.
     *
     * @return the tolerance in GiB, at least 0
     * @since 0.1
     */
    public double capacityToleranceGib() {
        return capacityToleranceGib;
    }

    /**
     * The size of the volumes the kit creates.
     *
     * @return the size in GiB, at least 1
     * @since 0.1
     */
    public long volumeSizeGib() {
        return volumeSizeGib;
    }

    /**
     * Scheduling slack the kit allows on top of a declared deadline.
     *
     * @return the grace, zero or positive
     * @since 0.1
     */
    public Duration deadlineGrace() {
        return deadlineGrace;
    }

    /**
     * The longest {@code collectStats()} may take; default twice the state deadline.
     *
     * @param stateDeadline the opened driver's {@code stateDeadline()}
     * @return the fixture's stats timeout, or twice {@code stateDeadline}
     * @since 0.1
     */
    public Duration statsTimeout(Duration stateDeadline) {
        return statsTimeout.orElse(stateDeadline.multipliedBy(2));
    }

    /**
     * How long the state may take to return to UP after a fault heals; default three state deadlines.
     *
     * @param stateDeadline the opened driver's {@code stateDeadline()}
     * @return the fixture's recovery timeout, or three times {@code stateDeadline}
     * @since 0.1
     */
    public Duration recoveryTimeout(Duration stateDeadline) {
        return recoveryTimeout.orElse(stateDeadline.multipliedBy(3));
    }

    /**
     * The latency of the "slow" fault; default a fifth of the state deadline, at most one second.
     *
     * @param stateDeadline the opened driver's {@code stateDeadline()}
     * @return the fixture's latency, or the default derived from {@code stateDeadline}
     * @since 0.1
     */
    public Duration slowLatency(Duration stateDeadline) {
        return slowLatency.orElseGet(() -> {
            Duration fifth = stateDeadline.dividedBy(5);
            return fifth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : fifth;
        });
    }

    /**
     * How long capacity changes may take to show in stats after a create or delete.
     *
     * @return the settle timeout, positive
     * @since 0.1
     */
    public Duration settleTimeout() {
        return settleTimeout;
    }

    /**
     * The longest a provisioning or connection operation, or {@code open}, may take.
     *
     * @return the operation timeout, positive
     * @since 0.1
     */
    public Duration operationTimeout() {
        return operationTimeout;
    }

    /**
     * The device-level faults the fixture can cause.
     *
     * @return the faults in the order they were added, immutable; empty when none
     * @since 0.1
     */
    public List<DeviceFault> deviceFaults() {
        return deviceFaults;
    }

    /**
     * The host used for connection tests.
     *
     * @return the connector the kit passes to {@code initializeConnection}
     * @since 0.1
     */
    public Connector connector() {
        return connector;
    }

    /**
     * Resources the kit closes after the run (a device started for it, a temp dir).
     *
     * @return the resources in the order they were added, immutable
     * @since 0.1
     */
    public List<AutoCloseable> resources() {
        return resources;
    }

    /**
     * Called with each volume just before the kit connects it; does nothing unless set.
     *
     * @return the hook; a no-op unless the fixture set one
     * @since 0.1
     */
    public Consumer<Volume> beforeConnect() {
        return beforeConnect;
    }

    /**
     * The capabilities the vendor expects the driver to declare and offer (CAP-3), if stated.
     *
     * @return the expected capabilities, or empty when the fixture did not state them
     * @since 0.1
     */
    public Optional<Set<Capability>> expectedCapabilities() {
        return expectedCapabilities;
    }

    /**
     * How the fixture turns its configuration into one with a wrong credential (FAULT-9), if it says;
     * unset, the kit replaces the value of every declared secret option the configuration sets.
     *
     * @return the fixture's way to break the credentials, or empty for the kit's default
     * @since 0.1
     */
    public Optional<java.util.function.UnaryOperator<Map<String, String>>> wrongCredentials() {
        return wrongCredentials;
    }

    /**
     * The idle time after which the kit's proxy closes a connection in FAULT-10; default 500 ms.
     *
     * @return the idle timeout, positive
     * @since 0.1
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * How soon a pushed DOWN, or a lost push channel, must reach the listener (PUSH-1, PUSH-2); default 2 s.
     *
     * @return the bound, positive
     * @since 0.1
     */
    public Duration pushBound() {
        return pushBound;
    }

    /**
     * How soon a push channel that went silent (no FIN, no RST) must be reported lost (PUSH-2);
     * default 10 s, for drivers that notice silence by a missing heartbeat.
     *
     * @return the bound, positive
     * @since 0.1
     */
    public Duration pushSilenceBound() {
        return pushSilenceBound;
    }

    /**
     * The device under test as the fixture declares it; shown in every report.
     *
     * @return the declared device, or {@link DeviceUnderTest#undeclared()}
     * @since 0.1
     */
    public DeviceUnderTest device() {
        return device;
    }

    @Override
    public String toString() {
        return "TckFixture[driver=" + provider.descriptor().id() + ", backend=" + backendName + "]";
    }

    /** Builds a {@link TckFixture}.
     *
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
    public static final class Builder {
        private final VolumeDriverProvider provider;
        private String backendName = "tck-backend";
        private final Map<String, String> config = new LinkedHashMap<>();
        private double capacityToleranceGib = 1.0;
        private long volumeSizeGib = 1;
        private Duration deadlineGrace = Duration.ofMillis(250);
        private Duration statsTimeout;
        private Duration recoveryTimeout;
        private Duration slowLatency;
        private Duration settleTimeout = Duration.ofSeconds(10);
        private Duration operationTimeout = Duration.ofSeconds(60);
        private final List<DeviceFault> deviceFaults = new ArrayList<>();
        private Connector connector = Connector.iscsi("tck-host", "iqn.2026-11.io.cinderblock.tck:tck-host");
        private final List<AutoCloseable> resources = new ArrayList<>();
        private Consumer<Volume> beforeConnect = volume -> { };
        private Set<Capability> expectedCapabilities;
        private java.util.function.UnaryOperator<Map<String, String>> wrongCredentials;
        private Duration idleTimeout = Duration.ofMillis(500);
        private Duration pushBound = Duration.ofSeconds(2);
        private Duration pushSilenceBound = Duration.ofSeconds(10);
        private DeviceUnderTest device = DeviceUnderTest.undeclared();

        private Builder(VolumeDriverProvider provider) {
            this.provider = provider;
        }

        /**
         * The backend name; default {@code tck-backend}.
         *
         * @param value the backend name
         * @return this builder
         * @since 0.1
         */
        public Builder backendName(String value) {
            this.backendName = requireNonNull(value, "backendName is null");
            return this;
        }

        /**
         * Adds driver options. {@code volume_driver} and {@code volume_backend_name} are dropped.
         *
         * @param values option names and values, each as {@link #option} takes them
         * @return this builder
         * @since 0.1
         */
        public Builder config(Map<String, String> values) {
            values.forEach(this::option);
            return this;
        }

        /**
         * Sets one driver option.
         *
         * @param name the option's name
         * @param value the option's value
         * @return this builder
         * @since 0.1
         */
        public Builder option(String name, String value) {
            requireNonNull(name, "option name is null");
            requireNonNull(value, "value of option '" + name + "' is null");
            if (name.equals("volume_backend_name")) {
                backendName = value;
            } else if (!name.equals("volume_driver")) {
                config.put(name, value);
            }
            return this;
        }

        /**
         * Capacity tolerance in GiB; default 1.
         *
         * @param value the tolerance in GiB, at least 0
         * @return this builder
         * @since 0.1
         */
        public Builder capacityToleranceGib(double value) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("capacityToleranceGib must be >= 0, got " + value);
            }
            this.capacityToleranceGib = value;
            return this;
        }

        /**
         * Size of the volumes the kit creates; default 1 GiB.
         *
         * @param value the size in GiB, at least 1
         * @return this builder
         * @since 0.1
         */
        public Builder volumeSizeGib(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("volumeSizeGib must be >= 1, got " + value);
            }
            this.volumeSizeGib = value;
            return this;
        }

        /**
         * Slack on top of declared deadlines; default 250 ms.
         *
         * @param value the grace, zero or positive
         * @return this builder
         * @since 0.1
         */
        public Builder deadlineGrace(Duration value) {
            this.deadlineGrace = positiveOrZero(value, "deadlineGrace");
            return this;
        }

        /**
         * The longest {@code collectStats()} may take; default twice the state deadline.
         *
         * @param value the timeout, positive
         * @return this builder
         * @since 0.1
         */
        public Builder statsTimeout(Duration value) {
            this.statsTimeout = positive(value, "statsTimeout");
            return this;
        }

        /**
         * How long the state may take to return to UP after a fault; default three state deadlines.
         *
         * @param value the timeout, positive
         * @return this builder
         * @since 0.1
         */
        public Builder recoveryTimeout(Duration value) {
            this.recoveryTimeout = positive(value, "recoveryTimeout");
            return this;
        }

        /**
         * Latency of the slow fault; must stay below the driver's timeouts.
         *
         * @param value the latency, zero or positive
         * @return this builder
         * @since 0.1
         */
        public Builder slowLatency(Duration value) {
            this.slowLatency = positiveOrZero(value, "slowLatency");
            return this;
        }

        /**
         * How long capacity changes may take to show; default 10 s.
         *
         * @param value the timeout, positive
         * @return this builder
         * @since 0.1
         */
        public Builder settleTimeout(Duration value) {
            this.settleTimeout = positive(value, "settleTimeout");
            return this;
        }

        /**
         * The longest an operation or {@code open} may take; default 60 s.
         *
         * @param value the timeout, positive
         * @return this builder
         * @since 0.1
         */
        public Builder operationTimeout(Duration value) {
            this.operationTimeout = positive(value, "operationTimeout");
            return this;
        }

        /**
         * Adds a device-level fault hook.
         *
         * @param fault how to break and heal the device
         * @return this builder
         * @since 0.1
         */
        public Builder deviceFault(DeviceFault fault) {
            deviceFaults.add(requireNonNull(fault, "fault is null"));
            return this;
        }

        /**
         * The host for connection tests; default an iSCSI host {@code tck-host}.
         *
         * @param value the connector
         * @return this builder
         * @since 0.1
         */
        public Builder connector(Connector value) {
            this.connector = requireNonNull(value, "connector is null");
            return this;
        }

        /**
         * A hook the kit calls with each volume just before it connects it, for test hosts that must
         * prepare the device first: e.g. an LVM host without device-mapper, whose logical volumes
         * have no device node for the iSCSI target to serve until the test backs them with a file.
         *
         * @param hook called on the test thread; an exception fails the connection test
         * @return this builder
         * @since 0.1
         */
        public Builder beforeConnect(Consumer<Volume> hook) {
            this.beforeConnect = requireNonNull(hook, "hook is null");
            return this;
        }

        /**
         * The capabilities the vendor expects (CAP-3): the driver must declare, and offer with this
         * configuration, exactly these. Unset, CAP-3 is skipped.
         *
         * @param capabilities the expected capabilities
         * @return this builder
         * @since 0.1
         */
        public Builder expectCapabilities(Set<Capability> capabilities) {
            requireNonNull(capabilities, "capabilities is null");
            this.expectedCapabilities = Set.copyOf(capabilities);
            return this;
        }

        /**
         * How to make a configuration with a wrong credential (FAULT-9): given the fixture's
         * configuration, return a copy in which the device will reject the credential. Unset, the
         * kit replaces the value of every declared secret option the configuration sets; a driver
         * with no secret option skips FAULT-9.
         *
         * @param change returns a changed copy of the configuration it is given
         * @return this builder
         * @since 0.1
         */
        public Builder wrongCredentials(java.util.function.UnaryOperator<Map<String, String>> change) {
            this.wrongCredentials = requireNonNull(change, "change is null");
            return this;
        }

        /**
         * The idle time after which the kit's proxy closes connections in FAULT-10; default 500 ms.
         *
         * @param value the idle timeout, positive
         * @return this builder
         * @since 0.1
         */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = positive(value, "idleTimeout");
            return this;
        }

        /**
         * How soon a pushed DOWN or a broken push channel must reach the listener; default 2 s.
         *
         * @param value the bound, positive
         * @return this builder
         * @since 0.1
         */
        public Builder pushBound(Duration value) {
            this.pushBound = positive(value, "pushBound");
            return this;
        }

        /**
         * How soon a silent push channel must be reported lost; default 10 s.
         *
         * @param value the bound, positive
         * @return this builder
         * @since 0.1
         */
        public Builder pushSilenceBound(Duration value) {
            this.pushSilenceBound = positive(value, "pushSilenceBound");
            return this;
        }

        /**
         * Declares the device under test (model and firmware, or a simulator) for the reports.
         *
         * @param value the device
         * @return this builder
         * @since 0.1
         */
        public Builder device(DeviceUnderTest value) {
            this.device = requireNonNull(value, "device is null");
            return this;
        }

        /**
         * Closes {@code resource} after the run, after everything the kit created is deleted.
         *
         * @param resource closed once, after the run; a failure to close is reported, not thrown
         * @return this builder
         * @since 0.1
         */
        public Builder closeAfterRun(AutoCloseable resource) {
            resources.add(requireNonNull(resource, "resource is null"));
            return this;
        }

        /**
         * Builds the fixture.
         *
         * @return the fixture, immutable
         * @since 0.1
         */
        public TckFixture build() {
            return new TckFixture(this);
        }

        private static Duration positive(Duration value, String name) {
            requireNonNull(value, name + " is null");
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }

        private static Duration positiveOrZero(Duration value, String name) {
            requireNonNull(value, name + " is null");
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must be >= 0, got " + value);
            }
            return value;
        }
    }
}
