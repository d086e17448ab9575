package io.cinderblock.tck.gallery;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The gallery: drivers with exactly one defect each, named after it, each wrapping the correct
 * SIMULATED-array driver. {@link BrokenDriverProvider#breaks()} names the requirement the kit must
 * fail it under.
 */
final class BrokenDrivers {
    private BrokenDrivers() {}

    /** Every broken driver of the gallery. */
    static List<BrokenDriverProvider> all() {
        List<BrokenDriverProvider> all = new java.util.ArrayList<>(List.of(new FreeExceedsTotal(), new NegativeCapacity(), new WrongBackendNameInStats(),
                new LowerCaseProtocolInStats(), new JitteryFreeCapacity(), new StaleStatsCache(),
                new ThickPoolOverSubscribed(), new StatsNeverShowDown(), new StateHangsOnStall(),
                new StaysUpWhenRefused(), new NeverRecovers(), new PanicsWhenSlow(), new CredentialNotDeclaredSecret(),
                new SecretInExceptionMessage(), new SecretInLog(), new UndeclaredSnapshotSucceeds(),
                new DeleteNotIdempotent(), new NullPointerOnMissingOption(), new MalformedIqn(),
                new UnversionedDescriptor(), new NotRegisteredForServiceLoader(), new DescriptorChangesEveryCall(),
                new OverlongId(), new FutureSpiVersion(), new EndpointsNotDeclared(), new OpenedDescriptorDiffers(),
                new ParsesStringOptionUnchecked(), new StatsThrowUntyped(), new StaleStateTimestamp(),
                new DeadlineOfAnHour(), new BusyWhenProbedConcurrently(), new StaysUpWhenReset(),
                new LatchesDownWhenOpenedUnreachable(), new ClaimsUndeclaredCapability(), new WrongIdInCreatedVolume(),
                new SnapshotDeleteNotIdempotent(), new RestoredVolumeWithWrongId(), new CloneWithWrongId(),
                new CapacityErrorUntyped(), new TerminateNotIdempotent(), new ThreadPerProbe(),
                new BasicAuthHeaderInLog(), new DuplicatePoolNames(), new ReservedPercentageOver100(),
                new ExtendReportsButDoesNotGrow(), new DropsExpectedClone(), new StaysUpOnAuthFailure(),
                new SpuriousDownAfterIdleClose(), new HangsOnHalfOpenConnection(), new CachedStatsForConcurrentCallers(),
                new CachesDeviceAddress(), new PushesRecoveriesOnly(), new SwallowsPushLost(),
                new EchoesEveryAnnouncement(), new DebounceOutlivesClose()));
        all.addAll(OperationDrivers.all());
        return List.copyOf(all);
    }

    /** Stats rebuilt with every pool changed by {@code change}. */
    static BackendStats rebuild(BackendStats stats, UnaryOperator<PoolStats.Builder> change) {
        return stats.toBuilder()
                .pools(stats.pools().stream().map(pool -> change.apply(pool.toBuilder()).build())
                        .collect(Collectors.toList()))
                .build();
    }

    /** A copy of a descriptor to change. */
    static DriverDescriptor.Builder copy(DriverDescriptor d, boolean withOptions, Set<Capability> capabilities) {
        DriverDescriptor.Builder builder = DriverDescriptor.builder(d.id()).vendorName(d.vendorName())
                .driverVersion(d.driverVersion()).storageProtocol(d.storageProtocol()).spiVersion(d.spiVersion());
        if (withOptions) {
            d.options().forEach(builder::option);
        }
        capabilities.forEach(builder::capability);
        return builder;
    }

    // ------------------------------------------------------------------ stats

    /** Reports more free than total capacity (the SDK's PoolStats refuses it inside collectStats). */
    static final class FreeExceedsTotal extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-5";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    return rebuild(delegate.collectStats(), p -> p.freeCapacity(Capacity.ofGib(
                            p.build().totalCapacity().gib() + 10)));
                }
            };
        }
    }

    /** Reports a negative total capacity (a signed overflow in a real driver). */
    static final class NegativeCapacity extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-4";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    return rebuild(delegate.collectStats(), p -> p.totalCapacity(Capacity.ofGib(-5)));
                }
            };
        }
    }

    /** Reports the array's name instead of the configured backend name. */
    static final class WrongBackendNameInStats extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-3";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    BackendStats stats = delegate.collectStats();
                    return stats.toBuilder().backendName("array-" + stats.backendName()).build();
                }
            };
        }
    }

    /** Spells the storage protocol its own way ({@code iscsi}, not Cinder's {@code iSCSI}). */
    static final class LowerCaseProtocolInStats extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    return delegate.collectStats().toBuilder().storageProtocol("iscsi").build();
                }
            };
        }
    }

    /**
     * The last pool's free capacity jumps by 40 GiB between two calls (reads a counter that includes
     * in-flight I/O). Only the last pool, so that the checks that pick the first pool with room (STATS-10,
     * PROV-7) see its true numbers and the defect shows under STATS-9 alone.
     */
    static final class JitteryFreeCapacity extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-9";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            AtomicLong calls = new AtomicLong();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    long drift = calls.getAndIncrement() % 2 == 0 ? 0 : 40;
                    BackendStats stats = delegate.collectStats();
                    String last = stats.pools().get(stats.pools().size() - 1).poolName();
                    return rebuild(stats, p -> p.build().poolName().equals(last) ? p.freeCapacity(Capacity.ofGib(
                            Math.max(0, p.build().freeCapacity().gib() - drift))) : p);
                }
            };
        }
    }

    /** Caches the first stats forever: capacity never follows volumes. */
    static final class StaleStatsCache extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-10";
        }

        /**
         * PROV-1 and PROV-3 read the create and the extension back through stats, fresh ones and a second
         * instance of the same driver, which are just as stale (through stats alone a stale cache and an
         * operation that did nothing look the same); and stats cached forever still say up when the
         * device refuses connections (FAULT-2).
         */
        @Override
        Set<String> alsoFails() {
            return Set.of("PROV-1", "PROV-3", "FAULT-2");
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                private BackendStats cached;

                @Override
                public synchronized BackendStats collectStats() {
                    if (cached == null) {
                        cached = delegate.collectStats();
                    }
                    return cached;
                }
            };
        }
    }

    /** A thick-only pool that claims 20x over-subscription. */
    static final class ThickPoolOverSubscribed extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-8";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    return rebuild(delegate.collectStats(), p -> p.maxOverSubscriptionRatio(20.0));
                }
            };
        }
    }

    // ------------------------------------------------------------------ state and faults

    /** Returns the last good stats, marked up, when the device fails. */
    static final class StatsNeverShowDown extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-8";
        }

        /** The last good stats outlive a refused connection just as well (STATE-4 is blocked by it). */
        @Override
        Set<String> alsoFails() {
            return Set.of("FAULT-2");
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                private volatile BackendStats lastGood;

                @Override
                public BackendStats collectStats() {
                    try {
                        lastGood = delegate.collectStats();
                    } catch (DeviceUnavailableException e) {
                        if (lastGood == null) {
                            throw e;
                        }
                    }
                    return lastGood;
                }
            };
        }
    }

    /** Talks to the device without a usable read timeout, yet declares the usual deadline. */
    static final class StateHangsOnStall extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-4";
        }

        @Override
        Map<String, String> simOptions(DriverConfig config, Map<String, String> options) {
            Map<String, String> changed = new LinkedHashMap<>(options);
            changed.put("sim_timeout", "10m");
            return changed;
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Duration declared = config.duration("sim_timeout").multipliedBy(2).plusMillis(250);
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Duration stateDeadline() {
                    return declared;
                }
            };
        }
    }

    /** Treats "connection refused" as a transient blip and keeps reporting UP. */
    static final class StaysUpWhenRefused extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    BackendState state = delegate.backendState();
                    if (!state.isUp() && state.reason().contains("Cannot connect")) {
                        return BackendState.up("assumed up: connection refused is usually transient", context.clock());
                    }
                    return state;
                }
            };
        }
    }

    /** Latches DOWN after the first failure and never probes again. */
    static final class NeverRecovers extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-6";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                private volatile BackendState latched;

                @Override
                public BackendState backendState() {
                    if (latched != null) {
                        return latched;
                    }
                    BackendState state = delegate.backendState();
                    if (!state.isUp()) {
                        latched = state;
                    }
                    return state;
                }
            };
        }
    }

    /** Reports DOWN whenever a probe takes more than 600 ms, far below its own timeout. */
    static final class PanicsWhenSlow extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-5";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    long start = System.nanoTime();
                    BackendState state = delegate.backendState();
                    // 600 ms: far below its own timeout, yet above what a healthy probe takes on a loaded test machine.
                    if (Duration.ofNanos(System.nanoTime() - start).toMillis() > 600) {
                        return BackendState.down("device too slow", Clock.systemUTC());
                    }
                    return state;
                }
            };
        }
    }

    // ------------------------------------------------------------------ secrets

    /** Declares its access key as an ordinary option, so the shown configuration prints it. */
    static final class CredentialNotDeclaredSecret extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "SEC-1";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            DriverDescriptor.Builder builder = copy(sim, false, sim.capabilities());
            for (ConfigOption option : sim.options()) {
                builder.option(option.name().equals("sim_access_key")
                        ? ConfigOption.builder("sim_access_key", OptionType.STRING).description(option.description()).build()
                        : option);
            }
            return builder.build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Puts the access key in the message of the exception it throws when the device fails. */
    static final class SecretInExceptionMessage extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "SEC-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String key = config.optionalString("sim_access_key").orElse("");
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    try {
                        return delegate.collectStats();
                    } catch (DeviceUnavailableException e) {
                        throw new DeviceUnavailableException(e.getMessage() + " (access key " + key + ")", e);
                    }
                }
            };
        }
    }

    /** Logs its whole configuration, access key included, at debug level. */
    static final class SecretInLog extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "SEC-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Map<String, String> all = new LinkedHashMap<>();
            descriptor().options().forEach(o -> config.optionalString(o.name()).ifPresent(v -> all.put(o.name(), v)));
            context.logger().log(System.Logger.Level.DEBUG, "opening simulated backend with {0}", all);
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    // ------------------------------------------------------------------ capabilities, provisioning, connections

    /** Does not declare snapshots, yet takes them. */
    static final class UndeclaredSnapshotSucceeds extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CAP-1";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, Set.of(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME, Capability.CLONE_VOLUME,
                    Capability.CONNECTION)).build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            // Forwards createSnapshot and deleteSnapshot, which the descriptor does not declare.
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Fails the second delete of a volume with NOT_FOUND. */
    static final class DeleteNotIdempotent extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Set<String> deleted = ConcurrentHashMap.newKeySet();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public void deleteVolume(Volume volume) {
                    if (!deleted.add(volume.name())) {
                        throw new CinderblockException(ErrorCode.NOT_FOUND, "No volume '" + volume.name() + "'");
                    }
                    delegate.deleteVolume(volume);
                }
            };
        }
    }

    /** Declares an optional option but dereferences it unconditionally in open(). */
    static final class NullPointerOnMissingOption extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CONF-4";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, sim.capabilities())
                    .option(ConfigOption.builder("sim_label", OptionType.STRING)
                            .description("A label shown in logs").build())
                    .build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String label = config.optional("sim_label", String.class).orElse(null);
            context.logger().log(System.Logger.Level.DEBUG, "label length " + label.length());
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Returns a target name that is not an IQN. */
    static final class MalformedIqn extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CONN-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
                    Map<String, Object> data = new LinkedHashMap<>(delegate.initializeConnection(volume, connector).data());
                    data.put("target_iqn", "target-" + volume.name());
                    return new ConnectionInfo("iscsi", data);
                }
            };
        }
    }

    // ------------------------------------------------------------------ descriptor

    /** Calls its version "latest". */
    static final class UnversionedDescriptor extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "DESC-2";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, sim.capabilities()).driverVersion("latest").build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            // Consistent with itself: the stats report the same "version" (STATS-2 holds).
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    return delegate.collectStats().toBuilder().driverVersion("latest").build();
                }
            };
        }
    }

    // ------------------------------------------------------------------ round 2: one per remaining requirement

    /** Correct, but not registered in META-INF/services: ServiceLoader cannot find it. */
    static final class NotRegisteredForServiceLoader extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "DISC-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Builds its descriptor afresh on every call, stamping the build time into the vendor name. */
    static final class DescriptorChangesEveryCall extends BrokenDriverProvider {
        private final AtomicLong calls = new AtomicLong();
        private volatile DriverDescriptor first;

        @Override
        String breaks() {
            return "DISC-2";
        }

        @Override
        public synchronized DriverDescriptor descriptor() {
            DriverDescriptor sim = super.descriptor();
            if (first == null) {
                first = sim;
                return sim;
            }
            return copy(sim, true, sim.capabilities()).vendorName(sim.vendorName() + " #" + calls.incrementAndGet())
                    .build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, first);
        }
    }

    /** An id the SDK accepts (lower-case) but longer than 64 characters. */
    static final class OverlongId extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "DESC-1";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            DriverDescriptor.Builder builder = DriverDescriptor.builder("sim-" + "x".repeat(70))
                    .vendorName(sim.vendorName()).driverVersion(sim.driverVersion())
                    .storageProtocol(sim.storageProtocol()).spiVersion(sim.spiVersion());
            sim.options().forEach(builder::option);
            sim.capabilities().forEach(builder::capability);
            return builder.build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Built against an SPI major version this SDK does not host. */
    static final class FutureSpiVersion extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "DESC-3";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, sim.capabilities())
                    .spiVersion(new io.cinderblock.sdk.spi.SpiVersion(sim.spiVersion().major() + 1, 0)).build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Declares its host and port as plain options, so no tool can route (or fault) its device traffic. */
    static final class EndpointsNotDeclared extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "DESC-4";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            DriverDescriptor.Builder builder = copy(sim, false, sim.capabilities());
            for (ConfigOption option : sim.options()) {
                if (option.endpoint().isEmpty()) {
                    builder.option(option);
                    continue;
                }
                ConfigOption.Builder plain = ConfigOption.builder(option.name(), option.type())
                        .description(option.description());
                option.defaultValue().ifPresent(plain::defaultValue);
                if (option.required()) {
                    plain.required();
                }
                builder.option(plain.build());
            }
            return builder.build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** The opened driver reports another driver version than its provider (two version constants). */
    static final class OpenedDescriptorDiffers extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CONF-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            DriverDescriptor stale = copy(descriptor(), true, descriptor().capabilities()).driverVersion("0.0.9").build();
            return new ForwardingVolumeDriver(sim, stale);
        }
    }

    /** Declares a STRING option described as a number and parses it with Integer.parseInt, unchecked. */
    static final class ParsesStringOptionUnchecked extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CONF-5";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, sim.capabilities())
                    .option(ConfigOption.builder("sim_max_volume_gib", OptionType.STRING)
                            .description("Largest volume the backend accepts, a number of GiB").build())
                    .build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            config.optionalString("sim_max_volume_gib").map(Integer::parseInt)
                    .ifPresent(max -> context.logger().log(System.Logger.Level.DEBUG, "largest volume " + max + " GiB"));
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** collectStats() fails with a raw parsing exception although the device is healthy. */
    static final class StatsThrowUntyped extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    delegate.collectStats();
                    throw new IllegalStateException("Unexpected element <pools> in the device's answer");
                }
            };
        }
    }

    /** Returns the state with the time of its first probe, not of this one. */
    static final class StaleStateTimestamp extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATE-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            java.time.Instant opened = java.time.Instant.now().minus(Duration.ofHours(1));
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    BackendState state = delegate.backendState();
                    return new BackendState(state.status(), state.reason(), opened);
                }
            };
        }
    }

    /** Declares a state deadline of an hour, far beyond what a host can wait. */
    static final class DeadlineOfAnHour extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATE-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Duration stateDeadline() {
                    return Duration.ofHours(1);
                }
            };
        }
    }

    /** Reports DOWN ("busy") when a second probe arrives while one is running: not safe for concurrent calls. */
    static final class BusyWhenProbedConcurrently extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATE-3";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    try {
                        if (running.incrementAndGet() > 1) {
                            return BackendState.down("session busy with another probe", context.clock());
                        }
                        BackendState state = delegate.backendState();
                        Thread.sleep(60); // the probe's round trip, long enough for concurrent callers to meet
                        return state;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return BackendState.down("interrupted", context.clock());
                    } finally {
                        running.decrementAndGet();
                    }
                }
            };
        }
    }

    /** Treats every failure but "connection refused" as a transient blip and keeps reporting UP. */
    static final class StaysUpWhenReset extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-3";
        }

        /** A controller failure is not "Cannot connect" either, so it stays UP through it (STATE-4 is blocked by it). */
        @Override
        Set<String> alsoFails() {
            return Set.of("FAULT-8");
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    BackendState state = delegate.backendState();
                    if (!state.isUp() && !state.reason().contains("Cannot connect")) {
                        return BackendState.up("assumed up: a dropped connection is usually transient", context.clock());
                    }
                    return state;
                }
            };
        }
    }

    /** Probes once in open(); if the device was unreachable then, reports that forever. */
    static final class LatchesDownWhenOpenedUnreachable extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-7";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            BackendState atOpen = sim.backendState();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    return atOpen.isUp() ? delegate.backendState() : BackendState.down(atOpen.reason(), context.clock());
                }
            };
        }
    }

    /** Leaves snapshots out of its descriptor (refusing them properly) but still lists them in capabilities(). */
    static final class ClaimsUndeclaredCapability extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CAP-2";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, Set.of(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME, Capability.CLONE_VOLUME,
                    Capability.CONNECTION)).build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String id = descriptor().id();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Set<Capability> capabilities() {
                    return java.util.EnumSet.allOf(Capability.class);
                }

                @Override
                public io.cinderblock.sdk.spi.Snapshot createSnapshot(io.cinderblock.sdk.spi.SnapshotSpec spec) {
                    throw new io.cinderblock.sdk.error.NotSupportedException(Capability.SNAPSHOT, id);
                }

                @Override
                public void deleteSnapshot(io.cinderblock.sdk.spi.Snapshot snapshot) {
                    throw new io.cinderblock.sdk.error.NotSupportedException(Capability.SNAPSHOT, id);
                }

                @Override
                public Volume createVolumeFromSnapshot(io.cinderblock.sdk.spi.VolumeSpec spec,
                        io.cinderblock.sdk.spi.Snapshot snapshot) {
                    throw new io.cinderblock.sdk.error.NotSupportedException(Capability.VOLUME_FROM_SNAPSHOT, id);
                }
            };
        }
    }

    /** Returns the array's own id for a new volume instead of the one Cinder asked for. */
    static final class WrongIdInCreatedVolume extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume createVolume(io.cinderblock.sdk.spi.VolumeSpec spec) {
                    Volume made = delegate.createVolume(spec);
                    return new Volume("array-" + made.id(), made.name(), made.sizeGib(), made.poolName(),
                            made.providerLocation());
                }
            };
        }
    }

    /** Fails the second delete of a snapshot with NOT_FOUND. */
    static final class SnapshotDeleteNotIdempotent extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-4";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Set<String> deleted = ConcurrentHashMap.newKeySet();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public void deleteSnapshot(io.cinderblock.sdk.spi.Snapshot snapshot) {
                    if (!deleted.add(snapshot.name())) {
                        throw new CinderblockException(ErrorCode.NOT_FOUND, "No snapshot '" + snapshot.name() + "'");
                    }
                    delegate.deleteSnapshot(snapshot);
                }
            };
        }
    }

    /** Returns the restored volume under the snapshot's id instead of the requested one. */
    static final class RestoredVolumeWithWrongId extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-5";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume createVolumeFromSnapshot(io.cinderblock.sdk.spi.VolumeSpec spec,
                        io.cinderblock.sdk.spi.Snapshot snapshot) {
                    Volume made = delegate.createVolumeFromSnapshot(spec, snapshot);
                    return new Volume(snapshot.id(), made.name(), made.sizeGib(), made.poolName(), made.providerLocation());
                }
            };
        }
    }

    /** Returns the clone under its source's id. */
    static final class CloneWithWrongId extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-6";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume cloneVolume(io.cinderblock.sdk.spi.VolumeSpec spec, Volume source) {
                    Volume made = delegate.cloneVolume(spec, source);
                    return new Volume(source.id(), made.name(), made.sizeGib(), made.poolName(), made.providerLocation());
                }
            };
        }
    }

    /** Wraps the array's "no space" answer in a generic OPERATION_FAILED, so Cinder cannot reschedule. */
    static final class CapacityErrorUntyped extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-7";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume createVolume(io.cinderblock.sdk.spi.VolumeSpec spec) {
                    try {
                        return delegate.createVolume(spec);
                    } catch (CinderblockException e) {
                        throw new CinderblockException(ErrorCode.OPERATION_FAILED, "create failed: " + e.getMessage(), e);
                    }
                }
            };
        }
    }

    /** Fails the second terminateConnection with NOT_FOUND. */
    static final class TerminateNotIdempotent extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CONN-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Set<String> terminated = ConcurrentHashMap.newKeySet();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public void terminateConnection(Volume volume, Connector connector) {
                    if (!terminated.add(volume.name())) {
                        throw new CinderblockException(ErrorCode.NOT_FOUND, "No export of '" + volume.name() + "'");
                    }
                    delegate.terminateConnection(volume, connector);
                }
            };
        }
    }

    /** Starts a watchdog thread per probe and never stops it (a timer per call instead of one per driver). */
    static final class ThreadPerProbe extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "RES-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    Thread watchdog = new Thread(() -> {
                        try {
                            Thread.sleep(Duration.ofSeconds(30).toMillis());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "probe-watchdog");
                    watchdog.setDaemon(true); // daemon and bounded, so the leak cannot outlive the test JVM
                    watchdog.start();
                    return delegate.backendState();
                }
            };
        }
    }

    /** Logs the HTTP Basic header it sends, which carries the access key Base64-encoded as user:secret. */
    static final class BasicAuthHeaderInLog extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "SEC-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String key = config.optionalString("sim_access_key").orElse("");
            String header = "Basic " + java.util.Base64.getEncoder().encodeToString(
                    ("cinder:" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    context.logger().log(System.Logger.Level.TRACE, "GET /health Authorization: " + header);
                    return delegate.backendState();
                }
            };
        }
    }

    /** Lists a pool twice (the SDK's BackendStats refuses the duplicate inside collectStats). */
    static final class DuplicatePoolNames extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-6";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    BackendStats stats = delegate.collectStats();
                    List<PoolStats> pools = new java.util.ArrayList<>(stats.pools());
                    pools.add(stats.pools().get(0)); // the first pool again, from a second controller's listing
                    return stats.toBuilder().pools(pools).build();
                }
            };
        }
    }

    /** Reports reserved_percentage as a per-mille value (the SDK's PoolStats refuses 150). */
    static final class ReservedPercentageOver100 extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-7";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    return rebuild(delegate.collectStats(), p -> p.reservedPercentage(150));
                }
            };
        }
    }

    /** Answers extendVolume with the new size without telling the array (the array's volume keeps its size). */
    static final class ExtendReportsButDoesNotGrow extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-3";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume extendVolume(Volume volume, long newSizeGib) {
                    if (newSizeGib <= volume.sizeGib()) {
                        return delegate.extendVolume(volume, newSizeGib);
                    }
                    return new Volume(volume.id(), volume.name(), newSizeGib, volume.poolName(), volume.providerLocation());
                }
            };
        }
    }

    /** Ships without clones (refusing them properly) although the vendor's release notes promise them. */
    static final class DropsExpectedClone extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CAP-3";
        }

        @Override
        io.cinderblock.tck.TckFixture.Builder fixture(io.cinderblock.tck.TckFixture.Builder simFixture) {
            return simFixture.expectCapabilities(java.util.EnumSet.allOf(Capability.class));
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, Set.of(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME, Capability.SNAPSHOT,
                    Capability.VOLUME_FROM_SNAPSHOT, Capability.CONNECTION)).build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String id = descriptor().id();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume cloneVolume(io.cinderblock.sdk.spi.VolumeSpec spec, Volume source) {
                    throw new io.cinderblock.sdk.error.NotSupportedException(Capability.CLONE_VOLUME, id);
                }
            };
        }
    }

    // ------------------------------------------------------------------ round 3: credentials, idle and half-open paths, agreement, push

    /** Treats the array's "access key rejected" as proof the array is reachable: UP with a wrong key (an HTTP 401 taken as alive). */
    static final class StaysUpOnAuthFailure extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-9";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    BackendState state = delegate.backendState();
                    if (!state.isUp() && state.reason().contains("AUTH")) {
                        return BackendState.up("Simulated array answers (it asked for credentials)", context.clock());
                    }
                    return state;
                }
            };
        }
    }

    /** A raw connection to the array's endpoint, opened lazily, from the driver's configuration. */
    static java.net.Socket connect(DriverConfig config) throws java.io.IOException {
        java.net.Socket socket = new java.net.Socket();
        try {
            socket.connect(new java.net.InetSocketAddress(config.string("sim_host"), (int) config.integer("sim_port")),
                    2_000);
            return socket;
        } catch (java.io.IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static String keyLine(DriverConfig config) {
        return config.optionalString("sim_access_key").map(k -> "KEY " + k + "\n").orElse("");
    }

    /**
     * Keeps a pooled session (the array's WATCH connection) and takes its loss for a device fault
     * instead of reconnecting: reports DOWN once the array closed it for being idle.
     */
    static final class SpuriousDownAfterIdleClose extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-10";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                private volatile java.net.Socket session;
                private boolean lost;

                @Override
                public synchronized BackendState backendState() {
                    if (lost) {
                        return BackendState.down("Session to the simulated array lost", context.clock());
                    }
                    try {
                        if (session == null) {
                            session = connect(config);
                            session.getOutputStream().write((keyLine(config) + "WATCH " + config.string("sim_device")
                                    + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        }
                        java.io.InputStream in = session.getInputStream();
                        while (in.available() > 0) {
                            in.read(); // announcements and heartbeats, not needed here
                        }
                        session.setSoTimeout(1);
                        if (in.read() < 0) {
                            lost = true; // the defect: a closed pooled session is taken for a dead device
                            return BackendState.down("Session to the simulated array lost", context.clock());
                        }
                    } catch (java.net.SocketTimeoutException e) {
                        // open and quiet: alive
                    } catch (java.io.IOException | RuntimeException e) {
                        return delegate.backendState();
                    }
                    return delegate.backendState();
                }

                @Override
                public void close() {
                    closeQuietly(session);
                    delegate.close();
                }
            };
        }
    }

    static void closeQuietly(java.net.Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (java.io.IOException e) {
                // closing anyway
            }
        }
    }

    /**
     * Keeps a pre-connected spare connection for its next probe and reads the answer on it without
     * a read timeout: a connection that went silent (stall, half-open) holds the probe forever.
     */
    static final class HangsOnHalfOpenConnection extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-11";
        }

        /** A stalled device also silences the spare connection it already holds. */
        @Override
        Set<String> alsoFails() {
            return Set.of("FAULT-4");
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                private volatile java.net.Socket spare;
                private volatile java.net.Socket inUse;

                @Override
                public synchronized BackendState backendState() {
                    java.net.Socket socket = spare;
                    spare = null;
                    try {
                        if (socket == null) {
                            socket = connect(config);
                        }
                        inUse = socket;
                        socket.getOutputStream().write((keyLine(config) + "PING " + config.string("sim_device") + "\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        socket.setSoTimeout(0); // the defect: no read timeout on a pooled connection
                        String line = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                                java.nio.charset.StandardCharsets.UTF_8)).readLine();
                        if (line == null) {
                            return BackendState.down("Simulated array closed the connection", context.clock());
                        }
                    } catch (java.io.IOException | RuntimeException e) {
                        return delegate.backendState();
                    } finally {
                        closeQuietly(socket);
                        try {
                            spare = connect(config);
                        } catch (java.io.IOException | RuntimeException e) {
                            spare = null;
                        }
                    }
                    return delegate.backendState();
                }

                @Override
                public void close() {
                    closeQuietly(spare);
                    closeQuietly(inUse); // ends a probe stuck on it
                    delegate.close();
                }
            };
        }
    }

    /**
     * Serves callers that arrive while a stats request is in flight from the last good stats, marked
     * up: alone, a caller sees the truth; concurrently, stats say UP while the state says DOWN.
     */
    static final class CachedStatsForConcurrentCallers extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATE-4";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<BackendStats> lastGood =
                    new java.util.concurrent.atomic.AtomicReference<>();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    try {
                        if (inFlight.getAndIncrement() > 0 && lastGood.get() != null) {
                            return lastGood.get();
                        }
                        try {
                            BackendStats stats = delegate.collectStats();
                            lastGood.set(stats);
                            return stats;
                        } finally {
                            pause(); // the request's round trip, long enough for concurrent callers to meet
                        }
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }
            };
        }
    }

    static void pause() {
        try {
            Thread.sleep(80);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Resolves the array's address once per process and keeps using it: drivers opened later with
     * other endpoint options (through the kit's proxy) still talk to the first address.
     */
    static final class CachesDeviceAddress extends BrokenDriverProvider {
        private final java.util.concurrent.atomic.AtomicReference<Map<String, String>> resolved =
                new java.util.concurrent.atomic.AtomicReference<>();

        @Override
        String breaks() {
            return "FAULT-1";
        }

        @Override
        Map<String, String> simOptions(DriverConfig config, Map<String, String> options) {
            Map<String, String> address = new LinkedHashMap<>();
            address.put("sim_host", options.getOrDefault("sim_host", "127.0.0.1"));
            address.put("sim_port", options.get("sim_port"));
            resolved.compareAndSet(null, address);
            Map<String, String> changed = new LinkedHashMap<>(options);
            changed.putAll(resolved.get());
            return changed;
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Pushes recoveries but drops DOWN announcements (it "waits for the next poll" to report faults). */
    static final class PushesRecoveriesOnly extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PUSH-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new PublishingForwardingDriver(sim, descriptor()) {
                @Override
                io.cinderblock.sdk.spi.BackendStateListener listen(io.cinderblock.sdk.spi.BackendStateListener host) {
                    return new ForwardingListener(host) {
                        @Override
                        public void stateChanged(BackendState state) {
                            if (state.isUp()) {
                                host.stateChanged(state);
                            }
                        }
                    };
                }
            };
        }
    }

    /** Reconnects a broken push channel silently, never telling the host it was relying on polling alone. */
    static final class SwallowsPushLost extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PUSH-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new PublishingForwardingDriver(sim, descriptor()) {
                @Override
                io.cinderblock.sdk.spi.BackendStateListener listen(io.cinderblock.sdk.spi.BackendStateListener host) {
                    return new ForwardingListener(host) {
                        @Override
                        public void pushLost(String reason) {
                            // dropped: the defect
                        }
                    };
                }
            };
        }
    }

    /** Passes every announcement on once per array controller (four), without coalescing. */
    static final class EchoesEveryAnnouncement extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PUSH-3";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new PublishingForwardingDriver(sim, descriptor()) {
                @Override
                io.cinderblock.sdk.spi.BackendStateListener listen(io.cinderblock.sdk.spi.BackendStateListener host) {
                    return new ForwardingListener(host) {
                        @Override
                        public void stateChanged(BackendState state) {
                            for (int controller = 0; controller < 4; controller++) {
                                host.stateChanged(state);
                            }
                        }
                    };
                }
            };
        }
    }

    /**
     * Debounces announcements on a scheduler that close() shuts down with {@code shutdown()}, which
     * still runs the delayed deliveries: the host hears from a closed driver.
     */
    static final class DebounceOutlivesClose extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PUSH-4";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            java.util.concurrent.ScheduledExecutorService debounce = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "push-debounce");
                        t.setDaemon(true);
                        return t;
                    });
            return new PublishingForwardingDriver(sim, descriptor()) {
                @Override
                io.cinderblock.sdk.spi.BackendStateListener listen(io.cinderblock.sdk.spi.BackendStateListener host) {
                    return new ForwardingListener(host) {
                        @Override
                        public void stateChanged(BackendState state) {
                            debounce.schedule(() -> host.stateChanged(state), 300,
                                    java.util.concurrent.TimeUnit.MILLISECONDS);
                        }
                    };
                }

                @Override
                public void close() {
                    delegate.close();
                    debounce.shutdown(); // the defect: delayed tasks still run (shutdownNow() would drop them)
                }
            };
        }
    }

    /** Passes everything on to the host's listener; push drivers override what they break. */
    static class ForwardingListener implements io.cinderblock.sdk.spi.BackendStateListener {
        final io.cinderblock.sdk.spi.BackendStateListener host;

        ForwardingListener(io.cinderblock.sdk.spi.BackendStateListener host) {
            this.host = host;
        }

        @Override
        public void stateChanged(BackendState state) {
            host.stateChanged(state);
        }

        @Override
        public void pushLost(String reason) {
            host.pushLost(reason);
        }

        @Override
        public void pushRestored() {
            host.pushRestored();
        }
    }
}
