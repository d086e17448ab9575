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
        return List.of(new FreeExceedsTotal(), new NegativeCapacity(), new WrongBackendNameInStats(),
                new LowerCaseProtocolInStats(), new JitteryFreeCapacity(), new StaleStatsCache(),
                new ThickPoolOverSubscribed(), new StatsNeverShowDown(), new StateHangsOnStall(),
                new StaysUpWhenRefused(), new NeverRecovers(), new PanicsWhenSlow(), new CredentialNotDeclaredSecret(),
                new SecretInExceptionMessage(), new SecretInLog(), new UndeclaredSnapshotSucceeds(),
                new DeleteNotIdempotent(), new NullPointerOnMissingOption(), new MalformedIqn(),
                new UnversionedDescriptor());
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

    /** Reports DOWN whenever a probe takes more than 100 ms, far below its own timeout. */
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
                    if (Duration.ofNanos(System.nanoTime() - start).toMillis() > 100) {
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
}
