package io.cinderblock.tck.gallery;

import static io.cinderblock.tck.gallery.BrokenDrivers.connect;
import static io.cinderblock.tck.gallery.BrokenDrivers.copy;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gallery drivers (see {@link BrokenDrivers}): round 2, one per remaining requirement: discovery,
 * descriptor, configuration, stats and state.
 */
final class RoundTwoDescriptorAndStateDrivers {
    private RoundTwoDescriptorAndStateDrivers() {}

    /** Every driver of this part of the gallery, in the gallery's order. */
    static List<BrokenDriverProvider> all() {
        return List.of(
                new NotRegisteredForServiceLoader(),
                new DescriptorChangesEveryCall(),
                new OverlongId(),
                new FutureSpiVersion(),
                new EndpointsNotDeclared(),
                new OpenedDescriptorDiffers(),
                new ParsesStringOptionUnchecked(),
                new StatsThrowUntyped(),
                new StaleStateTimestamp(),
                new DeadlineOfAnHour(),
                new BusyWhenProbedConcurrently(),
                new StaysUpWhenReset(),
                new LatchesDownWhenOpenedUnreachable(),
                new ClaimsUndeclaredCapability());
    }

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
}
