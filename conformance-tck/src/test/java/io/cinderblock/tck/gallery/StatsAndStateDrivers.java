package io.cinderblock.tck.gallery;

import static io.cinderblock.tck.gallery.BrokenDrivers.connect;
import static io.cinderblock.tck.gallery.BrokenDrivers.rebuild;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capacity;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gallery drivers (see {@link BrokenDrivers}): stats and state: stats the SDK refuses or that lie,
 * state that hangs or never changes.
 */
final class StatsAndStateDrivers {
    private StatsAndStateDrivers() {}

    /** Every driver of this part of the gallery, in the gallery's order. */
    static List<BrokenDriverProvider> all() {
        return List.of(
                new FreeExceedsTotal(),
                new NegativeCapacity(),
                new WrongBackendNameInStats(),
                new LowerCaseProtocolInStats(),
                new JitteryFreeCapacity(),
                new StaleStatsCache(),
                new ThickPoolOverSubscribed(),
                new StatsNeverShowDown(),
                new StateHangsOnStall(),
                new StaysUpWhenRefused(),
                new NeverRecovers(),
                new PanicsWhenSlow());
    }

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
}
